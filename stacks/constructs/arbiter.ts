// The arbiter of one replica set: its own one-replica StatefulSet, so it has a stable host name
// under the replica set's headless Service, but no data volume. It votes and holds no data; its
// small dbPath (the replica-set config) lives in an emptyDir, and after a restart the other
// members hand it the config again by heartbeat.

import { StatefulSetV1 } from "@cdktf/provider-kubernetes/lib/stateful-set-v1";
import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import type { Container, Volume } from "./member-pod";
import { MEMBER_UPDATE_STRATEGY, memberPodTemplate, MemberStatefulSetProps, pinLogicalId } from "./member-stateful-set";

export interface ArbiterProps extends MemberStatefulSetProps {
  /** Applied (and rolled out) only after these: the data members' StatefulSet. */
  dependsOn?: ITerraformDependable[];
  /** The TLS sidecar (its arbiter role: a safe restart) and its volumes, with TLS on (tls-sidecar.ts). */
  tlsSidecars?: Container[];
  tlsVolumes?: Volume[];
}

export class Arbiter extends Construct {
  readonly statefulSet: StatefulSetV1;

  constructor(scope: Construct, id: string, props: ArbiterProps) {
    super(scope, id);
    this.statefulSet = new StatefulSetV1(this, "stateful-set", {
      metadata: { name: props.name, namespace: props.namespace, labels: { ...props.labels, ...props.selector } },
      spec: {
        serviceName: props.serviceName,
        replicas: "1",
        podManagementPolicy: "Parallel",
        updateStrategy: MEMBER_UPDATE_STRATEGY,
        selector: { matchLabels: props.selector },
        template: memberPodTemplate(props, {
          confKey: "mongod-arbiter.conf",
          dataVolume: { name: "data", emptyDir: { sizeLimit: "1Gi" } },
          sidecars: props.tlsSidecars ?? [],
          extraVolumes: props.tlsVolumes ?? [],
        }),
      },
      waitForRollout: true,
      timeouts: { create: "20m", update: "20m" },
      dependsOn: props.dependsOn,
    });
    pinLogicalId(this.statefulSet, props.name);
  }
}
