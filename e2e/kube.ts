// kubectl, as the run uses it: every call names the context (--context) when one is chosen, waits
// go through waitFor with a deadline, and the logs of a failed step are read with --tail.
// Flags: https://kubernetes.io/docs/reference/kubectl/generated/ (get, wait, logs, exec, apply,
// create job --from, delete, rollout status, drain, uncordon).
import type { Runner, RunOptions, RunResult } from "./exec";
import { JobJson, jobOutcome, List, newestJob, PodJson, podsReady } from "./kube-state";
import { ContainerLog, PodSet, TAIL_LINES } from "./logs";
import { Clock, Probe, waitFor } from "./wait";

export class CommandError extends Error {
  constructor(
    readonly command: string,
    readonly result: RunResult,
  ) {
    const said = (result.stderr.trim() || result.stdout.trim()).split("\n").slice(-3).join(" / ");
    super(`\`${command}\` failed (exit ${result.code})${said ? `: ${said}` : ""}`);
  }
}

/** A Job that ended Failed: not a timeout, the step fails at once. */
export class JobFailedError extends Error {}

export function quoteArgs(command: string, args: readonly string[]): string {
  return [command, ...args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`)).join(" ");
}

export interface KubeOptions {
  runner: Runner;
  context?: string;
  clock: Clock;
  /** Called with each command line when --verbose. */
  trace?: (line: string) => void;
  /** Every poll's interval. */
  intervalMs?: number;
}

export class Kube {
  constructor(private readonly o: KubeOptions) {}

  get context(): string | undefined {
    return this.o.context;
  }

  withContext(context: string): Kube {
    return new Kube({ ...this.o, context });
  }

  /** kubectl with the context; throws CommandError on a non-zero exit unless `allowFailure`. */
  async kubectl(args: readonly string[], opts: RunOptions & { allowFailure?: boolean } = {}): Promise<RunResult> {
    const full = [...(this.o.context ? ["--context", this.o.context] : []), ...args];
    this.o.trace?.(quoteArgs("kubectl", full));
    const result = await this.o.runner.run("kubectl", full, opts);
    if (result.code !== 0 && !opts.allowFailure) throw new CommandError(quoteArgs("kubectl", args), result);
    return result;
  }

  async getJson<T>(args: readonly string[]): Promise<T> {
    const result = await this.kubectl(["get", ...args, "-o", "json"]);
    try {
      return JSON.parse(result.stdout) as T;
    } catch {
      throw new Error(`kubectl get ${args.join(" ")} -o json printed no JSON: ${result.stdout.slice(0, 200)}`);
    }
  }

  pods(namespace: string, selector: string): Promise<List<PodJson>> {
    return this.getJson<List<PodJson>>(["pods", "-n", namespace, "-l", selector]);
  }

  /** Waits until `count` pods of the selector are Ready (and none is terminating). */
  async waitPodsReady(namespace: string, selector: string, count: number, timeoutMs: number): Promise<PodJson[]> {
    const { value } = await waitFor(`${count} Ready pod(s) ${selector} in ${namespace}`, async () => podsReady(await this.pods(namespace, selector), count), this.waitOpts(timeoutMs));
    return value;
  }

  /**
   * Waits for the newest Job of a label selector (the stacks' Jobs, whose names are hashed), or the
   * Job of a name the run chose, to complete. A Job that fails ends the wait at once with
   * JobFailedError; no Job at all, or one still running at the deadline, is a TimeoutError.
   * (`job-name` labels a Job's pods, not the Job: https://kubernetes.io/docs/concepts/workloads/controllers/job/#job-labels.)
   */
  async waitJobComplete(namespace: string, by: { selector: string } | { name: string }, timeoutMs: number): Promise<JobJson> {
    const query = "selector" in by ? ["-l", by.selector] : ["--field-selector", `metadata.name=${by.name}`];
    const what = "selector" in by ? by.selector : by.name;
    const probe = async (): Promise<Probe<JobJson>> => {
      const job = newestJob(await this.getJson<List<JobJson>>(["jobs", "-n", namespace, ...query]));
      if (!job) return { done: false, seen: `no Job matches ${what}` };
      const outcome = jobOutcome(job);
      if (outcome.state === "failed") throw new JobFailedError(`Job ${namespace}/${job.metadata.name} failed: ${outcome.reason}`);
      return outcome.state === "complete" ? { done: true, value: job } : { done: false, seen: outcome.seen };
    };
    return (await waitFor(`the Job ${what} in ${namespace} to complete`, probe, this.waitOpts(timeoutMs))).value;
  }

  /** `kubectl create job NAME --from=cronjob/CRONJOB`: a run of a CronJob now, as an SRE starts one. */
  async createJobFromCronJob(namespace: string, cronJob: string, name: string): Promise<void> {
    await this.kubectl(["create", "job", name, `--from=cronjob/${cronJob}`, "-n", namespace]);
  }

  async apply(manifest: unknown, namespace?: string): Promise<void> {
    await this.kubectl(["apply", ...(namespace ? ["-n", namespace] : []), "-f", "-"], { input: JSON.stringify(manifest) });
  }

  async exec(namespace: string, pod: string, container: string, command: readonly string[], opts: RunOptions & { allowFailure?: boolean } = {}): Promise<RunResult> {
    return this.kubectl(["exec", "-i", "-n", namespace, pod, "-c", container, "--", ...command], opts);
  }

  async secretValue(namespace: string, secret: string, key: string): Promise<string> {
    const s = await this.getJson<{ data?: Record<string, string> }>(["secret", secret, "-n", namespace]);
    const value = s.data?.[key];
    if (value === undefined) throw new Error(`Secret ${namespace}/${secret} has no key ${key}`);
    return Buffer.from(value, "base64").toString("utf8");
  }

  /** The last TAIL_LINES lines of every container (init containers too) of the pods of each set. */
  async collectLogs(sets: readonly PodSet[], tail = TAIL_LINES): Promise<ContainerLog[]> {
    const logs: ContainerLog[] = [];
    for (const set of sets) {
      let list: List<PodJson>;
      try {
        list = await this.pods(set.namespace, set.selector);
      } catch (error) {
        logs.push({ namespace: set.namespace, pod: `(pods ${set.selector})`, container: "-", text: "", error: (error as Error).message });
        continue;
      }
      for (const pod of list.items) {
        const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((c) => c.name);
        for (const container of containers) {
          const r = await this.kubectl(["logs", "-n", set.namespace, pod.metadata.name, "-c", container, `--tail=${tail}`], { allowFailure: true });
          logs.push({ namespace: set.namespace, pod: pod.metadata.name, container, text: r.stdout, ...(r.code !== 0 ? { error: r.stderr.trim().split("\n")[0] } : {}) });
        }
      }
    }
    return logs;
  }

  private waitOpts(timeoutMs: number) {
    return { timeoutMs, intervalMs: this.o.intervalMs ?? 2000, clock: this.o.clock };
  }
}
