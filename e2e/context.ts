// What every step gets: the tools (kubectl through Kube, any command through the Runner), the
// config of the environment under test, the run's state shared between steps, and the means to
// report progress, measurements and the pods whose logs matter if the step fails.
import type { PlatformConfig } from "../config/platform-config";
import type { E2eOptions, StepId } from "./args";
import type { Runner } from "./exec";
import type { Kube } from "./kube";
import type { PodSet } from "./logs";
import type { Clock } from "./wait";

export interface RunState {
  /** The context every kubectl and deploy uses once the cluster step ran. */
  context?: string;
  /** True only when this run created the kind cluster: only then may it delete it. */
  createdCluster: boolean;
  /** Namespaces this run created itself (not through a stack), deleted at the end unless --keep. */
  createdNamespaces: string[];
  /** Set by the restore step: every known write applied, for the scale-out step's check. */
  pitrWritten?: boolean;
}

export interface StepContext {
  options: E2eOptions;
  config: PlatformConfig;
  /** The `sharded` environment: its shard keys are the scale-out step's target. */
  shardedConfig: PlatformConfig;
  kube: Kube;
  runner: Runner;
  clock: Clock;
  /** The repository: where cdktf, scripts/ and dist/ are. */
  projectDir: string;
  /** A private directory for the run's files (kind config, overrides, catalog). */
  workDir: string;
  /** The kubeconfig file the deploys' provider reads (kind writes its context there). */
  kubeconfig: string;
  /** The node binary that runs the project's built CLIs (dist/). */
  node: string;
  state: RunState;
  /** A progress line under the current step. */
  say(line: string): void;
  /** A wait's timeout (on the run's clock), scaled by --timeout-factor. */
  timeout(ms: number): number;
  /** A limit on one external command (real time): scaled up by --timeout-factor, never down. */
  processTimeout(ms: number): number;
  /** Pods whose last log lines are printed if this step fails. */
  involve(...sets: PodSet[]): void;
  measure(key: string, value: number | string): void;
  writeFile(path: string, text: string | Buffer): void;
}

export interface Step {
  id: StepId;
  title: string;
  run(ctx: StepContext): Promise<void>;
}

/** A step's assertion failed: the problems, one per line. */
export class AssertionFailed extends Error {
  constructor(what: string, problems: readonly string[]) {
    super(`${what}:\n${problems.map((p) => `    - ${p}`).join("\n")}`);
  }
}

export function assertNone(what: string, problems: readonly string[]): void {
  if (problems.length > 0) throw new AssertionFailed(what, problems);
}
