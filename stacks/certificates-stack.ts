// The cert-manager Certificate of the database's server certificate (docs/tls.md, "cert-manager"):
// a stack of its own (nyrkio-db-<env>-certificates), present only with TLS on and
// tls.certificates.source certManager. It is applied after cert-manager is installed and before
// the database stack: the provider's kubernetes_manifest reads the Certificate CRD from the API
// server at plan time (hashicorp/kubernetes v2.38.0, the manifest resource), so a cluster
// without cert-manager cannot plan it and the offline Terraform check cannot validate it against
// the CRD (terraform-check/stand-ins.ts turns it into terraform_data like every resource: only
// its templates and references are checked). The database stack never depends on it; its pods
// mount the Secret that cert-manager writes (secretName), and wait for it.

import { Manifest } from "@cdktf/provider-kubernetes/lib/manifest";
import { Construct } from "constructs";
import { tlsCertificateNames } from "../config/tls-names";
import { certificatesStackName, commonLabels } from "./naming";
import { PlatformStack, PlatformStackProps } from "./platform-stack";

export const CERTIFICATE_NAME = "mongodb-server";

/**
 * cert-manager's Certificate (cert-manager.io/v1, https://cert-manager.io/docs/usage/certificate/):
 * the names and subject of config/tls-names.ts (the same as create-secrets.sh --tls signs), both
 * extended key usages (mongod presents it to the members it connects to as well as to clients),
 * and a new private key on every renewal.
 */
export function certificateManifest(config: PlatformStackProps["config"]): Record<string, unknown> {
  const certificates = config.tls.certificates;
  if (!certificates || certificates.source !== "certManager") throw new Error("the certificates stack needs tls.certificates.source certManager");
  const names = tlsCertificateNames(config);
  const labels = { ...commonLabels(config), "app.kubernetes.io/component": "tls" };
  return {
    apiVersion: "cert-manager.io/v1",
    kind: "Certificate",
    metadata: { name: CERTIFICATE_NAME, namespace: config.kubernetes.namespace, labels },
    spec: {
      secretName: certificates.secretName,
      // The Secret carries the labels too, so it is found like the project's other Secrets.
      secretTemplate: { labels },
      commonName: names.subject.commonName,
      subject: { organizations: [names.subject.organization], organizationalUnits: [names.subject.organizationalUnit] },
      dnsNames: names.dnsNames,
      ipAddresses: names.ipAddresses,
      usages: ["server auth", "client auth", "digital signature", "key encipherment"],
      privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
      issuerRef: { name: certificates.issuerRef.name, kind: certificates.issuerRef.kind, group: certificates.issuerRef.group ?? "cert-manager.io" },
    },
  };
}

export class CertificatesStack extends PlatformStack {
  readonly certificate: Manifest;

  constructor(scope: Construct, props: PlatformStackProps) {
    super(scope, certificatesStackName(props.config), props);
    this.certificate = new Manifest(this, "certificate", { manifest: certificateManifest(this.config) });
  }
}
