// What the run creates in the cluster besides the stacks (pure): the in-cluster Job that runs the
// project's migrate / check-queries CLIs as CI's runner would, the config overrides of each deploy,
// the mongosh bodies of the known writes and the write probe.
import type { PlatformConfig, ReplsetConfig } from "../config/platform-config";
import { DB_CLIENT_LABEL } from "../stacks/naming";
import type { Write } from "./checks";
import { NODE_IMAGE_UID, restrictedContainer, restrictedPod } from "./pod-security";
import { TLS_CLIENT_CA_DIR, uriTlsOptions, type TlsConfig } from "../config/tls";
import { E2E_LABEL } from "./toolbox";



/** The image the CLI Job runs in: Node as the project's engines field asks (>= 20.19). */
export const NODE_IMAGE = "node:20.19-alpine";
export const CLI_CONFIG_MAP = "nyrkio-e2e-cli";

/**
 * A Job running one of the project's CLIs (bundled, gzipped, from CLI_CONFIG_MAP) against the
 * replica set, as `user` from its Secret. The connection string is written to a file inside the
 * pod (--uri-file): the password never appears in the Job's spec or on a command line.
 */
/**
 * A Job that runs one of the project's CLIs in the cluster, as CI would. With clients on TLS
 * (`tls`: config.tls), it mounts the CA alone and its connection string carries
 * tls=true&tlsCAFile (config/tls.ts uriTlsOptions), which every CLI reads.
 */
export function cliJob(opts: { name: string; namespace: string; bundle: string; args: readonly string[]; secret: string; hosts: readonly string[]; replicaSet: string; tls?: TlsConfig }) {
  const tlsOptions = opts.tls ? Object.entries(uriTlsOptions(opts.tls)).map(([k, v]) => `&${k}=${v}`).join("") : "";
  const caSecret = tlsOptions && opts.tls?.certificates ? opts.tls.certificates.secretName : undefined;
  const labels = { "app.kubernetes.io/name": "nyrkio-e2e", [E2E_LABEL]: opts.name, ...DB_CLIENT_LABEL };
  const uriScript =
    'const e=encodeURIComponent;require("fs").writeFileSync("/tmp/uri",' +
    '"mongodb://"+e(process.env.DB_USER)+":"+e(process.env.DB_PASSWORD)+"@"+process.env.DB_HOSTS+"/?authSource=admin&replicaSet="+process.env.DB_REPLSET+(process.env.DB_TLS_OPTIONS||"")+"\\n",{mode:0o600})';
  const cliArgs = opts.args.map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name: opts.name, namespace: opts.namespace, labels },
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: 900,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: "Never",
          securityContext: restrictedPod(NODE_IMAGE_UID),
          containers: [
            {
              name: "cli",
              image: NODE_IMAGE,
              securityContext: restrictedContainer(NODE_IMAGE_UID),
              command: ["sh", "-c", `set -e; gunzip -c /cli/${opts.bundle}.gz > /tmp/cli.js; node -e '${uriScript}'; exec node /tmp/cli.js ${cliArgs} --uri-file /tmp/uri`],
              env: [
                { name: "DB_USER", valueFrom: { secretKeyRef: { name: opts.secret, key: "username" } } },
                { name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: opts.secret, key: "password" } } },
                { name: "DB_HOSTS", value: opts.hosts.join(",") },
                { name: "DB_REPLSET", value: opts.replicaSet },
                ...(tlsOptions ? [{ name: "DB_TLS_OPTIONS", value: tlsOptions }] : []),
              ],
              volumeMounts: [{ name: "cli", mountPath: "/cli", readOnly: true }, ...(caSecret ? [{ name: "tls-ca", mountPath: TLS_CLIENT_CA_DIR, readOnly: true }] : [])],
            },
          ],
          volumes: [{ name: "cli", configMap: { name: CLI_CONFIG_MAP } }, ...(caSecret ? [{ name: "tls-ca", secret: { secretName: caSecret, items: [{ key: "ca.crt", path: "ca.crt" }] } }] : [])],
        },
      },
    },
  };
}

/** The last line of a Job's log that is a JSON object (the CLIs print progress before it). */
export function lastJsonLine(log: string): unknown {
  const line = log
    .split("\n")
    .map((l) => l.trim())
    .reverse()
    .find((l) => l.startsWith("{") && l.endsWith("}"));
  if (line === undefined) return undefined;
  try {
    return JSON.parse(line) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * A config override (NYRKIO_DB_CONFIG) that points the provider at the run's kubeconfig and
 * context, plus `extra`. The path is needed: the kubernetes provider has no default kubeconfig
 * since 2.0 (hashicorp/terraform-provider-kubernetes#1052: "remove default of ~/.kube/config for config_path").
 */
export function overrideFor(target: { kubeconfig: string; context?: string }, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const kube = (extra.kubernetes ?? {}) as Record<string, unknown>;
  return { ...extra, kubernetes: { ...kube, configPath: target.kubeconfig, ...(target.context ? { configContext: target.context } : {}) } };
}

/** The kubeconfig kubectl and kind use: the first file of KUBECONFIG, else ~/.kube/config. */
export function kubeconfigPath(env: Readonly<Record<string, string | undefined>>): string {
  const first = (env.KUBECONFIG ?? "").split(":").find((p) => p !== "");
  return first ?? `${env.HOME ?? ""}/.kube/config`;
}

/** Day-2: pod 0's priority raised by one (a reconfig, no restart). */
export function priorityChange(rs: ReplsetConfig): ReplsetConfig {
  return { ...rs, members: rs.members.map((m, i) => (i === 0 ? { ...m, priority: m.priority + 1 } : m)) };
}

/** Day-2: the data members' memory request and limit up by a quarter (a rolling restart). */
export function memoryChange(rs: ReplsetConfig): ReplsetConfig {
  const bump = (q: string | undefined) => {
    const m = /^(\d+)(Mi|Gi)$/.exec(q ?? "");
    if (!m) throw new Error(`day-2: cannot raise the memory quantity ${JSON.stringify(q)} (expected <n>Mi or <n>Gi)`);
    const mi = Number(m[1]) * (m[2] === "Gi" ? 1024 : 1);
    return `${Math.round(mi * 1.25)}Mi`;
  };
  const r = rs.resources;
  return { ...rs, resources: { ...r, requests: { ...r.requests, memory: bump(r.requests.memory) }, limits: { ...r.limits, memory: bump(r.limits.memory) } } };
}

/**
 * The conversion runbook's three deploys (docs/runbooks/convert-to-sharded.md) as overrides of
 * the config `base`: 0 three data members and no arbiter, 1 sharding on with rs0 as the only
 * shard, 2 a second shard and the sharded collections (the `sharded` environment's keys).
 */
export function conversionOverrides(base: PlatformConfig, shardedCollections: PlatformConfig["sharding"]["collections"]): Record<string, unknown>[] {
  const rs0 = base.replsets[0];
  const three = { ...rs0, members: [...rs0.members, { priority: 1, votes: 1 as const }].slice(0, 3), arbiter: { ...rs0.arbiter, enabled: false } };
  const rs1 = { ...three, name: "rs1" };
  return [
    { replsets: [three] },
    { replsets: [three], sharding: { enabled: true, collections: [] } },
    { replsets: [three, rs1], sharding: { enabled: true, collections: shardedCollections } },
  ];
}

/** mongosh body for one known write, returning the oplog timestamp at or after it ("t:i"). */
export function writeBody(database: string, collection: string, w: Write): string {
  const one = (s: Exclude<Write, { op: "transaction" }>, c: string) => {
    if (s.op === "insert") return `${c}.insertMany(${JSON.stringify(s.docs)});`;
    if (s.op === "update") return `${c}.updateOne({ _id: ${s.id} }, { $set: ${JSON.stringify(s.set)} });`;
    return `${c}.deleteOne({ _id: ${s.id} });`;
  };
  const coll = `db.getSiblingDB(${JSON.stringify(database)}).getCollection(${JSON.stringify(collection)})`;
  const write =
    w.op === "transaction"
      ? `const s = db.getMongo().startSession(); s.startTransaction({ writeConcern: { w: "majority" } }); const c = s.getDatabase(${JSON.stringify(database)}).getCollection(${JSON.stringify(collection)}); ${w.steps.map((st) => one(st, "c")).join(" ")} s.commitTransaction(); s.endSession();`
      : one(w, coll);
  // The newest oplog entry right after the write is at or after it, and before the next write.
  return `${write} const e = db.getSiblingDB("local").getCollection("oplog.rs").find({}).sort({ $natural: -1 }).limit(1).next(); return e.ts.getHighBits() + ":" + e.ts.getLowBits();`;
}

/**
 * The write probe, run in the background in the toolbox: a majority write every 200 ms, one line
 * per attempt ("ok <ms>" / "err <ms> <reason>"), until the stop file exists or `maxMs` passed.
 */
export function probeBody(stopFile: string, maxMs: number): string {
  return `const fs = require("fs"); const end = Date.now() + ${maxMs}; const c = db.getSiblingDB("nyrkio_e2e").getCollection("write_probe");
while (Date.now() < end && !fs.existsSync(${JSON.stringify(stopFile)})) { const t = Date.now();
  try { c.insertOne({ at: new Date(t) }, { writeConcern: { w: "majority", wtimeout: 2000 } }); print("ok " + t); }
  catch (e) { print("err " + t + " " + (e.codeName || e.name || "error")); }
  sleep(200); }`;
}
