// The Terraform check (real terraform CLI, offline) passes with TLS on: every shipped
// environment with each certificate source and with allowTLS (no jump guard) and requireTLS (the
// guard's precondition), plus the certificates stack. The check cannot validate the cert-manager
// Certificate against its CRD (docs/terraform.md): only its templates and references.
import { App } from "cdktf";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { environments } from "../../config/environments";
import type { TlsConfig } from "../../config/tls";
import { validateConfig } from "../../config/validate";
import { addPlatformStacks } from "../../stacks/platform-app";
import { stacksIn, validateStacks } from "../../terraform-check/terraform-check";

const terraform = spawnSync("terraform", ["version"], { stdio: "ignore", env: { ...process.env, CHECKPOINT_DISABLE: "1" } }).status === 0;
if (!terraform) console.log("terraform is not on PATH: the TLS Terraform check is skipped");

const VARIANTS: Record<string, TlsConfig> = {
  "allowTLS-secret": { mode: "allowTLS", memberAuth: "keyFile", clientsMigrated: false, certificates: { source: "secret", secretName: "nyrkio-mongodb-tls" } },
  "requireTLS-certManager-x509": {
    mode: "requireTLS",
    memberAuth: "x509",
    clientsMigrated: true,
    certificates: { source: "certManager", secretName: "nyrkio-mongodb-tls", issuerRef: { name: "nyrkio-ca", kind: "ClusterIssuer" } },
  },
};

(terraform ? describe : describe.skip)("the Terraform check with TLS on", () => {
  let work: string;
  beforeAll(() => (work = mkdtempSync(join(tmpdir(), "terraform-check-tls-"))));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("passes every stack of every shipped environment, with both certificate sources", async () => {
    const stacks = Object.entries(environments).flatMap(([env, base]) =>
      Object.entries(VARIANTS).flatMap(([variant, tls]) => {
        const config = { ...structuredClone(base), tls };
        const checked = validateConfig(config);
        if (!checked.ok) throw new Error(JSON.stringify(checked.problems));
        const outdir = join(work, env, variant);
        mkdirSync(outdir, { recursive: true });
        const app = new App({ outdir });
        addPlatformStacks(app, config, outdir);
        app.synth();
        return stacksIn(outdir, `${env} ${variant} `);
      }),
    );
    expect(stacks.filter((s) => s.label.endsWith("-certificates")).map((s) => s.label)).toEqual(Object.keys(environments).map((env) => `${env} requireTLS-certManager-x509 nyrkio-db-${env}-certificates`));
    const results = await validateStacks(stacks, join(work, "check"), process.env);
    expect(results.filter((r) => !r.ok)).toEqual([]);
  }, 300_000);
});
