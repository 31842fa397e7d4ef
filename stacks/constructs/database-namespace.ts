// The namespace the database lives in: created here, or an existing one named in config.
// A namespace created here enforces the "restricted" Pod Security Standard, which every pod of
// the platform meets (non-root, no privilege escalation, all capabilities dropped, seccomp).

import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
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

export class DatabaseNamespace extends Construct {
  /** The name to put in every object's metadata: a reference when created here, so they wait for it. */
  readonly name: string;
  readonly namespace?: NamespaceV1;

  constructor(scope: Construct, id: string, props: DatabaseNamespaceProps) {
    super(scope, id);
    if (!props.create) {
      this.name = props.name;
      return;
    }
    this.namespace = new NamespaceV1(this, "namespace", {
      metadata: { name: props.name, labels: { ...props.labels, ...POD_SECURITY_LABELS } },
    });
    // Deleting the namespace deletes the data volumes' claims: its address must never change.
    this.namespace.overrideLogicalId("namespace");
    this.name = this.namespace.metadata.name;
  }
}
