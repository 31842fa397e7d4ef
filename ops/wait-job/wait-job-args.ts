// `wait-job [options]` as data: a pure function from argv to what to wait for, or a UsageError.

import { UsageError } from "../../migrations/runner/errors";
import { DEPLOY_JOB_LABEL } from "./job-labels";
import { parseOptions } from "../../migrations/cli/parse-options";

export interface WaitJobOptions {
  namespace: string;
  selector: string;
  json: boolean;
  /** Give up after this many seconds (exit 4); absent: until every Job has finished. */
  timeoutSeconds?: number;
  intervalSeconds: number;
  /** A line per Job at least this often while nothing changes. */
  reportEverySeconds: number;
  context?: string;
  kubeconfig?: string;
}

export type WaitJobArgs = { kind: "help"; text: string } | ({ kind: "wait" } & WaitJobOptions);

export const WAIT_JOB_HELP = `Usage: npm run --silent wait-job -- --namespace <ns> [options]

Waits for the Jobs a deploy started (the reconcile Jobs and, sharded, the sharding Job), which
\`cdktf deploy\` does not wait for because they can run for hours. Finds them by label, not by
their hashed names: the newest Job of each series (label ${DEPLOY_JOB_LABEL}) matching the
selector. Reports each Job's progress (state, active and failed pods, time against its deadline)
on stderr when it changes and every --report-every seconds, and the outcome at the end. Runs
\`kubectl get jobs\`: kubectl must be on PATH and reach the cluster.

  -n, --namespace <ns>   the database's namespace (required)
  -l, --selector <sel>   kubectl label selector (default: ${DEPLOY_JOB_LABEL}, every deploy Job);
                         e.g. ${DEPLOY_JOB_LABEL}=mongodb-rs0-reconcile for one replica set's
  --timeout <duration>   give up after this long, e.g. 90m, 8h (default: until every Job has
                         finished; each has a deadline, so it does)
  --interval <duration>  time between polls (default 10s)
  --report-every <duration>  a progress line at least this often (default 5m)
  --context <name>, --kubeconfig <path>   passed to kubectl
  --json                 one JSON document on stdout at the end; progress stays on stderr
  -h, --help             this help
Exit codes: 0 every Job completed, 1 a Job failed or kubectl failed, 2 usage error,
3 no Job matches the selector, 4 --timeout reached while a Job still runs.
`;

/** "90", "90s", "15m", "8h", "1h30m" → seconds. */
export function parseDuration(flag: string, text: string): number {
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s?)?$/.exec(text.trim());
  if (!match || text.trim() === "" || match.slice(1).every((g) => g === undefined)) throw new UsageError(`${flag} ${JSON.stringify(text)}: expected a duration such as 30s, 15m or 8h`);
  const [h, m, s] = match.slice(1).map((g) => Number(g ?? 0));
  return h * 3600 + m * 60 + s;
}

export function parseWaitJobArgs(argv: readonly string[]): WaitJobArgs {
  const values = parseOptions(argv, {
      help: { type: "boolean", short: "h" },
      json: { type: "boolean" },
      namespace: { type: "string", short: "n" },
      selector: { type: "string", short: "l" },
      timeout: { type: "string" },
      interval: { type: "string" },
      "report-every": { type: "string" },
      context: { type: "string" },
      kubeconfig: { type: "string" },
    });
  if (values.help) return { kind: "help", text: WAIT_JOB_HELP };
  if (!values.namespace) throw new UsageError("--namespace is required: the database's namespace");
  const selector = values.selector ?? DEPLOY_JOB_LABEL;
  if (selector.trim() === "") throw new UsageError("--selector must not be empty: it would match every Job in the namespace");
  const intervalSeconds = values.interval === undefined ? 10 : parseDuration("--interval", values.interval);
  if (intervalSeconds < 1) throw new UsageError("--interval must be at least 1s");
  const timeoutSeconds = values.timeout === undefined ? undefined : parseDuration("--timeout", values.timeout);
  return {
    kind: "wait",
    namespace: values.namespace,
    selector,
    json: values.json === true,
    ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}),
    intervalSeconds,
    reportEverySeconds: values["report-every"] === undefined ? 300 : parseDuration("--report-every", values["report-every"]),
    ...(values.context ? { context: values.context } : {}),
    ...(values.kubeconfig ? { kubeconfig: values.kubeconfig } : {}),
  };
}

/** kubectl's argv: long flags only, each of them one `kubectl get` accepts. */
export function kubectlArgs(o: Pick<WaitJobOptions, "namespace" | "selector" | "context" | "kubeconfig">): string[] {
  return [
    ...(o.kubeconfig ? [`--kubeconfig=${o.kubeconfig}`] : []),
    ...(o.context ? [`--context=${o.context}`] : []),
    "get",
    "jobs",
    `--namespace=${o.namespace}`,
    `--selector=${o.selector}`,
    "--output=json",
  ];
}
