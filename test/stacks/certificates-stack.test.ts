// The cert-manager Certificate (stacks/certificates-stack.ts): a stack of its own, only with TLS
// on and certificates from cert-manager, carrying the names of config/tls-names.ts (the same as
// create-secrets.sh --tls signs), both extended key usages, the issuerRef and the Secret that
// every mongod and mongos mounts.
import { App, TerraformStack, Testing } from "cdktf";
import { environments } from "../../config/environments";
import type { PlatformConfig } from "../../config/platform-config";
import { TLS_MODES, TlsConfig } from "../../config/tls";
import { tlsCertificateNames } from "../../config/tls-names";
import { validateConfig } from "../../config/validate";
import { CERTIFICATE_NAME } from "../../stacks/certificates-stack";
import { addPlatformStacks } from "../../stacks/platform-app";

type Json = any;

function config(env: string, tls: Partial<TlsConfig>): PlatformConfig {
  const c = structuredClone(environments[env]);
  c.tls = { mode: "requireTLS", memberAuth: "keyFile", clientsMigrated: true, ...tls } as TlsConfig;
  if (c.tls.mode === "disabled") delete c.tls.certificates;
  const checked = validateConfig(c);
  if (!checked.ok) throw new Error(JSON.stringify(checked.problems));
  return c;
}

const certManager = (group?: string) => ({ source: "certManager", secretName: "nyrkio-mongodb-tls", issuerRef: { name: "nyrkio-ca", kind: "ClusterIssuer", ...(group ? { group } : {}) } }) as const;

describe.each(Object.keys(environments))("the certificates stack of %s", (env) => {
  it.each(TLS_MODES.filter((m) => m !== "disabled"))("%s with cert-manager: one Certificate for the Secret the servers mount, every name, server and client auth", (mode) => {
    const c = config(env, { mode, certificates: certManager() });
    const stacks = addPlatformStacks(Testing.app(), c, "/tmp/nyrkio-db-test");
    expect(stacks.certificates?.node.id).toBe(`nyrkio-db-${env}-certificates`);
    const tf: Json = JSON.parse(Testing.synth(stacks.certificates as TerraformStack));
    expect(Object.keys(tf.resource)).toEqual(["kubernetes_manifest"]);
    const manifest = tf.resource.kubernetes_manifest.certificate.manifest;
    const names = tlsCertificateNames(c);
    expect(manifest).toEqual({
      apiVersion: "cert-manager.io/v1",
      kind: "Certificate",
      metadata: { name: CERTIFICATE_NAME, namespace: c.kubernetes.namespace, labels: expect.objectContaining({ "app.kubernetes.io/component": "tls" }) },
      spec: {
        secretName: "nyrkio-mongodb-tls",
        secretTemplate: { labels: expect.objectContaining({ "app.kubernetes.io/part-of": "nyrkio" }) },
        commonName: `nyrkio-db-${env}`,
        subject: { organizations: ["Nyrkio"], organizationalUnits: [`nyrkio-db-${env}`] },
        dnsNames: names.dnsNames,
        ipAddresses: ["127.0.0.1"],
        usages: ["server auth", "client auth", "digital signature", "key encipherment"],
        privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
        issuerRef: { name: "nyrkio-ca", kind: "ClusterIssuer", group: "cert-manager.io" },
      },
    });
    // The database stack mounts that Secret and does not depend on this stack.
    const db = Testing.synth(stacks.database);
    expect(db).toContain('"secret_name": "nyrkio-mongodb-tls"');
    expect(db).not.toContain("kubernetes_manifest");
  });

  it("no certificates stack with certificates from a Secret, or with TLS disabled", () => {
    for (const tls of [{ mode: "requireTLS", certificates: { source: "secret", secretName: "x-tls" } }, { mode: "disabled" }] as Partial<TlsConfig>[]) {
      const app: App = Testing.app();
      expect(addPlatformStacks(app, config(env, tls), "/tmp/nyrkio-db-test").certificates).toBeUndefined();
    }
  });
});

it("an issuer of another group keeps its group", () => {
  const stacks = addPlatformStacks(Testing.app(), config("dev", { certificates: certManager("awspca.cert-manager.io") }), "/tmp/nyrkio-db-test");
  const tf: Json = JSON.parse(Testing.synth(stacks.certificates as TerraformStack));
  expect(tf.resource.kubernetes_manifest.certificate.manifest.spec.issuerRef.group).toBe("awspca.cert-manager.io");
});
