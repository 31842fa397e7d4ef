// No credential reaches the synthesized stack (and so Terraform's state) or a process's argv.
// Passwords and the keyfile live only in Kubernetes Secrets created outside Terraform
// (scripts/create-secrets.sh): the config holds Secret names only, the stack mounts the Secrets
// as files by name, and the scripts read the files. These checks hold for every shipped
// environment.

import { environments } from "../../config/environments";
import { containers, Json, synthDatabase } from "./database-synth";

/** Every string in a JSON value, with its path. */
function strings(value: Json, at = ""): { path: string; text: string }[] {
  if (typeof value === "string") return [{ path: at, text: value }];
  if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, `${at}[${i}]`));
  if (value && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => strings(v, at ? `${at}.${k}` : k));
  return [];
}

/** Every object key in a JSON value, with its path. */
function keys(value: Json, at = ""): { path: string; key: string; value: Json }[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => keys(v, `${at}[${i}]`));
  if (value && typeof value === "object")
    return Object.entries(value).flatMap(([k, v]) => [{ path: at, key: k, value: v }, ...keys(v, at ? `${at}.${k}` : k)]);
  return [];
}

/** A connection string with credentials in it: scheme://user:password@host. */
const CREDENTIAL_URI = /[a-z][a-z0-9+.-]*:\/\/[^\s/@:"'`$]+:[^\s/@"'`]+@/i;

describe.each(Object.keys(environments))("%s: no credentials in the synthesized stack", (env) => {
  const config = environments[env];
  const s = synthDatabase(config);

  it("declares no Secret resource or data source (which would put the values in state)", () => {
    const types = [...Object.keys(s.json.resource ?? {}), ...Object.keys(s.json.data ?? {})];
    expect(types.filter((t) => /secret/.test(t))).toEqual([]);
  });

  it("reads no Secret into an environment variable, but for the exporter's user (mongodb_exporter reads credentials only from flags or MONGODB_USER/MONGODB_PASSWORD)", () => {
    const refs = keys(s.json).filter(({ key }) => key === "secret_key_ref").map(({ value }) => value);
    expect(refs).toEqual(refs.map(() => ({ name: config.secrets.monitor, key: expect.stringMatching(/^(username|password)$/) })));
    const envs = keys(s.json).filter(({ key }) => key === "env").flatMap(({ value }) => value as { name: string; value_from?: unknown }[]);
    expect(envs.filter((e) => e.value_from && JSON.stringify(e.value_from).includes("secret_key_ref")).map((e) => e.name).sort()).toEqual(
      refs.length ? [...Array(refs.length / 2).fill("MONGODB_PASSWORD"), ...Array(refs.length / 2).fill("MONGODB_USER")] : [],
    );
    expect(keys(s.json).filter(({ key }) => key === "env_from")).toEqual([]);
  });

  it("mounts Secrets only by the names in config", () => {
    const mounted = keys(s.json)
      .filter(({ key }) => key === "secret_name")
      .map(({ value }) => value);
    expect(mounted.length).toBeGreaterThan(0);
    // The users' and keyfile's Secrets, and the server certificate's (docs/tls.md).
    const named = new Set([...Object.values(config.secrets), ...(config.tls.certificates ? [config.tls.certificates.secretName] : [])]);
    for (const name of mounted) expect([name, named.has(name)]).toEqual([name, true]);
  });

  it("holds no password-like field with a value", () => {
    const suspicious = keys(s.json).filter(({ key, value }) => /^(password|passwd|pwd|secret|token|keyfile_content)$/i.test(key) && typeof value === "string");
    expect(suspicious).toEqual([]);
  });

  it("holds no connection string with credentials, anywhere (outputs and scripts included)", () => {
    expect(strings(s.json).filter(({ text }) => CREDENTIAL_URI.test(text))).toEqual([]);
  });

  it("puts no credential on any container's command line", () => {
    const all = containers(s);
    expect(all.length).toBeGreaterThan(0);
    for (const { where, container } of all) {
      const argv: string[] = [...(container.command ?? []), ...(container.args ?? [])];
      const probes = ["startup_probe", "readiness_probe", "liveness_probe"].flatMap((p) => container[p]?.exec?.command ?? []);
      for (const arg of [...argv, ...probes]) {
        expect([where, arg]).not.toEqual([where, expect.stringMatching(/^(-p|-u|--password|--username|--pass)(=|$)|--password|:\/\/[^/]*@/)]);
      }
    }
  });
});

describe("the checks above can fail", () => {
  it("recognises a credential URI and a password flag", () => {
    expect(CREDENTIAL_URI.test("mongodb://root:hunter2@mongodb-rs0-0:27017/admin")).toBe(true);
    expect(CREDENTIAL_URI.test("mongodb://mongodb-rs0-0:27017,mongodb-rs0-1:27017/nyrkio?replicaSet=rs0")).toBe(false);
    expect(keys({ a: { password: "x" } }).filter(({ key }) => key === "password")).toHaveLength(1);
  });
});
