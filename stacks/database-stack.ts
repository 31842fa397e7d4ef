// The database stack: Nyrkiö's MongoDB as a replica set (or, with sharding on, a sharded cluster).

import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { Construct } from "constructs";
import { databaseStackName } from "./naming";
import { PlatformStack, PlatformStackProps } from "./platform-stack";

export class DatabaseStack extends PlatformStack {
  constructor(scope: Construct, props: PlatformStackProps) {
    super(scope, databaseStackName(props.config), props);
    const { kubernetes } = this.config;
    if (kubernetes.createNamespace) {
      new NamespaceV1(this, "namespace", { metadata: { name: kubernetes.namespace } });
    }
  }
}
