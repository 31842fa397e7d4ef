// TLS on the servers (docs/tls.md): mongod (data members, arbiters, config servers) and mongos
// get net.tls and security.clusterAuthMode; the PEM is assembled in memory by an init container
// from the certificate Secret mounted whole; the mode is a ConfigMap key outside the pods' config
// hash, so the pod templates change when TLS goes on (or member authentication changes), never
// when the mode moves among allowTLS, preferTLS and requireTLS. Every shipped environment, every
// mode, both certificate sources.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { environments } from "../../config/environments";
import type { PlatformConfig } from "../../config/platform-config";
import { TLS_MODES, TLS_RUNTIME_DIR, TLS_SECRET_DIR, TLS_SERVER_CA_FILE, TLS_SERVER_PEM_FILE, TlsConfig } from "../../config/tls";
import { TLS_MODE_CONFIG_KEY } from "../../config/tls-rules";
import { validateConfig } from "../../config/validate";
import { POD_CONFIG_HASH_ANNOTATION } from "../../stacks/constructs/member-stateful-set";
import { TLS_MODE_FILE } from "../../stacks/constructs/tls-server";
import { Json, synthDatabase, Synthesized } from "./database-synth";

const SOURCES = {
  secret: { source: "secret", secretName: "nyrkio-mongodb-tls" },
  certManager: { source: "certManager", secretName: "nyrkio-mongodb-tls", issuerRef: { name: "nyrkio-ca", kind: "ClusterIssuer" } },
} as const;

function withTls(env: string, tls: Partial<TlsConfig>): PlatformConfig {
  const config = structuredClone(environments[env]);
  config.tls = { ...config.tls, ...tls } as TlsConfig;
  if (config.tls.mode === "disabled") delete config.tls.certificates;
  const checked = validateConfig(config);
  if (!checked.ok) throw new Error(JSON.stringify(checked.problems));
  return config;
}

/** Every mongod and mongos: [where, config text, pod template]. */
function servers(s: Synthesized): { where: string; conf: Json; template: Json; mode: string | undefined }[] {
  const configMaps = Object.values(s.resources("kubernetes_config_map_v1"));
  const byName = (name: string) => configMaps.find((c) => c.metadata.name === name);
  const out: { where: string; conf: Json; template: Json; mode: string | undefined }[] = [];
  for (const ss of Object.values(s.resources("kubernetes_stateful_set_v1"))) {
    const template = ss.spec.template;
    const key = template.spec.volume.find((v: Json) => v.name === "config").config_map.items.find((i: Json) => i.path === "mongod.conf").key;
    // The replica set's ConfigMap: mongodb-<rs>-config, the headless Service's name plus -config.
    const owner = byName(`${ss.spec.service_name}-config`)!;
    out.push({ where: ss.metadata.name, conf: parse(owner.data[key]), template, mode: owner.data[TLS_MODE_CONFIG_KEY] });
  }
  for (const d of Object.values(s.resources("kubernetes_deployment_v1"))) {
    const owner = byName(`${d.metadata.name}-config`)!;
    out.push({ where: d.metadata.name, conf: parse(owner.data["mongos.conf"]), template: d.spec.template, mode: owner.data[TLS_MODE_CONFIG_KEY] });
  }
  return out;
}

const server = (t: Json) => t.spec.container.find((c: Json) => c.name === "mongod" || c.name === "mongos");

describe.each(Object.keys(environments))("TLS on the servers of %s", (env) => {
  it("disabled: no net.tls, no clusterAuthMode, no TLS volume or init container; the mode is recorded", () => {
    const s = synthDatabase(withTls(env, { mode: "disabled", memberAuth: "keyFile" }));
    const found = servers(s);
    expect(found.length).toBeGreaterThan(0);
    for (const { where, conf, template, mode } of found) {
      expect([where, conf.net.tls, conf.security.clusterAuthMode]).toEqual([where, undefined, undefined]);
      expect(template.spec.init_container.map((c: Json) => c.name)).toEqual(["install-keyfile"]);
      expect(template.spec.volume.filter((v: Json) => v.name.startsWith("tls-"))).toEqual([]);
      expect((server(template).env ?? []).map((e: Json) => e.name)).not.toContain("TLS_MODE_FILE");
      expect(mode).toBe("disabled");
    }
  });

  describe.each(TLS_MODES.filter((m) => m !== "disabled"))("%s", (tlsMode) => {
    it.each(Object.keys(SOURCES) as (keyof typeof SOURCES)[])("certificates from %s: every mongod and mongos serves TLS from the assembled PEM", (source) => {
      const s = synthDatabase(withTls(env, { mode: tlsMode, memberAuth: "keyFile", certificates: SOURCES[source] as TlsConfig["certificates"] }));
      const found = servers(s);
      // Sharded: config servers, every shard, mongos.
      if (environments[env].sharding.enabled) expect(found.map((f) => f.where)).toEqual(expect.arrayContaining(["mongodb-cfg", "mongodb-mongos", ...environments[env].replsets.map((r) => `mongodb-${r.name}`)]));
      for (const { where, conf, template, mode } of found) {
        expect([where, conf.net.tls]).toEqual([where, { certificateKeyFile: TLS_SERVER_PEM_FILE, CAFile: TLS_SERVER_CA_FILE, allowConnectionsWithoutCertificates: true }]);
        expect(conf.net.tls.mode).toBeUndefined();
        expect(conf.security.clusterAuthMode).toBe("keyFile");
        expect(mode).toBe(tlsMode);
        const spec = template.spec;
        // The Secret mounted whole (no items, no subPath: it must receive updates), the PEM in memory.
        expect(spec.volume.find((v: Json) => v.name === "tls-secret")).toEqual({ name: "tls-secret", secret: { secret_name: "nyrkio-mongodb-tls", default_mode: "0440" } });
        expect(spec.volume.find((v: Json) => v.name === "tls-runtime")).toEqual({ name: "tls-runtime", empty_dir: { medium: "Memory", size_limit: "1Mi" } });
        const init = spec.init_container.find((c: Json) => c.name === "tls-assemble");
        expect(init.command).toEqual(["bash", "/etc/nyrkio/scripts/tls-assemble.sh"]);
        expect(init.volume_mount).toEqual(
          expect.arrayContaining([
            { name: "tls-secret", mount_path: TLS_SECRET_DIR, read_only: true },
            { name: "tls-runtime", mount_path: TLS_RUNTIME_DIR, read_only: false },
          ]),
        );
        const main = server(template);
        expect(main.env).toEqual(expect.arrayContaining([{ name: "TLS_MODE_FILE", value: TLS_MODE_FILE }]));
        expect(main.volume_mount).toEqual(expect.arrayContaining([{ name: "tls-runtime", mount_path: TLS_RUNTIME_DIR, read_only: true }]));
        expect(main.volume_mount.find((m: Json) => m.name === "tls-secret")).toBeUndefined();
        expect(main.command).toEqual(["bash", "/etc/nyrkio/scripts/run-mongod.sh"]);
        expect(spec.volume.find((v: Json) => v.name === "config").config_map.items).toEqual(expect.arrayContaining([{ key: TLS_MODE_CONFIG_KEY, path: TLS_MODE_CONFIG_KEY }]));
        for (const c of [...spec.init_container, ...spec.container]) for (const m of c.volume_mount ?? []) if (m.name.startsWith("tls-")) expect(m.sub_path).toBeUndefined();
      }
    });
  });

  it("the pod templates change when TLS goes on and when member authentication changes, never when the mode moves among allowTLS, preferTLS and requireTLS", () => {
    const templates = (tls: Partial<TlsConfig>) => {
      const s = synthDatabase(withTls(env, { certificates: SOURCES.secret, ...tls }));
      return servers(s).map(({ where, template }) => ({ where, hash: template.metadata.annotations[POD_CONFIG_HASH_ANNOTATION], template: JSON.stringify(template) }));
    };
    const off = templates({ mode: "disabled", memberAuth: "keyFile" });
    const [allow, prefer, require] = (["allowTLS", "preferTLS", "requireTLS"] as const).map((mode) => templates({ mode, memberAuth: "keyFile" }));
    expect(prefer).toEqual(allow);
    expect(require).toEqual(allow);
    off.forEach((o, i) => {
      expect(o.hash).not.toBe(allow[i].hash);
      expect(o.template).not.toBe(allow[i].template);
    });
    const send = templates({ mode: "requireTLS", memberAuth: "sendKeyFile" });
    send.forEach((t, i) => expect(t.hash).not.toBe(require[i].hash));
  });
});

describe("x.509 member authentication", () => {
  it("sets security.clusterAuthMode on every mongod and mongos, keeping the keyfile (sendKeyFile and sendX509 still use it)", () => {
    for (const memberAuth of ["sendKeyFile", "sendX509", "x509"] as const) {
      const s = synthDatabase(withTls("sharded", { mode: "requireTLS", memberAuth, certificates: SOURCES.secret }));
      for (const { where, conf } of servers(s)) {
        expect([where, conf.security.clusterAuthMode]).toEqual([where, memberAuth]);
        expect(conf.security.keyFile).toBe("/etc/nyrkio/keyfile/keyfile");
      }
    }
  });
});

describe("tls-assemble.sh", () => {
  it("is embedded with the pod scripts, and its defaults are config/tls.ts's paths (the rotation sidecar calls it without arguments or env)", () => {
    const script = readFileSync(join(__dirname, "..", "..", "stacks", "scripts", "tls-assemble.sh"), "utf8");
    expect(script).toContain(`secret_dir="\${TLS_SECRET_DIR:-${TLS_SECRET_DIR}}"`);
    expect(script).toContain(`pem_file="\${TLS_SERVER_PEM_FILE:-${TLS_SERVER_PEM_FILE}}"`);
    expect(script).toContain(`ca_file="\${TLS_SERVER_CA_FILE:-${TLS_SERVER_CA_FILE}}"`);
    const s = synthDatabase(withTls("dev", { mode: "requireTLS", memberAuth: "keyFile", certificates: SOURCES.secret }));
    const cm = s.named("kubernetes_config_map_v1", "mongodb-rs0-config");
    expect(cm.data["tls-assemble.sh"]).toBe(script.replace(/\$\{/g, () => "$${"));
  });
});
