// The TLS sidecar in the synthesized stacks (stacks/constructs/tls-sidecar.ts): in every data
// member, arbiter and mongos pod while TLS is on, nowhere while it is off; the Secret mounted
// whole (a subPath mount never receives the kubelet's updates); the rotator's Secret only where a
// user can log in (not the arbiter's); and a runtime mode step never changes the members' pod
// template (no restart), while it rolls the stateless mongos.
import { environments } from "../../config/environments";
import type { PlatformConfig } from "../../config/platform-config";
import { TLS_RUNTIME_DIR, TLS_SECRET_DIR, TlsConfig } from "../../config/tls";
import { MONGOS_TLS_MODE_ANNOTATION } from "../../stacks/constructs/sharding/mongos";
import { synthDatabase, Json } from "./database-synth";

const withTls = (config: PlatformConfig, tls: Partial<TlsConfig>): PlatformConfig => ({
  ...structuredClone(config),
  tls: { mode: "requireTLS", memberAuth: "keyFile", clientsMigrated: true, certificates: { source: "secret", secretName: "nyrkio-db-tls" }, ...tls },
});

function podTemplates(config: PlatformConfig): { name: string; kind: string; template: Json }[] {
  const s = synthDatabase(config);
  return [
    ...Object.values(s.resources("kubernetes_stateful_set_v1")).map((r) => ({ name: r.metadata.name as string, kind: "statefulset", template: r.spec.template })),
    ...Object.values(s.resources("kubernetes_deployment_v1")).map((r) => ({ name: r.metadata.name as string, kind: "deployment", template: r.spec.template })),
  ];
}
const sidecar = (template: Json) => (template.spec.container as Json[]).find((c) => c.name === "tls-rotate");
const env = (c: Json) => Object.fromEntries((c.env as Json[]).map((e) => [e.name, e.value]));

describe.each(Object.keys(environments))("the TLS sidecar in %s", (name) => {
  const base = environments[name];

  test("TLS on: every database pod has it, the Secret mounted whole, the rotator's Secret except on the arbiter", () => {
    const templates = podTemplates(withTls(base, {}));
    expect(templates.length).toBeGreaterThan(0);
    for (const t of templates) {
      const c = sidecar(t.template);
      expect([t.name, c !== undefined]).toEqual([t.name, true]);
      const arbiter = t.name.includes("arbiter");
      const mounts = Object.fromEntries((c.volume_mount as Json[]).map((m) => [m.mount_path, m]));
      expect(mounts[TLS_SECRET_DIR]).toMatchObject({ name: "tls", read_only: true });
      expect(mounts[TLS_SECRET_DIR].sub_path).toBeUndefined();
      expect(mounts[TLS_RUNTIME_DIR]).toMatchObject({ name: "tls-runtime" });
      expect([t.name, mounts["/etc/nyrkio/secrets/rotator"] !== undefined]).toEqual([t.name, !arbiter]);
      expect(env(c).TLS_SIDECAR_ROLE).toBe(arbiter ? "arbiter" : undefined);
      expect(env(c).TLS_MONGOSH_ARGS).toBe(`--tls --tlsCAFile ${TLS_SECRET_DIR}/ca.crt`);
      const secretVolume = (t.template.spec.volume as Json[]).find((v) => v.name === "tls");
      expect(secretVolume.secret.secret_name).toBe("nyrkio-db-tls");
      expect(secretVolume.secret.items).toBeUndefined();
      const runtime = (t.template.spec.volume as Json[]).find((v) => v.name === "tls-runtime");
      expect(runtime.empty_dir.medium).toBe("Memory");
    }
  });

  test("TLS disabled: no sidecar, no TLS volume", () => {
    for (const t of podTemplates(withTls(base, { mode: "disabled", certificates: undefined, clientsMigrated: false }))) {
      expect(sidecar(t.template)).toBeUndefined();
      expect((t.template.spec.volume as Json[]).some((v) => v.name === "tls" || v.name === "tls-runtime")).toBe(false);
    }
  });

  test("a runtime mode step (allowTLS → preferTLS → requireTLS): the members' pod templates do not change; mongos rolls", () => {
    const [allow, prefer, require] = (["allowTLS", "preferTLS", "requireTLS"] as const).map((mode) => podTemplates(withTls(base, { mode, clientsMigrated: mode === "requireTLS" })));
    for (const [i, t] of allow.entries()) {
      if (t.kind === "statefulset") {
        expect([t.name, prefer[i].template]).toEqual([t.name, t.template]);
        expect([t.name, require[i].template]).toEqual([t.name, t.template]);
      } else {
        expect(t.template.metadata.annotations[MONGOS_TLS_MODE_ANNOTATION]).toBe("allowTLS");
        expect(require[i].template.metadata.annotations[MONGOS_TLS_MODE_ANNOTATION]).toBe("requireTLS");
      }
    }
  });
});
