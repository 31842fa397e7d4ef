// One MongoDB replica set on Kubernetes: its data members, its arbiter, the Services that name
// them, the ConfigMap with everything they read at start, the disruption budget that keeps a
// majority of votes up, and the network policy that admits only known clients.
//
// The desired replica-set config (rs.initiate's document) is data in the ConfigMap under
// `replicaset.json`, so a reviewer sees members, priorities and votes in the plan diff. Changing
// it does not restart any pod: the bootstrap reads it once, to initiate the set, and later
// changes are applied by the reconcile Job.

import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import { DataKubernetesConfigMapV1 } from "@cdktf/provider-kubernetes/lib/data-kubernetes-config-map-v1";
import { PodDisruptionBudgetV1 } from "@cdktf/provider-kubernetes/lib/pod-disruption-budget-v1";
import { ServiceV1 } from "@cdktf/provider-kubernetes/lib/service-v1";
import type { StatefulSetV1 } from "@cdktf/provider-kubernetes/lib/stateful-set-v1";
import { Construct } from "constructs";
import type { PlatformConfig, ReplsetConfig } from "../../config/platform-config";
import { ARBITER_REMOVAL_MESSAGE, arbiterRemovalCondition } from "../../replicaset/arbiter-removal-guard";
import { tlsJumpCondition, tlsJumpMessage } from "../../config/tls-rules";
import { renderReplicaSetConfigJson } from "../../replicaset/replica-set-config";
import {
  arbiterStatefulSetName,
  clientServiceName,
  commonLabels,
  dataMemberHosts,
  dataStatefulSetName,
  DB_CLIENT_LABEL,
  headlessServiceName,
  MONGODB_PORT,
  replsetConfigMapName,
  replsetSelector,
} from "../naming";
import { Arbiter } from "./arbiter";
import { DataMembers } from "./data-members";
import { MemberNetworkPolicy } from "./member-network-policy";
import { contentHash, KEYFILE_PATH, MONGOSH_CONF, MOUNT, REPLICASET_CONFIG_KEY } from "./member-pod";
import { tlsSidecars, tlsSidecarVolumes } from "./tls-sidecar";
import { MemberStatefulSetProps } from "./member-stateful-set";
import { renderMongodConf } from "./mongod-config";
import { exporterSidecar } from "./monitoring/exporter";
import { podScriptsData, podScriptsItems } from "./pod-scripts";
import { serverTlsPodParts, tlsModeConfigData } from "./tls-server";
import { exporterTls } from "./tls-client";
import { configMapData } from "../terraform-text";

/** Every pod of this database (members of every replica set; mongos when sharded), without the replica-set label. */
export function databasePodSelector(config: PlatformConfig): Record<string, string> {
  const { "nyrkio.io/replset": _replset, ...selector } = replsetSelector(config, { name: "" });
  return selector;
}

export interface ReplicaSetProps {
  config: PlatformConfig;
  replset: ReplsetConfig;
  /** The namespace's name (a token when this stack creates it, so everything waits for it). */
  namespace: string;
  serviceAccountName: string;
  /** Sharding: the members run as shard servers or as the config server replica set. */
  clusterRole?: "shardsvr" | "configsvr";
  /**
   * Whether the application's pods (network.clientNamespaces, network.clientPods) may connect to
   * the members. Default true; false for config servers and, once clients use mongos only, shards.
   */
  admitClients?: boolean;
}

export class ReplicaSet extends Construct {
  /** The rs.initiate document, as stored under replicaset.json. */
  readonly desiredConfigJson: string;
  /** host:port of each data member, by ordinal. */
  readonly dataHosts: string[];
  readonly headlessService: ServiceV1;
  readonly clientService: ServiceV1;
  readonly configMap: ConfigMapV1;
  readonly dataMembers: DataMembers;
  readonly arbiter?: Arbiter;
  readonly disruptionBudget: PodDisruptionBudgetV1;
  readonly networkPolicy: MemberNetworkPolicy;
  /** Every StatefulSet of the set: whatever needs the members running depends on these. */
  readonly statefulSets: StatefulSetV1[];

  constructor(scope: Construct, id: string, props: ReplicaSetProps) {
    super(scope, id);
    const { config, replset, namespace } = props;
    const labels = { ...commonLabels(config), "nyrkio.io/replset": replset.name };
    const voting = replsetSelector(config, replset);
    const port = MONGODB_PORT;

    this.desiredConfigJson = renderReplicaSetConfigJson(config, replset, { configsvr: props.clusterRole === "configsvr" });
    this.dataHosts = dataMemberHosts(config, replset);

    // Every member, arbiter included, gets its stable DNS name here, published before it is
    // ready: members must find each other to be initiated at all.
    this.headlessService = new ServiceV1(this, "headless-service", {
      metadata: { name: headlessServiceName(replset), namespace, labels },
      spec: {
        clusterIp: "None",
        publishNotReadyAddresses: true,
        selector: voting,
        port: [{ name: "mongodb", port, targetPort: "mongodb", protocol: "TCP" }],
      },
    });
    // The data members only: an arbiter serves no reads or writes.
    this.clientService = new ServiceV1(this, "client-service", {
      metadata: { name: clientServiceName(replset), namespace, labels },
      spec: {
        type: "ClusterIP",
        selector: replsetSelector(config, replset, "data"),
        port: [{ name: "mongodb", port, targetPort: "mongodb", protocol: "TCP" }],
      },
    });

    const conf = (memoryLimit: string, oplogMinRetentionHours?: number) =>
      renderMongodConf({
        replSetName: replset.name,
        port,
        dbPath: MOUNT.data,
        keyFile: KEYFILE_PATH,
        memoryLimit,
        oplogMinRetentionHours,
        shutdownQuiesceSeconds: config.pod.shutdownQuiesceSeconds,
        clusterRole: props.clusterRole,
        tls: config.tls,
      });
    const dataConf = conf(replset.resources.limits.memory, replset.oplogMinRetentionHours);
    const arbiterConf = replset.arbiter.enabled ? conf(replset.arbiter.resources.limits.memory) : undefined;
    const scripts = podScriptsData();
    this.configMap = new ConfigMapV1(this, "config-map", {
      metadata: { name: replsetConfigMapName(replset), namespace, labels },
      data: configMapData(
        {
          "mongod.conf": dataConf,
          ...(arbiterConf ? { "mongod-arbiter.conf": arbiterConf } : {}),
          [REPLICASET_CONFIG_KEY]: this.desiredConfigJson,
          "mongosh.conf": MONGOSH_CONF,
          // Outside the pods' config hash: raising the mode restarts nothing (tls-server.ts).
          ...tlsModeConfigData(config.tls),
          ...scripts,
        },
        `ConfigMap ${replsetConfigMapName(replset)}`,
      ),
    });

    const scriptsText = Object.values(scripts).join("\0");
    const members: Omit<MemberStatefulSetProps, "name" | "resources" | "selector" | "podConfigHash"> = {
      namespace,
      serviceName: headlessServiceName(replset),
      image: config.image,
      port,
      pod: config.pod,
      serviceAccountName: props.serviceAccountName,
      // The member name is data (host names in the replica-set config): the ConfigMap's name is
      // known up front, the reference only orders the apply.
      configMapName: this.configMap.metadata.name,
      scriptItems: podScriptsItems(),
      keyfileSecret: config.secrets.keyfile,
      labels,
      votingSelector: voting,
      tls: config.tls,
      serverTls: serverTlsPodParts(config.tls, config.image),
    };

    this.dataMembers = new DataMembers(this, "data", {
      ...members,
      name: dataStatefulSetName(replset),
      replicas: replset.members.length,
      storage: replset.storage,
      resources: replset.resources,
      selector: replsetSelector(config, replset, "data"),
      bootstrapSecret: config.secrets.bootstrap,
      ...(config.monitoring.enabled ? { exporter: exporterSidecar({ image: config.monitoring.exporterImage, secretName: config.secrets.monitor, tls: exporterTls(config.tls) }) } : {}),
      tlsSidecars: tlsSidecars(config, "member", members.port),
      tlsVolumes: tlsSidecarVolumes(config, "member"),
      podConfigHash: contentHash(dataConf, MONGOSH_CONF, scriptsText),
    });
    this.statefulSets = [this.dataMembers.statefulSet];

    // Plan-time guards that read this ConfigMap as the last deploy left it, through a data
    // source; on a first deploy it does not exist and reads as an empty `data` map, without an
    // error (provider v2.38.0: data_source_kubernetes_config_map_v1_test.go, the `_nonexistent`
    // case checks `data.% = 0`), which each condition's try() reads as "nothing deployed".
    // - Removing the arbiter in the deploy that adds a data member (replicaset/arbiter-removal-guard.ts).
    // - A silent TLS jump: a running plaintext set straight to preferTLS or requireTLS, or a
    //   set using TLS straight to disabled (config/tls-rules.ts, tlsJumpCondition).
    const deployedId = `deployed_${replset.name}_config`;
    const deployedData = `data.kubernetes_config_map_v1.${deployedId}.data`;
    const preconditions: { condition: string; error_message: string }[] = [];
    if (!replset.arbiter.enabled && props.clusterRole !== "configsvr")
      preconditions.push({ condition: arbiterRemovalCondition(`${deployedData}["${REPLICASET_CONFIG_KEY}"]`, this.dataHosts), error_message: ARBITER_REMOVAL_MESSAGE });
    const tlsJump = tlsJumpCondition(deployedData, config.tls.mode, "mongod.conf");
    if (tlsJump) preconditions.push({ condition: tlsJump, error_message: tlsJumpMessage(config.tls.mode) });
    if (preconditions.length) {
      const deployed = new DataKubernetesConfigMapV1(this, "deployed-config", { metadata: { name: replsetConfigMapName(replset), namespace } });
      deployed.overrideLogicalId(deployedId);
      this.dataMembers.statefulSet.addOverride("lifecycle.precondition", preconditions);
    }

    if (replset.arbiter.enabled && arbiterConf) {
      this.arbiter = new Arbiter(this, "arbiter", {
        ...members,
        name: arbiterStatefulSetName(replset),
        resources: replset.arbiter.resources,
        selector: replsetSelector(config, replset, "arbiter"),
        podConfigHash: contentHash(arbiterConf, MONGOSH_CONF, scriptsText),
        tlsSidecars: tlsSidecars(config, "arbiter", members.port),
        tlsVolumes: tlsSidecarVolumes(config, "arbiter"),
        // One workload at a time: a rolling update of the data members and a restart of the
        // arbiter at once could take two of three votes down together.
        dependsOn: [this.dataMembers.statefulSet],
      });
      this.statefulSets.push(this.arbiter.statefulSet);
    }

    // Voluntary disruptions (drains, upgrades) take down one voting member at a time.
    this.disruptionBudget = new PodDisruptionBudgetV1(this, "disruption-budget", {
      metadata: { name: dataStatefulSetName(replset), namespace, labels },
      spec: { maxUnavailable: "1", selector: { matchLabels: voting } },
    });

    this.networkPolicy = new MemberNetworkPolicy(this, "network-policy", {
      namespace,
      name: `${dataStatefulSetName(replset)}-ingress`,
      labels,
      members: voting,
      peers: databasePodSelector(config),
      jobs: { ...DB_CLIENT_LABEL },
      // MongoDB requires every member of a sharded cluster to reach every other (members, config
      // servers, mongos: all databasePodSelector); clients are a separate choice.
      clientNamespaces: props.admitClients === false ? [] : config.network.clientNamespaces,
      clientPods: props.admitClients === false ? [] : config.network.clientPods,
      port,
    });
  }
}
