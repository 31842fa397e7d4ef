import { environments } from "../../config/environments";
import { tlsCertificateNames } from "../../config/tls-names";
import type { CliIo } from "../../migrations/cli/cli-io";
import { runTlsNamesCli, TLS_NAMES_HELP } from "../../ops/tls-names/tls-names-cli";

function io(files: Record<string, string> = {}, env: Record<string, string> = {}) {
  const out = { stdout: "", stderr: "" };
  const cliIo: CliIo = {
    stdout: (t) => (out.stdout += t),
    stderr: (t) => (out.stderr += t),
    env,
    readFile: (p) => {
      if (!(p in files)) throw new Error(`ENOENT: ${p}`);
      return files[p];
    },
  };
  return { cliIo, out };
}

describe("nyrkio-db tls-names", () => {
  it("prints the namespace, subject and names, one per line, for create-secrets.sh", async () => {
    const { cliIo, out } = io();
    expect(await runTlsNamesCli(["--env", "prod"], cliIo)).toBe(0);
    const names = tlsCertificateNames(environments.prod);
    expect(out.stdout).toBe(
      [`namespace ${environments.prod.kubernetes.namespace}`, "subject /O=Nyrkio/OU=nyrkio-db-prod/CN=nyrkio-db-prod", ...names.dnsNames.map((n) => `DNS:${n}`), "IP:127.0.0.1"].join("\n") + "\n",
    );
  });

  it("--json, with the override's Secret name; NYRKIO_DB_ENV chooses the environment", async () => {
    const override = JSON.stringify({ tls: { mode: "requireTLS", certificates: { source: "secret", secretName: "my-tls" } } });
    const { cliIo, out } = io({ "/o.json": override }, { NYRKIO_DB_ENV: "sharded" });
    expect(await runTlsNamesCli(["--config", "/o.json", "--json"], cliIo)).toBe(0);
    const doc = JSON.parse(out.stdout);
    expect(doc).toMatchObject({ ok: true, command: "tls-names", namespace: "nyrkio-db-sharded", secret: "my-tls" });
    expect(doc.dnsNames).toContain("mongodb-mongos.nyrkio-db-sharded.svc.cluster.local");
  });

  it("an invalid config is exit 1 with its problems; a bad option exit 2; --help exit 0", async () => {
    const bad = io({ "/o.json": JSON.stringify({ tls: { mode: "requireTLS" } }) });
    expect(await runTlsNamesCli(["--config", "/o.json"], bad.cliIo)).toBe(1);
    expect(bad.out.stderr).toMatch(/^tls-names: the config is not valid: tls\.certificates: is required with tls\.mode requireTLS/);
    const usage = io();
    expect(await runTlsNamesCli(["--nope"], usage.cliIo)).toBe(2);
    const help = io();
    expect(await runTlsNamesCli(["--help"], help.cliIo)).toBe(0);
    expect(help.out.stdout).toBe(TLS_NAMES_HELP);
  });
});
