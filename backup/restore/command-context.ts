// What every restore command gets from its entry (the process, or a test's stand-ins), and the
// planner options it derives from the CLI's: shared by the one-replica-set commands
// (restore-command.ts) and the cluster-wide ones (cluster-command.ts).

import type { StopBalancer } from "./balancer-settings";
import type { CliOptions } from "./cli-args";
import type { StepRunner } from "./executor";
import type { PlanOptions } from "./planner";
import { parseTarget, RestoreTarget } from "./target";
import { type ConnectionSecrets, scrubSecrets } from "./mongorestore-config";
import { connectionUser, temporaryUserProblem } from "./user-secret";
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
  /** After `run --yes` as a temporary restore-<random> user, success or failure: the user drops itself (target-probe.ts dropOwnUser). Absent: not dropped. */
  dropUser?: (connection: ConnectionSecrets) => Promise<"dropped" | "gone">;
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

/** Drops the connection's user when it is a temporary restore-<random> user; says so, or warns. */
export async function dropTemporaryUser(connection: ConnectionSecrets, deps: CliDeps, label = ""): Promise<void> {
  const user = connectionUser(connection.uri);
  if (!deps.dropUser || user === undefined || temporaryUserProblem(user) !== undefined) return;
  try {
    const result = await deps.dropUser(connection);
    deps.stderr(`restore: ${label}the temporary restore user ${user} ${result === "dropped" ? "dropped itself" : "was gone already"}\n`);
  } catch (e) {
    deps.stderr(`restore: warning: ${label}cannot drop the temporary restore user ${user} (drop it as root, or the reconcile Job drops it at its expiry): ${scrubSecrets((e as Error).message, connection)}\n`);
  }
}
