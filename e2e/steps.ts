// The seven steps of the run (issue 14), each an I/O sequence over Kube/Runner whose decisions are
// the pure checks in e2e/checks.ts. Resource names and labels come from the project's own naming
// (stacks/naming.ts, backup-names.ts); Jobs the stacks create are found by label, never by their
// hashed names.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PlatformConfig, ReplsetConfig } from "../config/platform-config";
import { backupCronJobName, restoreCredentialsSecretName, restorePlanConfigMapName, restoreUserCronJobName } from "../stacks/constructs/backup/backup-names";
import {
  backupStackName,
  commonLabels,
  CONFIG_SERVER_REPLSET,
  databaseStackName,
  dataMemberHost,
  dataMemberHosts,
  dataStatefulSetName,
  mongosHost,
  MONGOS_NAME,
  replsetSelector,
} from "../stacks/naming";
import {
  applyWrites,
  Attempt,
  checkBootstrapRetired,
  checkDefaultRWConcern,
  checkMigrateUp,
  checkNetworkPolicy,
  checkQueryReport,
  checkReplicaSet,
  checkRootRefused,
  checkUsers,
  compareDocuments,
  Doc,
  expectedAtTarget,
  LiveConf,
  LiveStatus,
  LiveUser,
  memberLag,
  parseProbeLog,
  PITR_AFTER_DUMP,
  PITR_BEFORE_DUMP,
  PITR_TARGET_WRITE,
  unwritableMs,
} from "./checks";
import { assertNone, Step, StepContext } from "./context";
import { kindConfigYaml, kindContext } from "./kind-config";
import { quoteArgs, CommandError } from "./kube";
import { nodeZones, List, NodeJson, PodJson } from "./kube-state";
import { selectorOf } from "./logs";
import { CLI_CONFIG_MAP, cliJob, conversionOverrides, lastJsonLine, memoryChange, overrideFor, priorityChange, probeBody, writeBody } from "./manifests";
import { attemptBody, DbUser, E2E_LABEL, mongoshCommand, mongoUri, parseResult, STRANGER_POD, strangerPod, TOOLBOX_CONTAINER, TOOLBOX_POD, toolboxPod } from "./toolbox";
import { formatDuration, waitFor } from "./wait";
import { checkScrape, parseExposition, scrapeExporter } from "./scrape";
import { EXPORTER_METRICS } from "../monitoring/exporter-metrics";
import { clientsUseTls } from "../config/tls";
import { EXPORTER_PORT, METRICS_PATH } from "../stacks/constructs/monitoring/exporter";

const MIN = 60_000;
/** MongoDB's default electionTimeoutMillis (10 s; replSetGetConfig settings) plus a margin for the pod and the driver. */
export const ELECTION_TIMEOUT_MS = 10_000;
export const FAILOVER_MARGIN_MS = 20_000;
/** catchUpTakeoverDelayMillis (30 s default): a higher-priority member that caught up takes over after it. */
export const TAKEOVER_MS = 30_000 + 60_000;
/** The restore target's own deployment (runbook 6A: another name, another namespace, no backups). */
export const RESTORE_ENV_NAME = "e2e-restore";
export const PITR_DATABASE = "nyrkio";
export const PITR_COLLECTION = "e2e_pitr";

const rs0 = (ctx: StepContext): ReplsetConfig => ctx.config.replsets[0];
const ns = (ctx: StepContext): string => ctx.config.kubernetes.namespace;
const dataSelector = (config: PlatformConfig, rs: Pick<ReplsetConfig, "name">) => selectorOf(replsetSelector(config, rs, "data"));
const instanceSelector = (config: PlatformConfig) => selectorOf({ "app.kubernetes.io/instance": databaseStackName(config) });

// ---------- shared I/O helpers ----------

/** mongosh in the toolbox of `namespace`; the marked result, or an error with mongosh's own words. */
export async function mongo(ctx: StepContext, namespace: string, uri: string, user: DbUser | "none", body: string): Promise<unknown> {
  const r = await ctx.kube.exec(namespace, TOOLBOX_POD, TOOLBOX_CONTAINER, mongoshCommand(uri, user, body), { allowFailure: true, timeoutMs: ctx.processTimeout(2 * MIN) });
  const value = r.code === 0 ? parseResult(r.stdout) : undefined;
  if (value === undefined) throw new Error(`mongosh as ${user} on ${uri} failed (exit ${r.code}): ${(r.stderr.trim() || r.stdout.trim()).split("\n").slice(-3).join(" / ")}`);
  return value;
}

/** A connection attempt from a pod: the marked result, or the failure mongosh exited with. */
async function attempt(ctx: StepContext, namespace: string, pod: string, uri: string, user: DbUser | "none", body: string): Promise<Attempt> {
  const r = await ctx.kube.exec(namespace, pod, TOOLBOX_CONTAINER, mongoshCommand(uri, user, body), { allowFailure: true, timeoutMs: ctx.processTimeout(MIN) });
  const value = r.code === 0 ? (parseResult(r.stdout) as Attempt | undefined) : undefined;
  return value ?? { ok: false, message: (r.stderr.trim() || r.stdout.trim()).split("\n").slice(-1)[0] };
}

async function ensurePod(ctx: StepContext, manifest: ReturnType<typeof toolboxPod>): Promise<void> {
  const namespace = manifest.metadata.namespace;
  ctx.involve({ namespace, selector: `${E2E_LABEL}=${manifest.metadata.name}` });
  await ctx.kube.apply(manifest);
  await ctx.kube.waitPodsReady(namespace, `${E2E_LABEL}=${manifest.metadata.name}`, 1, ctx.timeout(5 * MIN));
}

/** `cdktf deploy <stack> --auto-approve` with NYRKIO_DB_ENV and an override file, from the repository. */
export async function cdktfDeploy(ctx: StepContext, stack: string, environment: string, override: Record<string, unknown>, label: string, signal?: AbortSignal): Promise<void> {
  const file = join(ctx.workDir, `${label}.json`);
  ctx.writeFile(file, JSON.stringify(overrideFor({ kubeconfig: ctx.kubeconfig, context: ctx.state.context }, override), null, 2));
  const args = ["deploy", stack, "--auto-approve"];
  ctx.say(`${quoteArgs("cdktf", args)}   (NYRKIO_DB_ENV=${environment} NYRKIO_DB_CONFIG=${file})`);
  const start = ctx.clock.now();
  const r = await ctx.runner.run(ctx.options.cdktf, args, {
    env: { NYRKIO_DB_ENV: environment, NYRKIO_DB_CONFIG: file, CI: "true" },
    timeoutMs: ctx.processTimeout(30 * MIN),
    stream: ctx.options.verbose ? (t) => ctx.say(t.trimEnd()) : undefined,
    signal,
  });
  if (r.code !== 0) throw new CommandError(quoteArgs(ctx.options.cdktf, args), r);
  ctx.say(`deployed ${stack} in ${formatDuration(ctx.clock.now() - start)}`);
}

async function replicaSetState(ctx: StepContext, config: PlatformConfig, rs: ReplsetConfig, namespace = config.kubernetes.namespace) {
  const uri = mongoUri(dataMemberHosts(config, rs), { replicaSet: rs.name });
  const r = (await mongo(ctx, namespace, uri, "root", `return { conf: rs.conf(), status: rs.status() };`)) as { conf: LiveConf; status: LiveStatus };
  return r;
}

/** Which data member the set reports as primary, asked of one member directly (hello needs no login). */
async function primaryOf(ctx: StepContext, askHost: string): Promise<string | undefined> {
  const r = await ctx.kube.exec(ns(ctx), TOOLBOX_POD, TOOLBOX_CONTAINER, mongoshCommand(mongoUri([askHost], { direct: true, timeoutMs: 2000 }), "none", "return db.hello();"), {
    allowFailure: true,
    timeoutMs: ctx.processTimeout(MIN),
  });
  const hello = r.code === 0 ? (parseResult(r.stdout) as { primary?: string } | undefined) : undefined;
  return hello?.primary;
}

async function waitPrimary(ctx: StepContext, askHosts: readonly string[], want: string, timeoutMs: number): Promise<number> {
  const { elapsedMs } = await waitFor(
    `${want} to be primary`,
    async () => {
      const seen: string[] = [];
      for (const h of askHosts) {
        const p = await primaryOf(ctx, h);
        if (p === want) return { done: true, value: p };
        seen.push(`${h.split(".")[0]} says ${p ?? "no primary / unreachable"}`);
      }
      return { done: false, seen: seen.join("; ") };
    },
    { timeoutMs, intervalMs: 500, clock: ctx.clock },
  );
  return elapsedMs;
}

/** Starts the write probe in the background in the toolbox; returns a function that stops it and reads its samples. */
async function startProbe(ctx: StepContext, name: string, maxMs: number) {
  const log = `/tmp/probe-${name}.log`;
  const stop = `/tmp/probe-${name}.stop`;
  const uri = mongoUri(dataMemberHosts(ctx.config, rs0(ctx)), { replicaSet: rs0(ctx).name, timeoutMs: 1000 });
  const [sh, c, script, argv0, u, body] = mongoshCommand(uri, "root", probeBody(stop, maxMs));
  // The same command, detached from the exec session (no stdio of it held open), output into the log file.
  await ctx.kube.exec(ns(ctx), TOOLBOX_POD, TOOLBOX_CONTAINER, [sh, c, `rm -f ${stop}; (${script.replace(/^exec /, "")}) </dev/null >${log} 2>&1 &`, argv0, u, body]);
  return async () => {
    // The probe sees the stop file within one 200 ms round.
    const r = await ctx.kube.exec(ns(ctx), TOOLBOX_POD, TOOLBOX_CONTAINER, ["sh", "-c", `touch ${stop}; sleep 1; cat ${log}`]);
    return parseProbeLog(r.stdout);
  };
}

async function podUids(ctx: StepContext, selector: string): Promise<Map<string, string>> {
  const list = await ctx.kube.pods(ns(ctx), selector);
  return new Map(list.items.map((p) => [p.metadata.name, p.metadata.uid ?? ""]));
}

async function runFromCronJob(ctx: StepContext, cronJob: string, prefix: string, timeoutMs: number): Promise<string> {
  const name = `${prefix}-${Math.floor(ctx.clock.now() / 1000)}`;
  ctx.say(`kubectl create job ${name} --from=cronjob/${cronJob}`);
  await ctx.kube.createJobFromCronJob(ns(ctx), cronJob, name);
  // A Job created from a CronJob carries the template's labels; it is found by its own name among them.
  ctx.involve({ namespace: ns(ctx), selector: `job-name=${name}` });
  await ctx.kube.waitJobComplete(ns(ctx), { name }, timeoutMs);
  return name;
}

// ---------- 1. cluster ----------

export const clusterStep: Step = {
  id: "cluster",
  title: "kind cluster with three zone-labelled workers (or --context)",
  async run(ctx) {
    const { options } = ctx;
    if (options.context) {
      ctx.say(`using the existing context ${options.context}; it will not be deleted`);
      ctx.state.context = options.context;
    } else {
      const existing = await ctx.runner.run("kind", ["get", "clusters"]);
      if (existing.code !== 0) throw new CommandError("kind get clusters", existing);
      if (existing.stdout.split("\n").map((l) => l.trim()).includes(options.clusterName))
        throw new Error(`a kind cluster named ${options.clusterName} exists already; it is not this run's to use or delete: delete it yourself (kind delete cluster --name ${options.clusterName}), or pass --cluster-name, or --context ${kindContext(options.clusterName)}`);
      const configFile = join(ctx.workDir, "kind-config.yaml");
      ctx.writeFile(configFile, kindConfigYaml());
      // kind create cluster flags: https://kind.sigs.k8s.io/docs/user/quick-start/#creating-a-cluster
      const args = ["create", "cluster", "--name", options.clusterName, "--config", configFile, "--wait", "5m", ...(options.nodeImage ? ["--image", options.nodeImage] : [])];
      ctx.say(quoteArgs("kind", args));
      // From here on the cluster is ours, even if the command fails half-way.
      ctx.state.createdCluster = true;
      const r = await ctx.runner.run("kind", args, { timeoutMs: ctx.processTimeout(15 * MIN) });
      if (r.code !== 0) throw new CommandError(quoteArgs("kind", args), r);
      ctx.state.context = kindContext(options.clusterName);
    }
    ctx.kube = ctx.kube.withContext(ctx.state.context);
    const nodes = await ctx.kube.getJson<List<NodeJson>>(["nodes"]);
    const zones = nodeZones(nodes);
    const distinct = new Set(zones.values());
    ctx.say(`schedulable nodes by zone: ${[...zones].map(([n, z]) => `${n}=${z}`).join(", ") || "none"}`);
    assertNone("the cluster's nodes", distinct.size >= 3 ? [] : [`${distinct.size} zone(s) among the schedulable nodes (label topology.kubernetes.io/zone); three are needed to spread the members`]);
  },
};

// ---------- 2. deploy ----------

export const deployStep: Step = {
  id: "deploy",
  title: "create-secrets.sh, cdktf deploy database then backup; replica set, concerns, users, root refused, NetworkPolicy",
  async run(ctx) {
    const { config } = ctx;
    const rs = rs0(ctx);
    ctx.involve({ namespace: ns(ctx), selector: instanceSelector(config) });
    // The README's order; docs/secrets.md: the namespace is created by the deploy, which waits for
    // the members, which wait for the Secrets: create-secrets waits for the namespace meanwhile.
    // --tls: dev runs requireTLS (issue 15), so the certificate Secret and its private CA are made too.
    const secretsArgs = ["scripts/create-secrets.sh", "--namespace", ns(ctx), "--tls", "--env", "dev", "--wait-for-namespace", String(Math.round(ctx.timeout(10 * MIN) / 1000)), ...(ctx.state.context ? ["--context", ctx.state.context] : [])];
    ctx.say(quoteArgs("bash", secretsArgs));
    // Whichever of the two fails first ends the other: neither waits out its timeout for nothing.
    const abort = new AbortController();
    const secrets = ctx.runner.run("bash", secretsArgs, { timeoutMs: ctx.processTimeout(11 * MIN), signal: abort.signal }).then((r) => {
      if (r.code !== 0 && !abort.signal.aborted) {
        abort.abort();
        throw new CommandError(quoteArgs("bash", secretsArgs), r);
      }
    });
    const deploy = cdktfDeploy(ctx, databaseStackName(config), "dev", {}, "deploy-database", abort.signal).catch((e: unknown) => {
      abort.abort();
      throw e;
    });
    const outcomes = await Promise.allSettled([secrets, deploy]);
    const failure = outcomes.find((o): o is PromiseRejectedResult => o.status === "rejected");
    if (failure) throw failure.reason;
    await ctx.kube.waitPodsReady(ns(ctx), dataSelector(config, rs), rs.members.length, ctx.timeout(10 * MIN));
    if (rs.arbiter.enabled) await ctx.kube.waitPodsReady(ns(ctx), selectorOf(replsetSelector(config, rs, "arbiter")), 1, ctx.timeout(5 * MIN));
    await ctx.kube.waitJobComplete(ns(ctx), { selector: selectorOf({ "app.kubernetes.io/instance": databaseStackName(config), "app.kubernetes.io/component": "reconcile" }) }, ctx.timeout(10 * MIN));
    await cdktfDeploy(ctx, backupStackName(config), "dev", {}, "deploy-backup");

    await ensurePod(ctx, toolboxPod(config));
    const { conf, status } = await replicaSetState(ctx, config, rs);
    assertNone("rs.conf() / rs.status()", checkReplicaSet(config, rs, conf, status));
    ctx.say(`replica set ${rs.name}: ${status.members.map((m) => `${m.name.split(".")[0]} ${m.stateStr}`).join(", ")}`);

    const uri = mongoUri(dataMemberHosts(config, rs), { replicaSet: rs.name });
    const rw = await mongo(ctx, ns(ctx), uri, "root", `return db.adminCommand({ getDefaultRWConcern: 1 });`);
    assertNone("the default read/write concern", checkDefaultRWConcern(config, rw as Parameters<typeof checkDefaultRWConcern>[1]));

    const usernames = Object.fromEntries(
      await Promise.all(([...(["root", "app", "migrator", "backup"] as const), ...(config.retention.enabled ? (["retention"] as const) : [])]).map(async (u) => [u, await ctx.kube.secretValue(ns(ctx), config.secrets[u], "username")])),
    ) as Record<DbUser, string>;
    const users = (await mongo(ctx, ns(ctx), uri, "root", `return db.getSiblingDB("admin").runCommand({ usersInfo: 1 }).users.map((u) => ({ user: u.user, db: u.db, roles: u.roles }));`)) as LiveUser[];
    assertNone("the users and their roles", checkUsers(config, usernames, users));
    // Issue 12 item 11: root was created by the reconcile Job as the bootstrap user, which it then dropped.
    assertNone("the bootstrap user's handover to root", checkBootstrapRetired(await ctx.kube.secretValue(ns(ctx), config.secrets.bootstrap, "username"), users));

    // The application's own password for the root user name, and the application's own login for a root-only command.
    const asRoot = await attempt(ctx, ns(ctx), TOOLBOX_POD, uri, "none",
      `const fs = require("fs"); const read = (u, k) => fs.readFileSync("/secrets/" + u + "/" + k, "utf8").trim();
       try { db.getSiblingDB("admin").auth(read("root", "username"), read("app", "password")); return { ok: true }; } catch (e) { return { ok: false, codeName: e.codeName, message: String(e.message) }; }`);
    const adminCommand = await attempt(ctx, ns(ctx), TOOLBOX_POD, uri, "app", attemptBody(`{ usersInfo: { forAllDBs: true } }`));
    assertNone("the application cannot act as root", checkRootRefused(asRoot, adminCommand));

    // The NetworkPolicy: the same host, from a pod with the client label and from one without.
    await ensurePod(ctx, strangerPod(config));
    const target = mongoUri([dataMemberHost(config, rs, 0)], { direct: true, timeoutMs: 5000 });
    const labelled = await attempt(ctx, ns(ctx), TOOLBOX_POD, target, "none", attemptBody(`{ ping: 1 }`));
    const unlabelled = await attempt(ctx, ns(ctx), STRANGER_POD, target, "none", attemptBody(`{ ping: 1 }`));
    assertNone("the NetworkPolicy", checkNetworkPolicy(labelled, unlabelled));
    ctx.say(`NetworkPolicy: labelled pod admitted; unlabelled pod refused (${unlabelled.codeName ?? unlabelled.message ?? "no answer"})`);
    await ctx.kube.kubectl(["delete", "pod", STRANGER_POD, "-n", ns(ctx), "--ignore-not-found", "--wait=false"]);

    // Issue 16: a real scrape of pod 0's exporter sidecar holds every name the dashboard and the
    // rules use (monitoring/exporter-metrics.ts, derived from the pinned tag's source).
    if (config.monitoring.enabled) await checkExporterScrape(ctx, `${dataStatefulSetName(rs)}-0`);
  },
};

/** Scrapes one member's exporter from inside its pod, keeps the page (workDir, kept with --keep), and checks it. */
async function checkExporterScrape(ctx: StepContext, pod: string): Promise<void> {
  // The exporter connects after mongod is up, and a first scrape may come before its first
  // collection: scrape until the page is complete, then judge the last page seen.
  let text: string | undefined;
  let problems: string[] = [];
  try {
    await waitFor(
      `a complete scrape of ${pod}'s exporter`,
      async () => {
        const r = await scrapeExporter(ctx.kube, ns(ctx), pod, "mongod", EXPORTER_PORT, METRICS_PATH, ctx.processTimeout(MIN));
        if ("error" in r) return { done: false, seen: r.error };
        text = r.text;
        problems = checkScrape(r.text, EXPORTER_METRICS);
        return problems.length === 0 ? { done: true, value: undefined } : { done: false, seen: problems[0] };
      },
      { timeoutMs: ctx.timeout(3 * MIN), intervalMs: 10_000, clock: ctx.clock },
    );
  } catch (error) {
    if (text === undefined) throw error;
  }
  if (text === undefined) return;
  ctx.writeFile(join(ctx.workDir, `exporter-scrape-${pod}.txt`), text);
  const { samples } = parseExposition(text);
  ctx.measure("exporter.scrapeSamples", samples.length);
  ctx.measure("exporter.scrapeBytes", Buffer.byteLength(text));
  assertNone(`the exporter scrape of ${pod}`, checkScrape(text, EXPORTER_METRICS));
  ctx.say(`exporter on ${pod}: ${samples.length} samples; all ${EXPORTER_METRICS.length} metric names the dashboard and rules use are present`);
}

// ---------- 3. failover ----------

async function failover(ctx: StepContext, kind: "graceful" | "crash"): Promise<void> {
  const { config } = ctx;
  const rs = rs0(ctx);
  const hosts = dataMemberHosts(config, rs);
  const pod0 = `${dataStatefulSetName(rs)}-0`;
  await waitPrimary(ctx, hosts, hosts[0], ctx.timeout(TAKEOVER_MS));
  const stopProbe = await startProbe(ctx, kind, ctx.timeout(10 * MIN));
  await ctx.clock.sleep(2000);
  const killedAt = ctx.clock.now();
  // kubectl delete: https://kubernetes.io/docs/reference/kubectl/generated/kubectl_delete/ —
  // --grace-period=0 needs --force; graceful is the pod's own terminationGracePeriodSeconds.
  const args = kind === "graceful" ? ["delete", "pod", pod0, "-n", ns(ctx), "--wait=false"] : ["delete", "pod", pod0, "-n", ns(ctx), "--grace-period=0", "--force", "--wait=false"];
  ctx.say(`${kind}: ${quoteArgs("kubectl", args)}`);
  await ctx.kube.kubectl(args);
  const newPrimaryMs = await waitPrimary(ctx, hosts.slice(1), hosts[1], ctx.timeout(ELECTION_TIMEOUT_MS + FAILOVER_MARGIN_MS));
  ctx.measure(`${kind}.newPrimaryMs`, newPrimaryMs);
  ctx.say(`${kind}: ${hosts[1].split(".")[0]} primary ${formatDuration(newPrimaryMs)} after the delete`);
  await ctx.kube.waitPodsReady(ns(ctx), dataSelector(config, rs), rs.members.length, ctx.timeout(5 * MIN));
  const backMs = await waitPrimary(ctx, hosts, hosts[0], ctx.timeout(TAKEOVER_MS));
  ctx.say(`${kind}: pod 0 primary again ${formatDuration(backMs)} after it was Ready (priority ${rs.members[0].priority})`);
  const samples = await stopProbe();
  const gap = unwritableMs(samples, killedAt);
  assertNone(`${kind} failover writes`, gap === undefined ? [`no majority write succeeded after the ${kind} kill (${samples.length} attempts)`] : []);
  ctx.measure(`${kind}.unwritableMs`, gap!);
  ctx.say(`${kind}: longest time without a majority write: ${formatDuration(gap!)}`);
}

export const failoverStep: Step = {
  id: "failover",
  title: "failover by priority: graceful delete and crash of the primary, unwritable time",
  async run(ctx) {
    ctx.involve({ namespace: ns(ctx), selector: instanceSelector(ctx.config) });
    await failover(ctx, "graceful");
    await failover(ctx, "crash");
  },
};

// ---------- 4. migrations ----------

async function runCliJob(ctx: StepContext, name: string, bundle: string, args: string[], user: "migrator" | "root"): Promise<unknown> {
  const rs = rs0(ctx);
  // Foreground: the old run's pods are gone before the new Job's, so `logs -l` reads only the new one.
  await ctx.kube.kubectl(["delete", "job", name, "-n", ns(ctx), "--ignore-not-found", "--cascade=foreground", "--wait=true"]);
  const job = cliJob({ name, namespace: ns(ctx), bundle, args, secret: ctx.config.secrets[user], hosts: dataMemberHosts(ctx.config, rs), replicaSet: rs.name, ...(clientsUseTls(ctx.config.tls) ? { tls: ctx.config.tls } : {}) });
  ctx.involve({ namespace: ns(ctx), selector: `${E2E_LABEL}=${name}` });
  ctx.say(`Job ${name}: ${bundle} ${args.join(" ")}`);
  await ctx.kube.apply(job);
  let failure: unknown;
  await ctx.kube.waitJobComplete(ns(ctx), { selector: `${E2E_LABEL}=${name}` }, ctx.timeout(10 * MIN)).catch((e: unknown) => (failure = e));
  const log = await ctx.kube.kubectl(["logs", "-n", ns(ctx), "-l", `${E2E_LABEL}=${name}`, "--tail=-1"], { allowFailure: true });
  const doc = lastJsonLine(log.stdout);
  if (failure) throw new Error(`${(failure as Error).message}${doc ? `; its JSON: ${JSON.stringify(doc).slice(0, 400)}` : ""}`);
  if (doc === undefined) throw new Error(`Job ${name} printed no JSON result`);
  return doc;
}

export const migrationsStep: Step = {
  id: "migrations",
  title: "migrate up --json from a Job in the cluster, again (no change), check-queries",
  async run(ctx) {
    // The CLIs as one file each (esbuild bundles the driver with them), gzipped into a ConfigMap:
    // the cluster needs no image of this project, only node.
    for (const [bundle, entry] of [
      ["migrate", "migrations/cli/migrate-cli.ts"],
      ["check-queries", "migrations/cli/check-queries-cli.ts"],
    ]) {
      const out = join(ctx.workDir, `${bundle}.js`);
      const r = await ctx.runner.run(ctx.node, [join(ctx.projectDir, "scripts/bundle-cli.mjs"), entry, out]);
      if (r.code !== 0) throw new CommandError(`node scripts/bundle-cli.mjs ${entry}`, r);
    }
    await ctx.kube.kubectl(["delete", "configmap", CLI_CONFIG_MAP, "-n", ns(ctx), "--ignore-not-found"]);
    await ctx.kube.kubectl(["create", "configmap", CLI_CONFIG_MAP, "-n", ns(ctx), `--from-file=migrate.gz=${join(ctx.workDir, "migrate.js.gz")}`, `--from-file=check-queries.gz=${join(ctx.workDir, "check-queries.js.gz")}`]);

    const first = await runCliJob(ctx, "nyrkio-e2e-migrate-1", "migrate", ["up", "--json"], "migrator");
    assertNone("the first migrate up --json", checkMigrateUp(first as never, true));
    ctx.say(`migrate up: applied ${(first as { migrations: unknown[] }).migrations.length} migration(s)`);
    const second = await runCliJob(ctx, "nyrkio-e2e-migrate-2", "migrate", ["up", "--json"], "migrator");
    assertNone("the second migrate up --json", checkMigrateUp(second as never, false));
    ctx.say("migrate up again: nothing to apply");
    // Seeded mode creates and drops a scratch database: more than the migrator may do, so as root.
    const queries = await runCliJob(ctx, "nyrkio-e2e-check-queries", "check-queries", ["--json"], "root");
    assertNone("check-queries", checkQueryReport(queries as never));
    ctx.say(`check-queries: ${(queries as { patterns: unknown[] }).patterns.length} pattern(s), each uses an index`);
  },
};

// ---------- 5. point-in-time restore ----------

export function restoreTargetConfig(config: PlatformConfig): { name: string; namespace: string; override: Record<string, unknown> } {
  const namespace = `nyrkio-db-${RESTORE_ENV_NAME}`;
  return {
    name: RESTORE_ENV_NAME,
    namespace,
    // Runbook 6A: another name and namespace, backups off; the restore Job runs in the source's
    // namespace (the claim is there), so the target's NetworkPolicy admits that namespace.
    override: { name: RESTORE_ENV_NAME, kubernetes: { namespace, createNamespace: false }, backup: { enabled: false }, network: { clientNamespaces: [config.kubernetes.namespace], clientPods: [] } },
  };
}

export const restoreStep: Step = {
  id: "restore",
  title: "known writes, full dump and oplog slices from their CronJobs, restore into a fresh namespace, compare, verify",
  async run(ctx) {
    const { config } = ctx;
    const rs = rs0(ctx);
    ctx.involve({ namespace: ns(ctx), selector: selectorOf({ "nyrkio.io/backup-replset": rs.name }) });
    const uri = mongoUri(dataMemberHosts(config, rs), { replicaSet: rs.name });
    const write = async (w: (typeof PITR_AFTER_DUMP)[number]) => {
      const ts = (await mongo(ctx, ns(ctx), uri, "root", writeBody(PITR_DATABASE, PITR_COLLECTION, w))) as string;
      ctx.say(`${w.label}: oplog ${ts}`);
      return ts;
    };
    await mongo(ctx, ns(ctx), uri, "root", `db.getSiblingDB(${JSON.stringify(PITR_DATABASE)}).getCollection(${JSON.stringify(PITR_COLLECTION)}).drop(); return true;`);
    for (const w of PITR_BEFORE_DUMP) await write(w);
    await runFromCronJob(ctx, backupCronJobName(rs.name, "full"), "e2e-full", ctx.timeout(15 * MIN));
    let target = "";
    for (const w of PITR_AFTER_DUMP) {
      const ts = await write(w);
      if (w.label === PITR_TARGET_WRITE) target = ts;
      await ctx.clock.sleep(1100);
    }
    ctx.state.pitrWritten = true;
    await runFromCronJob(ctx, backupCronJobName(rs.name, "oplog"), "e2e-oplog", ctx.timeout(10 * MIN));

    // The catalog (manifests) out of the claim, as runbook step 3 does, then the plan with the project's CLI.
    const catalogJob = await runFromCronJob(ctx, backupCronJobName(rs.name, "catalog"), "e2e-catalog", ctx.timeout(5 * MIN));
    const log = await ctx.kube.kubectl(["logs", "-n", ns(ctx), `job/${catalogJob}`, "--tail=-1"]);
    const m = /-----BEGIN NYRKIO CATALOG[^\n]*\n([\s\S]*?)\n-----END NYRKIO CATALOG/.exec(log.stdout);
    if (!m) throw new Error(`the catalog Job ${catalogJob} printed no catalog block`);
    const catalogDir = join(ctx.workDir, "catalog");
    const tarball = join(ctx.workDir, "catalog.tar.gz");
    ctx.writeFile(tarball, Buffer.from(m[1].replace(/\s+/g, ""), "base64"));
    const untar = await ctx.runner.run("sh", ["-c", 'mkdir -p "$1" && tar -xzf "$2" -C "$1"', "sh", catalogDir, tarball]);
    if (untar.code !== 0) throw new CommandError("tar -xzf catalog.tar.gz", untar);
    const restoreCli = join(ctx.projectDir, "dist/backup/restore/restore-cli.js");
    const planArgs = [restoreCli, "plan", "--catalog", catalogDir, "--to", target, "--json"];
    ctx.say(`restore plan --catalog ${catalogDir} --to ${target} --json`);
    const plan = await ctx.runner.run(ctx.node, planArgs);
    if (plan.code !== 0) throw new CommandError(quoteArgs("restore", planArgs.slice(1)), plan);
    const planFile = join(ctx.workDir, "plan.json");
    ctx.writeFile(planFile, plan.stdout);

    // A fresh namespace with the source's Secrets (its root lets the source's restore-user Job create the temporary user there).
    const t = restoreTargetConfig(config);
    const exists = await ctx.kube.kubectl(["get", "namespace", t.namespace], { allowFailure: true });
    if (exists.code === 0) throw new Error(`namespace ${t.namespace} exists already: the restore must go into a fresh one; delete it first`);
    await ctx.kube.kubectl(["create", "namespace", t.namespace]);
    ctx.state.createdNamespaces.push(t.namespace);
    for (const secret of Object.values(config.secrets)) {
      const s = await ctx.kube.getJson<{ type?: string; data?: Record<string, string> }>(["secret", secret, "-n", ns(ctx)]);
      await ctx.kube.apply({ apiVersion: "v1", kind: "Secret", metadata: { name: secret, namespace: t.namespace }, type: s.type, data: s.data });
    }
    const targetConfig = { ...config, name: t.name, kubernetes: { ...config.kubernetes, namespace: t.namespace, createNamespace: false } } as PlatformConfig;
    ctx.involve({ namespace: t.namespace, selector: instanceSelector(targetConfig) });
    await cdktfDeploy(ctx, databaseStackName(targetConfig), "dev", t.override, "deploy-restore-target");
    await ctx.kube.waitPodsReady(t.namespace, dataSelector(targetConfig, rs), rs.members.length, ctx.timeout(10 * MIN));
    await ctx.kube.waitJobComplete(t.namespace, { selector: selectorOf({ "app.kubernetes.io/instance": databaseStackName(targetConfig), "app.kubernetes.io/component": "reconcile" }) }, ctx.timeout(10 * MIN));

    // Runbook 6C: the plan ConfigMap, then the restore Job from its suspended CronJob.
    const planMap = restorePlanConfigMapName(rs.name);
    await ctx.kube.kubectl(["delete", "configmap", planMap, "-n", ns(ctx), "--ignore-not-found"]);
    await ctx.kube.kubectl(["create", "configmap", planMap, "-n", ns(ctx), `--from-file=plan.json=${planFile}`, `--from-literal=target=${rs.name}/${dataMemberHosts(targetConfig, rs).join(",")}`]);
    // The restore's temporary user (issue 12): its Secret, then the short Job that creates it on the target.
    const credentials = restoreCredentialsSecretName(rs.name);
    await ctx.kube.kubectl(["delete", "secret", credentials, "-n", ns(ctx), "--ignore-not-found"]);
    // The password goes through a private file, never argv.
    const secretDir = mkdtempSync(join(tmpdir(), "e2e-restore-user-"));
    try {
      writeFileSync(join(secretDir, "password"), randomBytes(24).toString("base64url"), { mode: 0o600 });
      await ctx.kube.kubectl(["create", "secret", "generic", credentials, "-n", ns(ctx), `--from-literal=username=restore-${randomBytes(12).toString("hex")}`, `--from-file=password=${join(secretDir, "password")}`]);
    } finally {
      rmSync(secretDir, { recursive: true, force: true });
    }
    await runFromCronJob(ctx, restoreUserCronJobName(rs.name), "e2e-restore-user", ctx.timeout(5 * MIN));
    await runFromCronJob(ctx, backupCronJobName(rs.name, "restore"), "e2e-restore", ctx.timeout(20 * MIN));
    await ctx.kube.kubectl(["delete", "secret", credentials, "-n", ns(ctx), "--ignore-not-found"]);

    await ensurePod(ctx, toolboxPod(targetConfig, t.namespace));
    const restored = (await mongo(ctx, t.namespace, mongoUri(dataMemberHosts(targetConfig, rs), { replicaSet: rs.name }), "root",
      `return db.getSiblingDB(${JSON.stringify(PITR_DATABASE)}).getCollection(${JSON.stringify(PITR_COLLECTION)}).find().sort({ _id: 1 }).toArray();`)) as Doc[];
    assertNone(`the restored ${PITR_COLLECTION} at ${target}`, compareDocuments(expectedAtTarget(), restored));
    ctx.say(`restored to ${target}: ${restored.length} document(s), each as expected`);

    await runFromCronJob(ctx, backupCronJobName(rs.name, "verify"), "e2e-verify", ctx.timeout(20 * MIN));
    ctx.say("verification Job passed");
  },
};

// ---------- 6. day-2 ----------

export const day2Step: Step = {
  id: "day2",
  title: "priority change (reconfig, no restart), memory change (rolling restart keeps a primary), drain under the PDB",
  async run(ctx) {
    const { config } = ctx;
    const rs = rs0(ctx);
    const sel = dataSelector(config, rs);
    ctx.involve({ namespace: ns(ctx), selector: instanceSelector(config) });

    const before = await podUids(ctx, sel);
    const raised = priorityChange(rs);
    await cdktfDeploy(ctx, databaseStackName(config), "dev", { replsets: [raised] }, "day2-priority");
    const { conf } = await replicaSetState(ctx, config, rs);
    const member0 = conf.members.find((m) => m.host === dataMemberHost(config, rs, 0));
    const after = await podUids(ctx, sel);
    assertNone("the priority change", [
      ...(member0?.priority === raised.members[0].priority ? [] : [`pod 0's priority is ${member0?.priority}, expected ${raised.members[0].priority}`]),
      ...[...before].filter(([pod, uid]) => after.get(pod) !== uid).map(([pod]) => `${pod} was restarted by a priority change`),
    ]);
    ctx.say(`priority of pod 0 is ${member0?.priority}; no pod restarted`);

    const bigger = memoryChange(raised);
    const stopProbe = await startProbe(ctx, "rolling", ctx.timeout(30 * MIN));
    const rolledAt = ctx.clock.now();
    await cdktfDeploy(ctx, databaseStackName(config), "dev", { replsets: [bigger] }, "day2-memory");
    await ctx.kube.waitPodsReady(ns(ctx), sel, rs.members.length, ctx.timeout(10 * MIN));
    const rolled = await podUids(ctx, sel);
    const samples = await stopProbe();
    const gap = unwritableMs(samples, rolledAt);
    assertNone("the memory change", [
      ...[...before].filter(([pod, uid]) => rolled.get(pod) === uid).map(([pod]) => `${pod} was not restarted by a resource change`),
      ...(gap === undefined ? ["no majority write succeeded after the rolling restart began"] : gap > ctx.timeout(ELECTION_TIMEOUT_MS + FAILOVER_MARGIN_MS) ? [`no writable primary for ${formatDuration(gap)} during the rolling restart`] : []),
    ]);
    ctx.measure("rolling.unwritableMs", gap!);
    ctx.say(`rolling restart done; longest time without a majority write ${formatDuration(gap!)}`);

    // Drain pod 1's node, evicting pod 1 only: the node is cordoned, and no other voting member that
    // the scheduler may have put on the same node (the spread is only preferred in dev) is evicted
    // with it; the toolbox, a bare pod, would stop a drain without --force. The StatefulSet
    // controller labels each pod with its name:
    // https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#pod-name-label
    const pod1 = `${dataStatefulSetName(rs)}-1`;
    const pods = await ctx.kube.pods(ns(ctx), sel);
    const secondary = pods.items.find((p) => p.metadata.name === pod1) as PodJson;
    const node = secondary.spec?.nodeName ?? "";
    const drain = ["drain", node, "--ignore-daemonsets", "--delete-emptydir-data", `--pod-selector=statefulset.kubernetes.io/pod-name=${pod1}`, `--timeout=${Math.round(ctx.timeout(5 * MIN) / 1000)}s`];
    ctx.say(quoteArgs("kubectl", drain));
    await ctx.kube.kubectl(drain);
    try {
      const pdb = await ctx.kube.getJson<{ status?: { disruptionsAllowed?: number } }>(["pdb", dataStatefulSetName(rs), "-n", ns(ctx)]);
      // The Eviction API as drain uses it: refused (429) while a voting member is down.
      // https://kubernetes.io/docs/concepts/scheduling-eviction/api-eviction/
      const eviction = { apiVersion: "policy/v1", kind: "Eviction", metadata: { name: `${dataStatefulSetName(rs)}-0`, namespace: ns(ctx) } };
      const evictFile = join(ctx.workDir, "eviction.json");
      ctx.writeFile(evictFile, JSON.stringify(eviction));
      const evict = await ctx.kube.kubectl(["create", "--raw", `/api/v1/namespaces/${ns(ctx)}/pods/${dataStatefulSetName(rs)}-0/eviction`, "-f", evictFile], { allowFailure: true });
      assertNone("the PodDisruptionBudget while a member is drained", [
        ...(pdb.status?.disruptionsAllowed === 0 ? [] : [`disruptionsAllowed is ${pdb.status?.disruptionsAllowed}, expected 0 with a member down`]),
        ...(evict.code !== 0 && /disruption budget|429|TooManyRequests/i.test(evict.stderr) ? [] : [`evicting pod 0 with a member down was not refused by the budget: ${evict.stderr.trim() || "it succeeded"}`]),
      ]);
      ctx.say("PDB held: disruptionsAllowed 0, a second eviction refused");
    } finally {
      await ctx.kube.kubectl(["uncordon", node]);
    }
    await ctx.kube.waitPodsReady(ns(ctx), sel, rs.members.length, ctx.timeout(10 * MIN));
    await waitFor(
      `${secondary.metadata.name} to catch up`,
      async () => {
        const { status } = await replicaSetState(ctx, config, rs);
        const { state, lagMs } = memberLag(status, dataMemberHost(config, rs, 1));
        return state === "SECONDARY" && lagMs !== undefined && lagMs <= 10_000 ? { done: true, value: lagMs } : { done: false, seen: `${state}, lag ${lagMs ?? "unknown"} ms` };
      },
      { timeoutMs: ctx.timeout(10 * MIN), intervalMs: 2000, clock: ctx.clock },
    );
    ctx.say(`${secondary.metadata.name} recovered on ${node} and caught up`);
  },
};

// ---------- 7. scale-out ----------

export const scaleOutStep: Step = {
  id: "scale-out",
  title: "convert to the sharded topology in place; mongos routes, shard keys, the data is there",
  async run(ctx) {
    const { config } = ctx;
    ctx.involve({ namespace: ns(ctx), selector: instanceSelector(config) });
    const collections = ctx.shardedConfig.sharding.collections;
    const steps = conversionOverrides(config, collections);
    const uidBefore = (await ctx.kube.getJson<{ metadata: { uid: string } }>(["statefulset", dataStatefulSetName(rs0(ctx)), "-n", ns(ctx)])).metadata.uid;
    for (const [i, override] of steps.entries()) {
      await cdktfDeploy(ctx, databaseStackName(config), "dev", override, `convert-${i}`);
      const replsets = override.replsets as ReplsetConfig[];
      for (const rs of replsets) await ctx.kube.waitPodsReady(ns(ctx), dataSelector(config, rs), rs.members.length, ctx.timeout(15 * MIN));
      if (i > 0) {
        await ctx.kube.waitPodsReady(ns(ctx), dataSelector(config, CONFIG_SERVER_REPLSET), config.sharding.configServer.members, ctx.timeout(15 * MIN));
        await ctx.kube.waitPodsReady(ns(ctx), selectorOf({ "app.kubernetes.io/instance": databaseStackName(config), "app.kubernetes.io/component": "mongos" }), config.sharding.mongos.replicas, ctx.timeout(10 * MIN));
        await ctx.kube.waitJobComplete(ns(ctx), { selector: selectorOf({ ...commonLabels(config), "app.kubernetes.io/component": "sharding" }) }, ctx.timeout(15 * MIN));
      }
      ctx.say(`conversion deploy ${i} done`);
    }
    const uidAfter = (await ctx.kube.getJson<{ metadata: { uid: string } }>(["statefulset", dataStatefulSetName(rs0(ctx)), "-n", ns(ctx)])).metadata.uid;
    const viaMongos = mongoUri([mongosHost(config)]);
    const r = (await mongo(ctx, ns(ctx), viaMongos, "root",
      `const shards = db.adminCommand({ listShards: 1 }).shards.map((s) => s._id);
       const keys = db.getSiblingDB("config").getCollection("collections").find({ _id: /^${config.database}\\./ }).toArray().map((c) => ({ ns: c._id, key: c.key }));
       const docs = db.getSiblingDB(${JSON.stringify(PITR_DATABASE)}).getCollection(${JSON.stringify(PITR_COLLECTION)}).find().sort({ _id: 1 }).toArray();
       return { shards, keys, docs };`)) as { shards: string[]; keys: { ns: string; key: Record<string, number> }[]; docs: Doc[] };
    const problems: string[] = [];
    if (uidAfter !== uidBefore) problems.push(`the StatefulSet ${dataStatefulSetName(rs0(ctx))} was replaced (uid ${uidBefore} → ${uidAfter})`);
    for (const s of ["rs0", "rs1"]) if (!r.shards.includes(s)) problems.push(`listShards through ${MONGOS_NAME} has no ${s}: ${r.shards.join(", ")}`);
    for (const c of collections) {
      const live = r.keys.find((k) => k.ns === `${config.database}.${c.name}`);
      if (!live || JSON.stringify(live.key) !== JSON.stringify(c.key)) problems.push(`${config.database}.${c.name} is sharded on ${JSON.stringify(live?.key)}, expected ${JSON.stringify(c.key)}`);
    }
    if (ctx.state.pitrWritten) problems.push(...compareDocuments(applyWrites([...PITR_BEFORE_DUMP, ...PITR_AFTER_DUMP]), r.docs));
    assertNone("the sharded cluster", problems);
    ctx.say(`mongos routes to ${r.shards.join(", ")}; shard keys set; ${r.docs.length} document(s) of the restore step still there`);
  },
};

export const STEPS: readonly Step[] = [clusterStep, deployStep, failoverStep, migrationsStep, restoreStep, day2Step, scaleOutStep];
