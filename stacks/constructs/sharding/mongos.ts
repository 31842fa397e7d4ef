// mongos: the router that applications, migrations and the sharding Job connect to once the
// cluster is sharded. Stateless, so a Deployment; its pods carry the database's pod labels, so
// the members' network policy admits them as peers, and a policy of its own admits the clients.

import { exporterSidecar } from "../monitoring/exporter";
import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import { DeploymentV1, DeploymentV1SpecTemplateSpecContainer } from "@cdktf/provider-kubernetes/lib/deployment-v1";
import { PodDisruptionBudgetV1 } from "@cdktf/provider-kubernetes/lib/pod-disruption-budget-v1";
import { ServiceV1 } from "@cdktf/provider-kubernetes/lib/service-v1";
import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import * as path from "node:path";
import type { PlatformConfig } from "../../../config/platform-config";
import { commonLabels, DB_CLIENT_LABEL, MONGODB_PORT, MONGOS_NAME } from "../../naming";
import { MemberNetworkPolicy } from "../member-network-policy";
import {
  containerResources,
  containerSecurityContext,
  contentHash,
  KEYFILE_PATH,
  keyfileInitContainer,
  keyfileVolumes,
  memberTopologySpread,
  MONGOSH_CONF,
  MONGOSH_ENV,
  mongoshConfMount,
  MOUNT,
  podSecurityContext,
  tmpMount,
  tmpVolume,
} from "../member-pod";
import { POD_CONFIG_HASH_ANNOTATION } from "../member-stateful-set";
import { databasePodSelector } from "../replica-set";
import { renderMongosConf } from "./mongos-config";
import { readEmbeddedFile } from "../../../config/embedded-file";
import { mongoshTlsArgs, type TlsConfig } from "../../../config/tls";
import { exporterTls, memberTlsClientParts } from "../tls-client";
import { configMapData, literalArgs, literalEnv } from "../../terraform-text";
import { serverTlsOn } from "../../../config/tls";
import { serverTlsPodParts, tlsModeConfigData } from "../tls-server";
import { PodScript, podScriptKey, podScriptText } from "../pod-scripts";
import { tlsSidecars, tlsSidecarVolumes } from "../tls-sidecar";

const INSTALL_KEYFILE = "install-keyfile.sh";
/**
 * With TLS on: mongos starts through run-mongod.sh (it passes the mode) after tls-assemble.sh,
 * and the rotation sidecar's scripts (tls-sidecar.ts).
 */
const TLS_SCRIPTS: PodScript[] = ["run-mongod.sh", "tls-assemble.sh", "tls-rotate.sh", "mongosh/rotate-certificates.js"];
/**
 * mongos's tlsMode on the pod template: no Job can reach each mongos pod behind the Service to
 * run setParameter on it, so a mode step (allowTLS → preferTLS → requireTLS) rolls the mongos
 * Deployment instead: stateless, one new pod ready before an old one goes (maxSurge 1,
 * maxUnavailable 0), so the routers never all go at once (docs/tls.md, "Turning TLS on").
 */
export const MONGOS_TLS_MODE_ANNOTATION = "nyrkio.io/tls-mode";

/** Selects the mongos pods: the database's pod labels (the members admit those) plus the component. */
export function mongosSelector(config: PlatformConfig): Record<string, string> {
  return { ...databasePodSelector(config), "app.kubernetes.io/component": "mongos" };
}

type Probe = NonNullable<DeploymentV1SpecTemplateSpecContainer["readinessProbe"]>;

/**
 * ping needs no credentials; mongosh over localhost, as the members' readiness does. With clients
 * on TLS, mongoshTlsArgs: the certificate and the host name verified (mongosh --port alone connects
 * to 127.0.0.1, which the SANs hold).
 */
function pingProbe(tls: TlsConfig, timing: Omit<Probe, "exec">): Probe {
  const tlsArgs = serverTlsOn(tls) ? mongoshTlsArgs({ ...tls, mode: "requireTLS" }) : [];
  const argv = ["mongosh", "--quiet", "--norc", "--port", String(MONGODB_PORT), ...tlsArgs, "--eval", "quit(db.adminCommand({ ping: 1 }).ok === 1 ? 0 : 1)"];
  return { exec: { command: literalArgs(argv, "mongos probe") }, ...timing };
}

export interface MongosProps {
  config: PlatformConfig;
  namespace: string;
  serviceAccountName: string;
  /** The config servers' and the shards' StatefulSets: mongos starts, and takes a new image, after them. */
  dependsOn: ITerraformDependable[];
}

export class Mongos extends Construct {
  readonly configMap: ConfigMapV1;
  readonly deployment: DeploymentV1;
  readonly service: ServiceV1;
  readonly disruptionBudget: PodDisruptionBudgetV1;
  readonly networkPolicy: MemberNetworkPolicy;

  constructor(scope: Construct, id: string, props: MongosProps) {
    super(scope, id);
    const { config, namespace } = props;
    const selector = mongosSelector(config);
    const labels = { ...commonLabels(config), "app.kubernetes.io/component": "mongos" };
    const replicas = config.sharding.mongos.replicas;

    const mongosConf = renderMongosConf(config, KEYFILE_PATH);
    const installKeyfile = readEmbeddedFile(path.join(__dirname, "..", "..", "scripts", INSTALL_KEYFILE));
    const tlsOn = serverTlsOn(config.tls);
    const tlsScripts = tlsOn ? TLS_SCRIPTS : [];
    const tls = serverTlsPodParts(config.tls, config.image);
    this.configMap = new ConfigMapV1(this, "config-map", {
      metadata: { name: `${MONGOS_NAME}-config`, namespace, labels },
      data: configMapData(
        // The mode is a key of its own (tls-server.ts); the pod template's tls-mode annotation rolls mongos on a step.
        { "mongos.conf": mongosConf, "mongosh.conf": MONGOSH_CONF, [INSTALL_KEYFILE]: installKeyfile, ...tlsModeConfigData(config.tls), ...Object.fromEntries(tlsScripts.map((s) => [podScriptKey(s), podScriptText(s)])) },
        `ConfigMap ${MONGOS_NAME}-config`,
      ),
    });

    const mongos: DeploymentV1SpecTemplateSpecContainer = {
      name: "mongos",
      image: config.image,
      command: literalArgs(tlsOn ? ["bash", `${MOUNT.scripts}/run-mongod.sh`] : ["mongos"], MONGOS_NAME),
      args: literalArgs(["--config", `${MOUNT.config}/mongos.conf`], MONGOS_NAME),
      port: [{ name: "mongodb", containerPort: MONGODB_PORT, protocol: "TCP" }],
      env: literalEnv([...MONGOSH_ENV, ...(tlsOn ? [{ name: "MONGO_SERVER", value: "mongos" }] : []), ...tls.env, ...memberTlsClientParts(config.tls).env], MONGOS_NAME),
      resources: containerResources(config.sharding.mongos.resources),
      securityContext: containerSecurityContext(),
      // mongos answers only once it reaches the config servers: give a fresh cluster time.
      startupProbe: pingProbe(config.tls, { periodSeconds: 10, timeoutSeconds: 10, failureThreshold: 60 }),
      readinessProbe: pingProbe(config.tls, { periodSeconds: 10, timeoutSeconds: 10, failureThreshold: 3, successThreshold: 1 }),
      livenessProbe: { tcpSocket: [{ port: "mongodb" }], periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 6 },
      volumeMount: [
        { name: "keyfile", mountPath: MOUNT.keyfile, readOnly: true },
        { name: "config", mountPath: MOUNT.config, readOnly: true },
        mongoshConfMount,
        tmpMount,
        ...(tlsOn ? [{ name: "scripts", mountPath: MOUNT.scripts, readOnly: true }] : []),
        ...tls.volumeMount,
        ...memberTlsClientParts(config.tls).volumeMount,
      ],
    };

    this.deployment = new DeploymentV1(this, "deployment", {
      metadata: { name: MONGOS_NAME, namespace, labels: { ...labels, ...selector } },
      spec: {
        replicas: String(replicas),
        selector: { matchLabels: selector },
        // A new pod is ready before an old one goes: the Service never loses all its routers.
        strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "1", maxUnavailable: "0" } },
        template: {
          metadata: {
            labels: { ...labels, ...selector },
            annotations: {
              [POD_CONFIG_HASH_ANNOTATION]: contentHash(mongosConf, MONGOSH_CONF, installKeyfile, ...tlsScripts.map(podScriptText)),
              ...(tlsOn ? { [MONGOS_TLS_MODE_ANNOTATION]: config.tls.mode } : {}),
            },
          },
          spec: {
            serviceAccountName: props.serviceAccountName,
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            terminationGracePeriodSeconds: config.pod.terminationGracePeriodSeconds,
            securityContext: podSecurityContext(),
            ...(config.pod.nodeSelector && Object.keys(config.pod.nodeSelector).length ? { nodeSelector: config.pod.nodeSelector } : {}),
            topologySpreadConstraint: memberTopologySpread(config.pod, selector, replicas),
            initContainer: [keyfileInitContainer(config.image), ...tls.initContainers],
            container: [
              mongos,
              ...(config.monitoring.enabled ? [exporterSidecar({ image: config.monitoring.exporterImage, secretName: config.secrets.monitor, tls: exporterTls(config.tls) })] : []),
              ...tlsSidecars(config, "mongos", MONGODB_PORT),
            ],
            volume: [
              ...keyfileVolumes(config.secrets.keyfile),
              {
                name: "config",
                configMap: {
                  name: this.configMap.metadata.name,
                  items: [
                    { key: "mongos.conf", path: "mongos.conf" },
                    { key: "mongosh.conf", path: "mongosh.conf" },
                    ...tls.configItems,
                  ],
                },
              },
              {
                name: "scripts",
                configMap: {
                  name: this.configMap.metadata.name,
                  defaultMode: "0555",
                  items: [{ key: INSTALL_KEYFILE, path: INSTALL_KEYFILE }, ...tlsScripts.map((s) => ({ key: podScriptKey(s), path: s }))],
                },
              },
              tmpVolume(),
              ...tls.volumes,
              ...memberTlsClientParts(config.tls).volume,
              ...tlsSidecarVolumes(config, "mongos"),
            ],
          },
        },
      },
      waitForRollout: true,
      timeouts: { create: "15m", update: "15m" },
      dependsOn: props.dependsOn,
    });

    this.service = new ServiceV1(this, "service", {
      metadata: { name: MONGOS_NAME, namespace, labels },
      spec: {
        type: "ClusterIP",
        selector,
        port: [{ name: "mongodb", port: MONGODB_PORT, targetPort: "mongodb", protocol: "TCP" }],
      },
    });

    this.disruptionBudget = new PodDisruptionBudgetV1(this, "disruption-budget", {
      metadata: { name: MONGOS_NAME, namespace, labels },
      spec: { maxUnavailable: "1", selector: { matchLabels: selector } },
    });

    // The same sources as the members: the database's own pods, the project's jobs, the clients.
    this.networkPolicy = new MemberNetworkPolicy(this, "network-policy", {
      namespace,
      name: `${MONGOS_NAME}-ingress`,
      labels,
      members: selector,
      peers: databasePodSelector(config),
      jobs: { ...DB_CLIENT_LABEL },
      clientNamespaces: config.network.clientNamespaces,
      clientPods: config.network.clientPods,
      port: MONGODB_PORT,
    });
  }
}
