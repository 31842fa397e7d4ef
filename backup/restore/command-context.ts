// What every restore command gets from its entry (the process, or a test's stand-ins), and the
// planner options it derives from the CLI's: shared by the one-replica-set commands
// (restore-command.ts) and the cluster-wide ones (cluster-command.ts).

import type { StopBalancer } from "./balancer-settings";
import type { CliOptions } from "./cli-args";
import type { StepRunner } from "./executor";
import type { PlanOptions } from "./planner";
import { parseTarget, RestoreTarget } from "./target";
import type { ConnectionSecrets } from "./mongorestore-config";
import type { TargetFacts } from "./target-check";
import type { FoundUser } from "./target-probe";
import type { ArtifactInspector } from "./verify-artifacts";

export interface CliDeps {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  run: StepRunner;
  inspector: ArtifactInspector;
  now: () => number;
  /** Reads whether a target is a mongos and which collections hold documents (target-probe.ts). */
  probeTarget: (connection: ConnectionSecrets) => Promise<TargetFacts>;
  /** After a successful `run`: every user the target holds now, the restored data's (target-probe.ts listUsers). Absent: not listed. */
  listUsers?: (connection: ConnectionSecrets) => Promise<FoundUser[]>;
  /** Where `run` makes its private working directory (config file, the unpacked dump, the merged oplog). */
  tmpdir: string;
  /** `run --cluster`: writes `stopped: true` to the balancer settings on the config servers (default: balancer-settings.ts). */
  stopBalancer?: StopBalancer;
  /** Calls `handler` on SIGINT or SIGTERM until the returned function is called (CliIo.onSignal); absent: no signal reaches the CLI. */
  onSignal?: (handler: (signal: "SIGINT" | "SIGTERM") => void) => () => void;
}

/** Placeholders `plan` shows where `run` puts paths it creates at run time. */
export const PLAN_CONFIG_PLACEHOLDER = "<mongorestore-config.yaml>";
export const PLAN_WORK_DIR_PLACEHOLDER = "<work-dir>";

/** The target of `plan` and `run` (parseArgs requires one for them), or undefined after printing why it is not one. */
export function requestedTarget(opts: CliOptions, err: (line: string) => void): RestoreTarget | undefined {
  const requested = opts.target as NonNullable<CliOptions["target"]>;
  const parsed = parseTarget(requested.mode, requested.input);
  if (parsed.ok) return parsed.target;
  err(parsed.error);
  return undefined;
}

export function planOptionsFrom(opts: CliOptions, catalogDir: string, configFile: string, workDir: string): PlanOptions {
  return {
    catalogDir,
    configFile,
    workDir,
    drop: opts.drop,
    numParallelCollections: opts.numParallelCollections,
    numInsertionWorkersPerCollection: opts.numInsertionWorkersPerCollection,
    mongorestore: opts.mongorestore,
  };
}
