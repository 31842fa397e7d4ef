// The identity the database's pods run as. They never talk to the Kubernetes API, so no token
// is mounted: a compromised mongod gets no credentials for the cluster.

import { ServiceAccountV1 } from "@cdktf/provider-kubernetes/lib/service-account-v1";
import { Construct } from "constructs";

export interface DatabaseServiceAccountProps {
  namespace: string;
  name: string;
  labels: Record<string, string>;
}

export class DatabaseServiceAccount extends Construct {
  readonly name: string;

  constructor(scope: Construct, id: string, props: DatabaseServiceAccountProps) {
    super(scope, id);
    const account = new ServiceAccountV1(this, "service-account", {
      metadata: { name: props.name, namespace: props.namespace, labels: props.labels },
      automountServiceAccountToken: false,
    });
    this.name = account.metadata.name;
  }
}
