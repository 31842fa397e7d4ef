// Issue 15, "every client verifies the server's certificate and host name": a scan of every
// synthesized stack (database and backup) of every shipped environment, with requireTLS, and of
// every script the stacks embed. It proves that
//   - every container that connects to the database (it holds credentials, runs the member
//     probes, or names a server) mounts the CA alone (`ca.crt` of the certificate Secret, through
//     `items`, at TLS_CLIENT_CA_DIR, never with subPath) and gets TLS_CA_FILE_ENV when it runs a
//     script;
//   - every connection string in env, args, commands, probes and ConfigMap data carries
//     tls=true and tlsCAFile=TLS_CLIENT_CA_FILE, and every mongosh argv without one carries
//     mongoshTlsArgs;
//   - every script that opens a connection gets its TLS settings one of the reviewed ways below,
//     and spells them exactly as config/tls.ts does (the bash and JS spellings are compared with
//     uriTlsOptions and toolsTlsArgs here);
//   - with TLS off (every mode below preferTLS) none of it is there.
// The scripts' behaviour under TLS is tested where they run: test/bats/replica-set (probe,
// bootstrap), test/bats/backup (mongodump, mongorestore against a requireTLS stand-in),
// test/stacks/member-mongosh-scripts.test.ts, test/replicaset/reconcile-script.test.ts,
// test/backup/mongosh/member-scripts.test.ts.

import { MONGOS_TLS_MODE_ANNOTATION } from "../../stacks/constructs/sharding/mongos";
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { environments } from "../../config/environments";
import type { PlatformConfig } from "../../config/platform-config";
import {
  TLS_CA_FILE_ENV,
  TLS_CLIENT_CA_DIR,
  TLS_CLIENT_CA_FILE,
  TLS_SECRET_DIR,
  type TlsConfig,
  mongoshTlsArgs,
  toolsTlsArgs,
  uriTlsOptions,
  withUriTlsOptions,
} from "../../config/tls";
import { POD_SCRIPTS, PodScript, podScriptText } from "../../stacks/constructs/pod-scripts";
import { TLS_MODE_FILE as MEMBER_TLS_MODE_FILE } from "../../stacks/constructs/tls-client";
import { TLS_MODE_FILE as SERVER_TLS_MODE_FILE } from "../../stacks/constructs/tls-server";
import { synthBackup } from "../backup/stack/support";
import { Json, synthDatabase } from "../stacks/database-synth";

const REPO = path.join(__dirname, "..", "..");
const CERT_SECRET = "mongodb-tls";
const REQUIRE_TLS: TlsConfig = { mode: "requireTLS", certificates: { source: "secret", secretName: CERT_SECRET }, memberAuth: "keyFile", clientsMigrated: true };
const withTls = (config: PlatformConfig, tls: TlsConfig): PlatformConfig => ({ ...structuredClone(config), tls });

/** Every pod spec in a synthesized stack, wherever it sits (StatefulSet, Deployment, Job, CronJob): an object with a `container` list. */
function podSpecs(value: Json, at = ""): { where: string; spec: Json }[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => podSpecs(v, `${at}[${i}]`));
  if (!value || typeof value !== "object") return [];
  const here = Array.isArray(value.container) && value.container.every((c: Json) => typeof c?.image === "string") ? [{ where: at, spec: value }] : [];
  return [...here, ...Object.entries(value).flatMap(([k, v]) => podSpecs(v, at ? `${at}.${k}` : k))];
}

/** Every string in a JSON value. */
function strings(value: Json): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === "object") return Object.values(value).flatMap(strings);
  return [];
}

/** Every connection string in a text (up to a quote, white space or the end). */
const uris = (text: string) => text.match(/mongodb(\+srv)?:\/\/[^\s"'`]*/g) ?? [];

interface Client {
  where: string;
  container: Json;
  spec: Json;
}

/** The credential volumes of a pod: Secrets projected as username/password. */
function credentialVolumes(spec: Json): Set<string> {
  return new Set((spec.volume ?? []).filter((v: Json) => (v.secret?.items ?? []).some((i: Json) => i.key === "password")).map((v: Json) => v.name));
}

/**
 * The server side's own TLS containers: tls-assemble (init) and tls-rotate (sidecar) mount the whole
 * certificate Secret at TLS_SECRET_DIR and verify their own server with its ca.crt, not the client CA
 * volume. They are checked by test/stacks/tls-server.test.ts and test/stacks/tls-sidecar.test.ts.
 */
const SERVER_TLS_CONTAINERS = ["tls-assemble", "tls-rotate"];

/** The containers that connect to the database: they hold a credential, run exec probes, or name a server. */
function clients(stack: Json): Client[] {
  return podSpecs(stack).flatMap(({ where, spec }) => {
    const creds = credentialVolumes(spec);
    return [...(spec.init_container ?? []), ...spec.container]
      .filter((c: Json) => !SERVER_TLS_CONTAINERS.includes(c.name))
      .filter((c: Json) => {
        const text = strings([c.command, c.args, c.env]).join("\n");
        const mountsCredentials = (c.volume_mount ?? []).some((m: Json) => creds.has(m.name));
        const secretEnv = (c.env ?? []).some((e: Json) => e.value_from?.secret_key_ref);
        const probes = [c.startup_probe, c.readiness_probe, c.liveness_probe].some((p: Json) => p?.exec);
        return mountsCredentials || secretEnv || probes || uris(text).length > 0 || /\bmongo(sh|dump|restore)\b/.test(strings([c.command, c.args]).join(" "));
      })
      .map((container: Json) => ({ where: `${where} ${container.name}`, container, spec }));
  });
}

/** The argv lists of a container: command+args, and each exec probe. */
function argvs(c: Json): string[][] {
  const out = [[...(c.command ?? []), ...(c.args ?? [])]];
  for (const p of [c.startup_probe, c.readiness_probe, c.liveness_probe]) if (p?.exec) out.push(p.exec[0]?.command ?? p.exec.command ?? []);
  return out;
}

const stacks = (config: PlatformConfig) => [
  { name: "database", json: synthDatabase(config).json },
  { name: "backup", json: synthBackup(config).json },
];

describe.each(Object.keys(environments))("%s with requireTLS: every client connection verifies the server", (env) => {
  const config = withTls(environments[env], REQUIRE_TLS);
  const synthesized = stacks(config);
  const all = synthesized.flatMap((s) => clients(s.json).map((c) => ({ ...c, where: `${s.name}: ${c.where}` })));

  it("finds the clients it must (members, reconcile, retention, backups, restore, exporter and, when sharded, mongos and the sharding Job)", () => {
    const names = new Set(all.map((c) => c.container.name));
    for (const expected of ["mongod", "bootstrap", "reconcile", "retention", "full-dump", "oplog-slice", "restore"]) expect(names).toContain(expected);
    if (config.monitoring.enabled) expect(names).toContain("exporter");
    if (config.sharding.enabled) for (const expected of ["mongos", "sharding"]) expect(names).toContain(expected);
  });

  it("every client mounts the CA alone, at TLS_CLIENT_CA_DIR, from the certificate Secret's ca.crt through items, never with subPath", () => {
    for (const { where, container, spec } of all) {
      const mounts = (container.volume_mount ?? []).filter((m: Json) => m.mount_path === TLS_CLIENT_CA_DIR);
      expect({ where, mounts: mounts.length }).toEqual({ where, mounts: 1 });
      expect({ where, subPath: mounts[0].sub_path, readOnly: mounts[0].read_only }).toEqual({ where, subPath: undefined, readOnly: true });
      const volume = (spec.volume ?? []).find((v: Json) => v.name === mounts[0].name);
      expect({ where, secret: volume?.secret }).toEqual({ where, secret: { secret_name: CERT_SECRET, default_mode: "0444", items: [{ key: "ca.crt", path: "ca.crt" }] } });
    }
  });

  it("no client pod exposes the certificate Secret other than as ca.crt (never tls.key)", () => {
    for (const { where, spec } of all) {
      for (const v of spec.volume ?? []) {
        if (v.secret?.secret_name !== CERT_SECRET) continue;
        // The server's own containers (mongod, mongos) mount the whole Secret for net.tls: that is the servers' part (t15a), not a client's.
        const users = [...(spec.init_container ?? []), ...spec.container].filter((c: Json) => (c.volume_mount ?? []).some((m: Json) => m.name === v.name));
        // Mounted whole, at TLS_SECRET_DIR only, by the server's own containers (mongod, mongos, the
        // init container that assembles their PEM and the rotation sidecar); every other mount is the CA alone.
        for (const c of users) {
          for (const m of (c.volume_mount ?? []).filter((m: Json) => m.name === v.name)) {
            if (v.secret.items === undefined) {
              expect({ where, container: c.name, path: m.mount_path }).toEqual({ where, container: c.name, path: TLS_SECRET_DIR });
              expect(["mongod", "mongos", ...SERVER_TLS_CONTAINERS]).toContain(c.name);
            } else {
              expect({ where, container: c.name, items: v.secret.items }).toEqual({ where, container: c.name, items: [{ key: "ca.crt", path: "ca.crt" }] });
            }
          }
        }
      }
    }
  });

  it("every connection string in env, args, commands and probes carries tls=true and tlsCAFile; every mongosh argv without one carries mongoshTlsArgs", () => {
    const tlsQuery = new RegExp(`[?&]tls=true&tlsCAFile=${TLS_CLIENT_CA_FILE.replace(/[./]/g, "\\$&")}(&|$)`);
    let checked = 0;
    for (const { where, container } of all) {
      for (const uri of uris(strings([container.command, container.args, container.env, container.startup_probe, container.readiness_probe, container.liveness_probe]).join("\n"))) {
        expect({ where, uri, tls: tlsQuery.test(uri) }).toEqual({ where, uri, tls: true });
        checked++;
      }
      for (const argv of argvs(container)) {
        if (argv[0] !== "mongosh" || argv.includes("--nodb") || argv.some((a: string) => a.startsWith("mongodb://"))) continue;
        const flags = mongoshTlsArgs(REQUIRE_TLS);
        const at = argv.indexOf(flags[0]);
        expect({ where, argv: at >= 0 ? argv.slice(at, at + flags.length) : argv }).toEqual({ where, argv: flags });
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(0);
  });

  it("every container that runs a pod script (bash <script>, or the probes) gets TLS_CA_FILE_ENV = TLS_CLIENT_CA_FILE", () => {
    for (const { where, container } of all) {
      // run-mongod.sh starts the server itself (mongod, or mongos with TLS): not a client.
      const runsScript = argvs(container).some((argv) => argv[0] === "bash" && !String(argv[1]).endsWith("/run-mongod.sh"));
      if (!runsScript) continue;
      const env = Object.fromEntries((container.env ?? []).filter((e: Json) => e.value !== undefined).map((e: Json) => [e.name, e.value]));
      // The sharding Job's scripts connect only through MONGOS_URI, checked above.
      if (container.name === "sharding") continue;
      expect({ where, env: env[TLS_CA_FILE_ENV] }).toEqual({ where, env: TLS_CLIENT_CA_FILE });
    }
  });

  it("every connection string in ConfigMap data outside the scripts (the retention parameters) carries tls=true and tlsCAFile", () => {
    let checked = 0;
    for (const s of synthesized) {
      for (const [id, cm] of Object.entries((s.json.resource?.kubernetes_config_map_v1 ?? {}) as Record<string, Json>)) {
        for (const [key, text] of Object.entries((cm.data ?? {}) as Record<string, string>)) {
          if (!key.endsWith(".json")) continue;
          for (const uri of uris(text)) {
            expect({ id, key, uri, tls: uri.includes(`tls=true&tlsCAFile=${TLS_CLIENT_CA_FILE}`) }).toEqual({ id, key, uri, tls: true });
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(0);
  });

  it("the published connection info says tls=true and where the CA is (the Secret and its key)", () => {
    const data = (Object.values(synthesized[0].json.resource.kubernetes_config_map_v1) as Json[]).find((cm) => cm.data?.connectionString)?.data;
    expect(data).toMatchObject({ tls: "true", tlsCASecret: CERT_SECRET, tlsCAKey: "ca.crt" });
    expect(data.connectionString).toMatch(/[?&]tls=true(&|$)/);
    expect(data.analyticsConnectionString).toMatch(/[?&]tls=true(&|$)/);
    expect(synthesized[0].json.output).toMatchObject({ mongodb_tls: { value: "true" }, mongodb_tls_ca_secret: { value: CERT_SECRET }, mongodb_tls_ca_key: { value: "ca.crt" } });
  });
});

describe.each(Object.keys(environments))("%s: the database's own pods do not change while the mode is raised", (env) => {
  // Moving among allowTLS, preferTLS and requireTLS must restart no member (the mode is raised live):
  // the member pods carry their client parts whenever the server has TLS, and their connections to
  // peers read the mode at run time (tls-client.ts memberTlsClientParts). mongos alone rolls on a
  // step: its template names the mode (MONGOS_TLS_MODE_ANNOTATION, test/stacks/tls-sidecar.test.ts);
  // apart from that annotation its template stays the same too.
  const templates = (mode: TlsConfig["mode"]) => {
    const json = synthDatabase(withTls(environments[env], { ...REQUIRE_TLS, mode })).json;
    const mongos = (Object.values(json.resource.kubernetes_deployment_v1 ?? {}) as Json[]).map((r) => structuredClone(r.spec.template));
    for (const t of mongos) {
      expect(t.metadata.annotations[MONGOS_TLS_MODE_ANNOTATION]).toBe(mode);
      delete t.metadata.annotations[MONGOS_TLS_MODE_ANNOTATION];
    }
    return [...Object.values(json.resource.kubernetes_stateful_set_v1 ?? {}).map((r: Json) => r.spec.template), ...mongos];
  };
  it("the member pods' mode file is the one the servers' part mounts (tls-server.ts TLS_MODE_FILE)", () => {
    expect(MEMBER_TLS_MODE_FILE).toBe(SERVER_TLS_MODE_FILE);
  });

  it("the StatefulSets' pod templates are the same in allowTLS, preferTLS and requireTLS; mongos's differ only by the mode annotation", () => {
    const allow = templates("allowTLS");
    expect(JSON.stringify(allow)).toContain(TLS_CLIENT_CA_DIR);
    expect(templates("preferTLS")).toEqual(allow);
    expect(templates("requireTLS")).toEqual(allow);
  });
});

describe("dev with tls.mode allowTLS: the Jobs connect without TLS (a member not yet restarted speaks none)", () => {
  const config = withTls(environments.dev, { ...REQUIRE_TLS, mode: "allowTLS", clientsMigrated: false });
  const synthesized = stacks(config);

  it("no CA, no TLS env, no TLS option in the Jobs and CronJobs, the published strings or the outputs", () => {
    for (const s of synthesized) {
      expect(s.json).not.toHaveProperty(["output", "mongodb_tls"]);
      const jobs = [...Object.values(s.json.resource?.kubernetes_job_v1 ?? {}), ...Object.values(s.json.resource?.kubernetes_cron_job_v1 ?? {})];
      const text = JSON.stringify([jobs, s.json.output ?? {}, (Object.values(s.json.resource?.kubernetes_config_map_v1 ?? {}) as Json[]).map((cm) => cm.data?.connectionString ?? "")]);
      expect(text).not.toContain(TLS_CLIENT_CA_DIR);
      expect(text).not.toMatch(/tls=true|--tlsCAFile|--sslCAFile/);
    }
  });
});

describe("dev with tls.mode disabled: the clients connect as before", () => {
  const config = withTls(environments.dev, { mode: "disabled", memberAuth: "keyFile", clientsMigrated: false });
  const synthesized = stacks(config);

  it("no CA volume, no TLS env, no TLS option in any pod, output or connection info (the scripts' own text aside)", () => {
    for (const s of synthesized) {
      expect(s.json).not.toHaveProperty(["output", "mongodb_tls"]);
      const text = JSON.stringify([podSpecs(s.json), s.json.output ?? {}, (Object.values(s.json.resource?.kubernetes_config_map_v1 ?? {}) as Json[]).map((cm) => cm.data?.connectionString ?? "")]);
      expect(text).not.toContain(TLS_CLIENT_CA_DIR);
      expect(text).not.toContain(TLS_CA_FILE_ENV + '"');
      expect(text).not.toMatch(/tls=true|--tlsCAFile|--sslCAFile/);
    }
  });
});

/**
 * How each script that opens a connection to the database gets its TLS settings: read from
 * TLS_CA_FILE_ENV ("env"), from a connection string the stack renders with withUriTlsOptions
 * ("uri from <where>"), or not at all because it only ever talks to a mongod inside its own pod
 * ("local"). A script missing here fails the test: add it, with how it verifies the server.
 */
const SCRIPT_TLS: Record<string, string> = {
  "stacks/scripts/probe.sh": "env",
  "stacks/scripts/bootstrap.sh": "env",
  "stacks/scripts/mongosh/readiness.js": "env",
  "stacks/scripts/mongosh/initiate.js": "env",
  "replicaset/mongosh/reconcile.js": "env",
  "backup/scripts/lib.sh": "env",
  "backup/scripts/full-dump.sh": "the tools through lib.sh's wrappers",
  "backup/scripts/oplog-slice.sh": "the tools through lib.sh's wrappers",
  "backup/scripts/restore.sh": "the tools through lib.sh's wrappers",
  "backup/mongosh/member-connection.js": "env",
  "backup/mongosh/source-facts.js": "connectMember (member-connection.js)",
  "backup/mongosh/snapshot-counts.js": "connectMember (member-connection.js)",
  "backup/mongosh/confirm-dumps.js": "connectMember (member-connection.js)",
  "backup/mongosh/target-connection.js": "env",
  "backup/mongosh/target-facts.js": "connectTarget (target-connection.js)",
  "backup/mongosh/restore-user.js": "env",
  "backup/mongosh/restored-users.js": "connectTarget (target-connection.js)",
  "backup/mongosh/drop-restore-user.js": "connectTarget (target-connection.js)",
  "sharding/scripts/run-sharding-job.sh": "uri from MONGOS_URI",
  "sharding/scripts/balancer-window.sh": "uri from MONGOS_URI",
  "migrations/retention/mongosh/retention.js": "uri from its parameters (retentionUri)",
  // verify.sh's scratch mongod listens on 127.0.0.1 in the job's own pod, started without TLS
  // (verify.sh says why); compare-counts.js reads that mongod, verify-users.js makes its users.
  // The rotation sidecar is the server side's own (test/stacks/tls-sidecar.test.ts): it mounts the whole
  // certificate Secret at TLS_SECRET_DIR, talks only to its own server on 127.0.0.1 and verifies it with
  // the Secret's ca.crt through TLS_MONGOSH_ARGS (the stack renders them with mongoshTlsArgs).
  "stacks/scripts/tls-rotate.sh": "server: TLS_MONGOSH_ARGS",
  "backup/scripts/verify.sh": "local",
  "backup/mongosh/compare-counts.js": "local",
  "backup/mongosh/verify-users.js": "local",
};

/** The scripts the stacks ship: every .sh and .js under the script directories. */
function shippedScripts(): string[] {
  const dirs = ["stacks/scripts", "replicaset/mongosh", "backup/scripts", "backup/mongosh", "sharding/scripts", "sharding/mongosh", "migrations/retention/mongosh"];
  const out = execFileSync("git", ["ls-files", ...dirs], { cwd: REPO, encoding: "utf8" });
  return out.split("\n").filter((f) => /\.(sh|js)$/.test(f));
}

describe("the scripts", () => {
  const fs = require("node:fs") as typeof import("node:fs");
  // A member pod script as the pod gets it (with the functions pod-scripts.ts puts in front of it:
  // the peer-TLS rule of initiate.js and readiness.js is replicaset/peer-tls.ts).
  const podScript = (file: string) => file.replace(/^stacks\/scripts\//, "");
  const text = (file: string) =>
    file.startsWith("stacks/scripts/") && (POD_SCRIPTS as readonly string[]).includes(podScript(file)) ? podScriptText(podScript(file) as PodScript) : fs.readFileSync(path.join(REPO, file), "utf8");
  /** Code lines only: comments name the tools too. */
  const code = (t: string) => t.split("\n").filter((l) => !/^\s*(#|\/\/|\/?\*)/.test(l)).join("\n");
  // A connection string, a mongosh connection, or (bash) a tool run at the start of a command.
  const opensConnection = (t: string) => /mongodb:\/\/|new Mongo\(|\bconnect(Member|Target)?\(|^\s*(if\s+!\s+|until\s+)?mongo(dump|restore|sh)\s+["$-]/m.test(code(t));

  it("every script that opens a connection is listed with how it verifies the server, and reads what it says", () => {
    const connecting = shippedScripts().filter((f) => opensConnection(text(f)));
    expect(connecting.length).toBeGreaterThan(10);
    expect(connecting.sort()).toEqual(Object.keys(SCRIPT_TLS).filter((f) => opensConnection(text(f))).sort());
    for (const [file, how] of Object.entries(SCRIPT_TLS)) {
      if (how === "env") expect({ file, reads: text(file).includes(TLS_CA_FILE_ENV) }).toEqual({ file, reads: true });
      if (how.startsWith("server: ")) expect({ file, reads: text(file).includes(how.slice("server: ".length)), local: uris(text(file)).every((u) => u.startsWith("mongodb://127.0.0.1:")) }).toEqual({ file, reads: true, local: true });
      if (how === "local") expect({ file, local: uris(text(file)).every((u) => u.startsWith("mongodb://127.0.0.1:")) || !uris(text(file)).length }).toEqual({ file, local: true });
    }
  });

  it("the backup scripts call mongodump and mongorestore only through lib.sh's wrappers (which add the tools' TLS flags)", () => {
    for (const file of shippedScripts().filter((f) => f.startsWith("backup/scripts/") && f !== "backup/scripts/lib.sh")) {
      const t = text(file);
      if (!/\bmongo(dump|restore)\b/.test(t)) continue;
      expect({ file, sourcesLib: /source "\$\(dirname "\$\{BASH_SOURCE\[0\]\}"\)\/lib\.sh"|lib\.sh/.test(t), bypasses: /command mongo(dump|restore)|\/usr\/bin\/mongo(dump|restore)/.test(t) }).toEqual({
        file,
        sourcesLib: true,
        bypasses: false,
      });
    }
  });

  it("the bash spellings are config/tls.ts's: toolsTlsArgs in lib.sh, uriTlsOptions in probe.sh and bootstrap.sh", () => {
    const ca = TLS_CLIENT_CA_FILE;
    const tools = execFileSync("bash", ["-c", `source backup/scripts/lib.sh; mkdir -p "$BACKUP_WORK/u"; printf u >"$BACKUP_WORK/u/username"; printf p >"$BACKUP_WORK/u/password"; prepare_credentials "$BACKUP_WORK/u"; printf '%s\\n' "\${TOOLS_TLS[@]}"`], {
      cwd: REPO,
      encoding: "utf8",
      // prepare_credentials writes to the container's own credentials volume (CREDENTIALS_DIR).
      env: { ...process.env, [TLS_CA_FILE_ENV]: "/dev/null", BACKUP_WORK: fs.mkdtempSync(path.join(require("node:os").tmpdir(), "tls-")), CREDENTIALS_DIR: fs.mkdtempSync(path.join(require("node:os").tmpdir(), "tls-credentials-")) },
    });
    expect(tools.trim().split("\n")).toEqual(toolsTlsArgs(REQUIRE_TLS, "/dev/null"));
    const query = Object.entries(uriTlsOptions(REQUIRE_TLS, "${NYRKIO_TLS_CA_FILE}")).map(([k, v]) => `${k}=${v}`).join("&");
    expect(text("stacks/scripts/bootstrap.sh")).toContain(`uri+="&${query}"`);
    expect(text("stacks/scripts/probe.sh")).toContain(`uri+="&${query.replace("${NYRKIO_TLS_CA_FILE}", "${ca_file}")}"`);
    expect(withUriTlsOptions("mongodb://h:1/admin", REQUIRE_TLS)).toBe(`mongodb://h:1/admin?tls=true&tlsCAFile=${ca}`);
    expect(withUriTlsOptions("mongodb://h:1/?authSource=admin", REQUIRE_TLS)).toBe(`mongodb://h:1/?authSource=admin&tls=true&tlsCAFile=${ca}`);
    expect(withUriTlsOptions("mongodb://h:1", REQUIRE_TLS)).toBe(`mongodb://h:1/?tls=true&tlsCAFile=${ca}`);
  });

  it("the JS spelling is config/tls.ts's uriTlsOptions", () => {
    const query = Object.entries(uriTlsOptions(REQUIRE_TLS, "X")).map(([k, v]) => `&${k}=${v}`).join("");
    for (const [file, how] of Object.entries(SCRIPT_TLS)) {
      if (how !== "env" || !file.endsWith(".js")) continue;
      const spelled = text(file).replace(/\$\{process\.env\.NYRKIO_TLS_CA_FILE\}|\$\{ca\}|" \+ process\.env\.NYRKIO_TLS_CA_FILE/g, "X").replace(/"&tls=true&tlsCAFile=X/g, "&tls=true&tlsCAFile=X");
      expect({ file, spelled: spelled.includes(query) }).toEqual({ file, spelled: true });
    }
  });
});
