// `nyrkio-db e2e` / `npm run e2e -- [options]` as data: a pure function from argv to the run's
// options, or a UsageError (exit code 2) that says what is wrong.
import { parseOptions } from "../migrations/cli/parse-options";
import { UsageError } from "../migrations/runner/errors";

/** The steps of the run, in order (issue 14). Each later step relies on what the earlier ones left. */
export const STEP_IDS = ["cluster", "deploy", "failover", "migrations", "restore", "day2", "scale-out"] as const;
export type StepId = (typeof STEP_IDS)[number];

export const EXIT = {
  /** Every selected step passed. */
  ok: 0,
  /** A step failed: the run stopped there (the step is named, with its pods' last log lines). */
  failed: 1,
  /** Bad options. */
  usage: 2,
  /** A prerequisite is missing or too old (Docker not installed or not running, kind, kubectl, terraform). */
  prerequisites: 3,
} as const;

// The project's one usage error (exit 2), as every CLI throws it.
export { UsageError };

export interface E2eOptions {
  /** An existing kubectl context to use instead of creating a kind cluster; never deleted. */
  context?: string;
  /** Name of the kind cluster the run creates (when no --context). */
  clusterName: string;
  /** kindest/node image for `kind create cluster --image` (default: kind's own default). */
  nodeImage?: string;
  /** Leave the cluster (and namespaces) up at the end, passed or failed. */
  keep: boolean;
  /** Write the report as JSON to `reportFile`. */
  json: boolean;
  reportFile: string;
  /** Where the pods' logs of a failed step are written (also printed: the last 50 lines). */
  logsDir: string;
  /** The steps to run; default all, in order. */
  steps: StepId[];
  /** Multiplies every wait's timeout (slow CI runners). */
  timeoutFactor: number;
  /** The cdktf CLI (default: the project's own, node_modules/.bin/cdktf). */
  cdktf: string;
  verbose: boolean;
}

export type E2eArgs = { kind: "help"; text: string } | ({ kind: "run" } & E2eOptions);

export const DEFAULT_CLUSTER_NAME = "nyrkio-e2e";

export const E2E_HELP = `Usage: npm run e2e -- [options]     (or: nyrkio-db e2e [options])

Runs the whole system end to end on a real Kubernetes cluster: a kind cluster it creates (three
worker nodes in three zones) or an existing context. Steps, in order:
  cluster     create the kind cluster (kind >= 0.24: its default network enforces NetworkPolicy),
              or check the --context cluster's nodes
  deploy      scripts/create-secrets.sh, cdktf deploy of the dev database stack, then its backup
              stack; assert rs.status()/rs.conf() (two data members, an arbiter, the priorities,
              pod 0 primary), the default read/write concern, the users and roles, that the
              application's credentials cannot log in as root, and that the NetworkPolicy admits
              the jobs' label and refuses a pod without it
  failover    delete the primary's pod (graceful) and kill it (--grace-period=0 --force): the
              other data member is primary within the election timeout plus a margin, pod 0 takes
              primary back; measures the time without a writable primary
  migrations  migrate up --json from a Job in the cluster, again (nothing changes), check-queries
  restore     known writes (insert, update, delete, a multi-document transaction), a full dump and
              oplog slices from their CronJobs, restore between two writes into a fresh namespace,
              document-by-document comparison, then the verification Job
  day2        change a priority (reconfig, no restart) and a resource limit (rolling restart that
              keeps a primary); drain a node under the PodDisruptionBudget, uncordon, catch up
  scale-out   convert to the sharded topology in place (docs/runbooks/convert-to-sharded.md):
              mongos routes, shard keys set, the restore step's documents still there

Options:
  --context <name>       use this existing kubectl context; no kind cluster is created, and the
                         cluster is never deleted (nor are namespaces the run did not create)
  --cluster-name <name>  name of the kind cluster to create (default ${DEFAULT_CLUSTER_NAME}); refused
                         if a kind cluster of that name exists already (it is not ours to delete)
  --node-image <image>   kindest/node image for the kind cluster (default: kind's own)
  --keep                 leave the cluster up at the end for inspection (passed or failed), and
                         the run's own files (kind config, overrides, catalog, plan)
  --steps <a,b,...>      run only these steps, in the order above (a later step assumes what the
                         earlier ones leave: use with --context on a cluster kept with --keep)
  --json                 write the report (steps, times, failure, measurements) as JSON
  --report <file>        where --json writes it (default e2e-report.json)
  --logs-dir <dir>       where the pods' logs of a failed step are saved (default e2e-logs)
  --timeout-factor <n>   multiply every wait's timeout by n (default 1; slow runners)
  --cdktf <path>         the cdktf CLI (default node_modules/.bin/cdktf)
  --verbose              print every command the run executes
  -h, --help             this help

Prerequisites (checked first; each missing one is named with how to install it): Docker (running),
kind >= 0.24, kubectl, terraform >= 1.10; with --context only kubectl and terraform.

Exit codes: 0 every step passed; 1 a step failed (named, with the last 50 log lines of its pods);
2 usage error; 3 a prerequisite is missing or too old (Docker not running included).
`;

function positiveNumber(name: string, value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} ${JSON.stringify(value)}: expected a positive number`);
  return n;
}

/** Kubernetes object names and kind cluster names: a DNS label (kind names the nodes after it). */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export function parseSteps(value: string): StepId[] {
  const wanted = value.split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (wanted.length === 0) throw new UsageError(`--steps: expected a comma-separated list of ${STEP_IDS.join(", ")}`);
  for (const s of wanted) {
    if (!(STEP_IDS as readonly string[]).includes(s)) throw new UsageError(`--steps: unknown step ${JSON.stringify(s)}; the steps are ${STEP_IDS.join(", ")}`);
  }
  // Always the documented order, whatever order they were given in: each step builds on the earlier ones.
  return STEP_IDS.filter((s) => wanted.includes(s));
}

/** Every option the e2e driver accepts (node:util parseArgs); --help documents each (a test holds it). */
export const E2E_OPTIONS = {
  help: { type: "boolean", short: "h" },
  context: { type: "string" },
  "cluster-name": { type: "string" },
  "node-image": { type: "string" },
  keep: { type: "boolean" },
  steps: { type: "string" },
  json: { type: "boolean" },
  report: { type: "string" },
  "logs-dir": { type: "string" },
  "timeout-factor": { type: "string" },
  cdktf: { type: "string" },
  verbose: { type: "boolean" },
} as const;

export function parseE2eArgs(argv: readonly string[]): E2eArgs {
  const v = parseOptions(argv, E2E_OPTIONS);
  if (v.help) return { kind: "help", text: E2E_HELP };
  if (v.context !== undefined && v.context.trim() === "") throw new UsageError("--context: must not be empty");
  if (v.context !== undefined && v["cluster-name"] !== undefined)
    throw new UsageError("--cluster-name names the kind cluster the run creates; with --context no cluster is created: give one of them");
  if (v.context !== undefined && v["node-image"] !== undefined) throw new UsageError("--node-image is for the kind cluster the run creates; with --context no cluster is created");
  const clusterName = v["cluster-name"] ?? DEFAULT_CLUSTER_NAME;
  if (!DNS_LABEL.test(clusterName)) throw new UsageError(`--cluster-name ${JSON.stringify(clusterName)}: must be lower-case letters, digits and '-' (a DNS label)`);
  if (v.report !== undefined && !v.json) throw new UsageError("--report is where --json writes the report: add --json");
  return {
    kind: "run",
    context: v.context,
    clusterName,
    nodeImage: v["node-image"],
    keep: v.keep ?? false,
    json: v.json ?? false,
    reportFile: v.report ?? "e2e-report.json",
    logsDir: v["logs-dir"] ?? "e2e-logs",
    steps: v.steps === undefined ? [...STEP_IDS] : parseSteps(v.steps),
    timeoutFactor: v["timeout-factor"] === undefined ? 1 : positiveNumber("timeout-factor", v["timeout-factor"]),
    cdktf: v.cdktf ?? "node_modules/.bin/cdktf",
    verbose: v.verbose ?? false,
  };
}
