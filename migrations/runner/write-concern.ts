// Every write the runner makes names its write concern with a `wtimeout`. An explicit write
// concern replaces the cluster's default entirely, its wtimeout included
// (https://www.mongodb.com/docs/manual/reference/write-concern/, "wtimeout"), and
// `{w: "majority"}` alone waits without limit while a majority is unreachable.
//
// A wtimeout error means "outcome unknown": the write may have been applied and may still
// replicate (the server does not undo it). So nothing is retried blindly: the lock acquisition
// re-reads the lock document, the changelog write re-reads its entry, and a schema command stops
// the run, whose next attempt plans against the live schema again.
import type { WriteConcernSettings } from "mongodb";

export const WTIMEOUT_MS = 60_000;

/** The driver form (the driver sends it to the server as `{w, wtimeout}`). */
export const MAJORITY: WriteConcernSettings = { w: "majority", wtimeoutMS: WTIMEOUT_MS };

/** The write concern a command document carries (command form: `wtimeout` in milliseconds). */
export function withWriteConcern<T extends Record<string, unknown>>(command: T): T & { writeConcern: { w: "majority"; wtimeout: number } } {
  return { ...command, writeConcern: { w: "majority", wtimeout: WTIMEOUT_MS } };
}

const WRITE_CONCERN_FAILED = 64;

/** Whether an error is a write concern timeout (WriteConcernFailed with errInfo.wtimeout, or code 64). */
export function isWriteConcernTimeout(error: unknown): boolean {
  const e = error as { code?: number; errInfo?: { wtimeout?: boolean }; writeConcernError?: { code?: number; errInfo?: { wtimeout?: boolean } }; result?: { writeConcernError?: { code?: number } } };
  if (!e || typeof e !== "object") return false;
  return (
    e.code === WRITE_CONCERN_FAILED ||
    e.errInfo?.wtimeout === true ||
    e.writeConcernError?.code === WRITE_CONCERN_FAILED ||
    e.writeConcernError?.errInfo?.wtimeout === true ||
    e.result?.writeConcernError?.code === WRITE_CONCERN_FAILED
  );
}
