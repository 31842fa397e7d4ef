// The cluster-wide default read and write concern, set explicitly with setDefaultRWConcern (see
// docs/read-write-concern.md for the choice). Without it a PSA set's implicit default is {w: 1},
// and MongoDB refuses any reconfig that would change the implicit default.

import type { PlatformConfig } from "../config/platform-config";

export type WriteConcernW = "majority" | number;

export interface SetDefaultRWConcernCommand {
  setDefaultRWConcern: 1;
  defaultWriteConcern: { w: WriteConcernW; wtimeout: number };
  defaultReadConcern: { level: PlatformConfig["readWriteConcern"]["read"] };
}

/** The config's `w` ("majority", or a member count written as a digit string) as MongoDB takes it. */
export function writeConcernW(w: string): WriteConcernW {
  return /^\d+$/.test(w) ? Number(w) : "majority";
}

export function renderDefaultRWConcernCommand(config: PlatformConfig): SetDefaultRWConcernCommand {
  const { write, read } = config.readWriteConcern;
  return {
    setDefaultRWConcern: 1,
    defaultWriteConcern: { w: writeConcernW(write.w), wtimeout: write.wtimeoutMS },
    defaultReadConcern: { level: read },
  };
}

/** What getDefaultRWConcern returns (5.0+), in the part that matters here. */
export interface DefaultRWConcernResponse {
  defaultWriteConcern?: { w?: WriteConcernW; wtimeout?: number };
  defaultReadConcern?: { level?: string };
  defaultWriteConcernSource?: "implicit" | "global";
  defaultReadConcernSource?: "implicit" | "global";
}

/**
 * true unless the cluster already has exactly these defaults, set explicitly.
 * EMBEDDED into the reconcile script with Function.prototype.toString(): keep it self-contained.
 */
export function defaultRWConcernNeedsUpdate(current: DefaultRWConcernResponse, command: SetDefaultRWConcernCommand): boolean {
  const write = current.defaultWriteConcern ?? {};
  return !(
    current.defaultWriteConcernSource === "global" &&
    current.defaultReadConcernSource === "global" &&
    write.w === command.defaultWriteConcern.w &&
    (write.wtimeout ?? 0) === command.defaultWriteConcern.wtimeout &&
    (current.defaultReadConcern ?? {}).level === command.defaultReadConcern.level
  );
}

export const RW_CONCERN_FUNCTIONS: readonly ((...args: never[]) => unknown)[] = [defaultRWConcernNeedsUpdate];
