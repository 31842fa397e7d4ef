// The namespace the database lives in: created here, or an existing one named in config.
// A namespace created here enforces the "restricted" Pod Security Standard, which every pod of
// the platform meets (non-root, no privilege escalation, all capabilities dropped, seccomp).
//
// Deleting a namespace deletes every claim in it (the data members' and the backup claim), so a
// namespace created here can never be destroyed by Terraform: prevent_destroy refuses a plan that
// would, and when createNamespace turns false the stack hands the namespace over with a
// `removed { lifecycle { destroy = false } }` block (Terraform >= 1.7), which forgets it in state
// instead of deleting it. prevent_destroy alone does not cover a resource that leaves the config:
// Terraform plans its destroy (tried with terraform 1.11.4; test/stacks/namespace-handover.test.ts).

import { DataKubernetesNamespaceV1 } from "@cdktf/provider-kubernetes/lib/data-kubernetes-namespace-v1";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { TerraformStack } from "cdktf";
import { Construct } from "constructs";

export interface DatabaseNamespaceProps {
  name: string;
  /** false: the namespace exists already and is managed elsewhere. */
  create: boolean;
  labels: Record<string, string>;
}

export const POD_SECURITY_LABELS = {
  "pod-security.kubernetes.io/enforce": "restricted",
  "pod-security.kubernetes.io/enforce-version": "latest",
} as const;

/** Terraform's address of the namespace this project creates; pinned, a new address would delete it. */
export const NAMESPACE_ADDRESS = "kubernetes_namespace_v1.namespace";

/** The data source that reads an existing namespace (createNamespace: false); its logical ID. */
export const EXISTING_NAMESPACE_ID = "existing_namespace";
export const POD_SECURITY_MESSAGE_PREFIX = "kubernetes.createNamespace is false, so the namespace must already enforce the restricted Pod Security Standard";

/**
 * The plan-time check on an existing namespace: its `pod-security.kubernetes.io/enforce` label is
 * `restricted`. The provider's namespace data source (v2.38.0,
 * kubernetes/data_source_kubernetes_namespace_v1.go) sets metadata from flattenMetadataFields,
 * which keeps every label (no internal-key filtering); a namespace that does not exist reads
 * without an error and without labels, so the try() turns both a missing label and a missing
 * namespace into a refusal.
 */
export function podSecurityCondition(labelsRef: string): string {
  return `\${try(${labelsRef}["pod-security.kubernetes.io/enforce"], "") == "restricted"}`;
}

export function podSecurityMessage(namespace: string): string {
  return `${POD_SECURITY_MESSAGE_PREFIX}: label namespace ${namespace} with pod-security.kubernetes.io/enforce=restricted (kubectl label namespace ${namespace} pod-security.kubernetes.io/enforce=restricted pod-security.kubernetes.io/enforce-version=latest), or create it with scripts/create-secrets.sh --create-namespace, which does.`;
}

/**
 * Terraform's `removed` block (JSON syntax) that forgets the namespace without deleting it. A
 * no-op when the state does not hold it (a namespace never created here); cdktf 0.21 has no
 * construct for `removed`, so the stack carries it as an override.
 */
export function namespaceHandOver(): { from: string; lifecycle: { destroy: boolean }[] }[] {
  return [{ from: NAMESPACE_ADDRESS, lifecycle: [{ destroy: false }] }];
}

export class DatabaseNamespace extends Construct {
  /** The name to put in every object's metadata: a reference when created here, so they wait for it. */
  readonly name: string;
  readonly namespace?: NamespaceV1;

  constructor(scope: Construct, id: string, props: DatabaseNamespaceProps) {
    super(scope, id);
    if (!props.create) {
      this.name = props.name;
      TerraformStack.of(this).addOverride("removed", namespaceHandOver());
      // Refuse to deploy into a namespace that does not enforce the restricted profile: a data
      // source's postcondition fails the plan before anything is created (Terraform >= 1.2,
      // https://developer.hashicorp.com/terraform/language/expressions/custom-conditions).
      const existing = new DataKubernetesNamespaceV1(this, "existing", { metadata: { name: props.name } });
      existing.overrideLogicalId(EXISTING_NAMESPACE_ID);
      existing.addOverride("lifecycle.postcondition", [{ condition: podSecurityCondition("self.metadata[0].labels"), error_message: podSecurityMessage(props.name) }]);
      return;
    }
    this.namespace = new NamespaceV1(this, "namespace", {
      metadata: { name: props.name, labels: { ...props.labels, ...POD_SECURITY_LABELS } },
      lifecycle: { preventDestroy: true },
    });
    // Deleting the namespace deletes the data volumes' claims: its address must never change.
    this.namespace.overrideLogicalId("namespace");
    this.name = this.namespace.metadata.name;
  }
}
