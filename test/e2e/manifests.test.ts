import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { deepMerge, loadConfig } from "../../config/load";
import { dev } from "../../config/environments/dev";
import { sharded } from "../../config/environments/sharded";
import { validateConfig } from "../../config/validate";
import { shardKeyRules } from "../../sharding";
import { PITR_AFTER_DUMP, PITR_BEFORE_DUMP } from "../../e2e/checks";
import { cliJob, conversionOverrides, kubeconfigPath, lastJsonLine, memoryChange, overrideFor, priorityChange, probeBody, writeBody } from "../../e2e/manifests";
import { restoreTargetConfig } from "../../e2e/steps";
import { attemptBody, mongoshCommand, mongoUri, parseResult, RESULT_MARKER, strangerPod, toolboxPod } from "../../e2e/toolbox";

/** An override as main.ts applies it (config/load.ts's deepMerge), through the project's own validation. */
function validOverride(override: Record<string, unknown>) {
  const r = validateConfig(deepMerge(structuredClone(dev), override), [shardKeyRules]);
  if (!r.ok) throw new Error(r.problems.map((p) => `${p.path}: ${p.rule}`).join("\n"));
  return r.config;
}

describe("the config overrides of each deploy pass the project's config validation", () => {
  it("the kubeconfig and the context go to kubernetes.configPath and configContext", () => {
    const c = validOverride(overrideFor({ kubeconfig: "/home/u/.kube/config", context: "kind-nyrkio-e2e" }));
    expect(c.kubernetes).toMatchObject({ configPath: "/home/u/.kube/config", configContext: "kind-nyrkio-e2e" });
    expect(overrideFor({ kubeconfig: "/k" }, { kubernetes: { namespace: "x" } })).toEqual({ kubernetes: { namespace: "x", configPath: "/k" } });
    expect(kubeconfigPath({ KUBECONFIG: "/a:/b", HOME: "/h" })).toBe("/a");
    expect(kubeconfigPath({ HOME: "/h" })).toBe("/h/.kube/config");
  });

  it("day-2: a priority change, then a memory change", () => {
    const raised = priorityChange(dev.replsets[0]);
    expect(raised.members.map((m) => m.priority)).toEqual([3, 1]);
    const bigger = memoryChange(raised);
    expect(bigger.resources.requests?.memory).toBe("1280Mi");
    expect(bigger.resources.limits?.memory).toBe("1280Mi");
    expect(validOverride({ replsets: [raised] }).replsets[0].members[0].priority).toBe(3);
    expect(validOverride({ replsets: [bigger] }).replsets[0].resources.limits?.memory).toBe("1280Mi");
    expect(() => memoryChange({ ...dev.replsets[0], resources: { requests: { cpu: "1", memory: "1G" }, limits: { memory: "1G" } } })).toThrow(/cannot raise/);
  });

  it("the conversion runbook's three deploys, ending with the sharded environment's keys", () => {
    const [d0, d1, d2] = conversionOverrides(dev, sharded.sharding.collections).map(validOverride);
    expect(d0.replsets[0].members).toHaveLength(3);
    expect(d0.replsets[0].arbiter.enabled).toBe(false);
    expect(d0.sharding.enabled).toBe(false);
    expect(d1.sharding.enabled).toBe(true);
    expect(d1.replsets.map((r) => r.name)).toEqual(["rs0"]);
    expect(d2.replsets.map((r) => r.name)).toEqual(["rs0", "rs1"]);
    expect(d2.sharding.collections).toEqual(sharded.sharding.collections);
  });

  it("the restore target: another name and namespace, no backups, admits the source namespace", () => {
    const t = restoreTargetConfig(dev);
    const c = validOverride(t.override);
    expect(c).toMatchObject({ name: "e2e-restore", kubernetes: { namespace: "nyrkio-db-e2e-restore", createNamespace: false }, backup: { enabled: false } });
    expect(c.network.clientNamespaces).toEqual(["nyrkio-db-dev"]);
    expect(loadConfig({ environment: "dev", readFile: () => "", rules: [shardKeyRules] }).ok).toBe(true);
  });
});

describe("the in-cluster CLI Job", () => {
  const job = cliJob({ name: "nyrkio-e2e-migrate-1", namespace: "nyrkio-db-dev", bundle: "migrate", args: ["up", "--json"], secret: "nyrkio-mongodb-migrator", hosts: ["h0:27017", "h1:27017"], replicaSet: "rs0" });
  it("carries the client label the NetworkPolicy admits, and no credential in its spec", () => {
    expect(job.spec.template.metadata.labels["nyrkio.io/db-client"]).toBe("true");
    const env = job.spec.template.spec.containers[0].env;
    expect(env.find((e) => e.name === "DB_PASSWORD")).toEqual({ name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "nyrkio-mongodb-migrator", key: "password" } } });
    const command = job.spec.template.spec.containers[0].command.join(" ");
    expect(command).toContain("exec node /tmp/cli.js 'up' '--json' --uri-file /tmp/uri");
    expect(job.spec.backoffLimit).toBe(0);
  });

  it("writes the connection string the CLI reads with --uri-file (the script run by node here)", () => {
    const script = /node -e '([^']+)'/.exec(job.spec.template.spec.containers[0].command[2])![1];
    const dir = require("node:fs").mkdtempSync(join(require("node:os").tmpdir(), "e2e-uri-"));
    const r = spawnSync(process.execPath, ["-e", script.replace('"/tmp/uri"', JSON.stringify(join(dir, "uri")))], {
      env: { DB_USER: "nyrkio-migrator", DB_PASSWORD: "p@ss/word", DB_HOSTS: "h0:27017,h1:27017", DB_REPLSET: "rs0" },
    });
    expect(r.status).toBe(0);
    expect(require("node:fs").readFileSync(join(dir, "uri"), "utf8")).toBe("mongodb://nyrkio-migrator:p%40ss%2Fword@h0:27017,h1:27017/?authSource=admin&replicaSet=rs0\n");
    require("node:fs").rmSync(dir, { recursive: true, force: true });
  });

  it("the JSON result is the last JSON line of the log", () => {
    expect(lastJsonLine('progress\n{"command":"up","ok":true}\n')).toEqual({ command: "up", ok: true });
    expect(lastJsonLine("progress only\n")).toBeUndefined();
  });
});

describe("the run's pods meet the restricted Pod Security Standard the database's namespace enforces", () => {
  // https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
  const restricted = (pod: { securityContext?: Record<string, unknown>; containers: { securityContext?: Record<string, unknown> }[] }) => {
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
    expect(pod.securityContext!.runAsUser).toBeGreaterThan(0);
    for (const c of pod.containers) expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, runAsNonRoot: true });
  };
  it("toolbox, stranger and the CLI Job", () => {
    restricted(toolboxPod(dev).spec);
    restricted(strangerPod(dev).spec);
    restricted(cliJob({ name: "j", namespace: "n", bundle: "migrate", args: [], secret: "s", hosts: ["h"], replicaSet: "rs0" }).spec.template.spec);
  });
});

describe("the toolbox pods", () => {
  it("the toolbox has the client label and the Secrets; the stranger has neither", () => {
    const t = toolboxPod(dev);
    expect(t.metadata.labels["nyrkio.io/db-client"]).toBe("true");
    // dev's requireTLS: the certificate Secret too (its ca.crt alone, checked below).
    expect(t.spec.volumes.map((v) => v.secret.secretName)).toEqual(["nyrkio-mongodb-root", "nyrkio-mongodb-app", "nyrkio-mongodb-migrator", "nyrkio-mongodb-backup", "nyrkio-mongodb-tls"]);
    const s = strangerPod(dev);
    expect(s.metadata.labels).not.toHaveProperty("nyrkio.io/db-client");
    expect(s.spec.volumes).toEqual([]);
    expect(mongoUri(["h:27017"], { direct: true, timeoutMs: 2000 })).toBe("mongodb://h:27017/?authSource=admin&directConnection=true&serverSelectionTimeoutMS=2000&connectTimeoutMS=2000");
  });

  it("with clients on TLS the toolbox and the CLI Job mount the CA alone and connect with TLS; the stranger does not", () => {
    const tls = { mode: "requireTLS" as const, certificates: { source: "secret" as const, secretName: "mongodb-tls" }, memberAuth: "keyFile" as const, clientsMigrated: true };
    const t = toolboxPod({ ...dev, tls });
    expect(t.spec.volumes.at(-1)).toEqual({ name: "tls-ca", secret: { secretName: "mongodb-tls", items: [{ key: "ca.crt", path: "ca.crt" }] } });
    expect(t.spec.containers[0].volumeMounts.at(-1)).toEqual({ name: "tls-ca", mountPath: "/etc/nyrkio/tls-ca", readOnly: true });
    expect(t.spec.containers[0].env).toContainEqual({ name: "NYRKIO_TLS_CA_FILE", value: "/etc/nyrkio/tls-ca/ca.crt" });
    // TLS off (dev ships requireTLS, so explicitly): no CA.
    expect(toolboxPod({ ...dev, tls: { mode: "disabled", memberAuth: "keyFile", clientsMigrated: false } }).spec.volumes.map((v) => v.name)).not.toContain("tls-ca");
    expect(strangerPod({ ...dev, tls }).spec.volumes).toEqual([]);
    // mongosh gets --tls --tlsCAFile exactly when the pod carries the CA (sh's ${VAR:+word}).
    const sh = mongoshCommand("mongodb://h/", "root", "return 1;")[2];
    const argv = (env: Record<string, string>) =>
      spawnSync("sh", ["-c", sh.replace("exec mongosh", 'printf "%s\\n"'), "sh", "mongodb://h/", "x"], { encoding: "utf8", env: { PATH: process.env.PATH ?? "", ...env } }).stdout.split("\n");
    expect(argv({ NYRKIO_TLS_CA_FILE: "/etc/nyrkio/tls-ca/ca.crt" })).toEqual(expect.arrayContaining(["--tls", "--tlsCAFile", "/etc/nyrkio/tls-ca/ca.crt"]));
    expect(argv({})).not.toContain("--tls");
    const job = cliJob({ name: "j", namespace: "n", bundle: "migrate", args: [], secret: "s", hosts: ["h"], replicaSet: "rs0", tls });
    const c = job.spec.template.spec.containers[0];
    expect(c.env).toContainEqual({ name: "DB_TLS_OPTIONS", value: "&tls=true&tlsCAFile=/etc/nyrkio/tls-ca/ca.crt" });
    expect(c.command[2]).toContain("process.env.DB_TLS_OPTIONS");
    expect(job.spec.template.spec.volumes).toContainEqual({ name: "tls-ca", secret: { secretName: "mongodb-tls", items: [{ key: "ca.crt", path: "ca.crt" }] } });
  });

  it("passes credentials only inside the pod (file reads), never as the driver's arguments", () => {
    const cmd = mongoshCommand("mongodb://h/", "root", "return 1;");
    expect(cmd.slice(0, 2)).toEqual(["sh", "-c"]);
    expect(cmd[2]).toContain('--password "$(cat /secrets/root/password)"');
    expect(parseResult(`noise\n${RESULT_MARKER}{"a":1}\n`)).toEqual({ a: 1 });
    expect(parseResult("MongoServerSelectionError: timed out\n")).toBeUndefined();
  });

  // The scripts the toolbox runs, in the real MongoDB Shell (no server: --nodb). The shell's own
  // parser and async rewriter must accept every body; a result body runs to its marked line.
  const mongosh = join(__dirname, "../../node_modules/.bin/mongosh");
  (existsSync(mongosh) ? it : it.skip)("every mongosh body is accepted by the real mongosh, and a result prints as one marked EJSON line", () => {
    const result = mongoshCommand("unused", "none", `try { throw Object.assign(new Error("no"), { codeName: "Unauthorized" }); } catch (e) { return { ok: false, codeName: e.codeName, when: new Date(0) }; }`)[5];
    const bodies = [
      ...[...PITR_BEFORE_DUMP, ...PITR_AFTER_DUMP].map((w) => writeBody("nyrkio", "e2e_pitr", w)),
      probeBody("/tmp/stop", 1000),
      attemptBody("{ ping: 1 }"),
    ];
    // Defined, not called: they need a server. Syntax and the rewriter are what is checked.
    const defined = bodies.map((b, i) => `function __check${i}() { ${b} }`).join("\n");
    const r = spawnSync(mongosh, ["--nodb", "--quiet", "--norc", "--eval", `${defined}\n${result}`], { encoding: "utf8", timeout: 60_000 });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(parseResult(r.stdout)).toEqual({ ok: false, codeName: "Unauthorized", when: { $date: "1970-01-01T00:00:00Z" } });
  });
});
