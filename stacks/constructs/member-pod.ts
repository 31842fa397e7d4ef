// The parts every pod of the database shares: where things are mounted, the security contexts,
// the keyfile's init container, the probes and the spread over nodes and zones. Pure functions
// that return provider structs, so each decision is visible and testable on its own.

import type {
  StatefulSetV1SpecTemplateSpec,
  StatefulSetV1SpecTemplateSpecAffinity,
  StatefulSetV1SpecTemplateSpecContainer,
  StatefulSetV1SpecTemplateSpecContainerSecurityContext,
  StatefulSetV1SpecTemplateSpecContainerStartupProbe,
  StatefulSetV1SpecTemplateSpecSecurityContext,
  StatefulSetV1SpecTemplateSpecTopologySpreadConstraint,
  StatefulSetV1SpecTemplateSpecVolume,
} from "@cdktf/provider-kubernetes/lib/stateful-set-v1";
import { createHash } from "node:crypto";
import type { PlatformConfig, ResourcesConfig } from "../../config/platform-config";
import type { TlsConfig } from "../../config/tls";
import { SECRET_KEYS } from "../../replicaset/reconcile-paths";
import { literalArgs, literalEnv } from "../terraform-text";
import { memberTlsClientParts } from "./tls-client";

export type Container = StatefulSetV1SpecTemplateSpecContainer;
export type Volume = StatefulSetV1SpecTemplateSpecVolume;
export type PodConfig = PlatformConfig["pod"];

/** uid and gid of the `mongodb` user in the official image. */
export const MONGODB_UID = "999";

/** Mount paths inside the pods; the scripts and the reconcile Job rely on them. */
export const MOUNT = {
  data: "/data/db",
  keyfileSecret: "/etc/nyrkio/keyfile-secret",
  keyfile: "/etc/nyrkio/keyfile",
  config: "/etc/nyrkio/config",
  scripts: "/etc/nyrkio/scripts",
  tmp: "/tmp",
  mongoshConf: "/etc/mongosh.conf",
  /** Each user's Secret (keys `username`, `password`). */
  secret: (user: string) => `/etc/nyrkio/secrets/${user}`,
} as const;
export const KEYFILE_PATH = `${MOUNT.keyfile}/keyfile`;
/** ConfigMap key (and file name under MOUNT.config) of the desired replica-set config. */
export const REPLICASET_CONFIG_KEY = "replicaset.json";

/** mongosh's global config: no log files piling up in /tmp from every probe, no telemetry. */
export const MONGOSH_CONF = "mongosh:\n  disableLogging: true\n  enableTelemetry: false\n  forceDisableTelemetry: true\n";

/** mongosh keeps its state under $HOME; the root filesystem is read-only, /tmp is not. */
export const MONGOSH_ENV = [{ name: "HOME", value: MOUNT.tmp }];

export function podSecurityContext(): StatefulSetV1SpecTemplateSpecSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: MONGODB_UID,
    runAsGroup: MONGODB_UID,
    // The data volume becomes writable for the mongodb group; OnRootMismatch skips the
    // recursive chown on every start once ownership is right (large volumes start fast).
    fsGroup: MONGODB_UID,
    fsGroupChangePolicy: "OnRootMismatch",
    seccompProfile: { type: "RuntimeDefault" },
  };
}

export function containerSecurityContext(): StatefulSetV1SpecTemplateSpecContainerSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: MONGODB_UID,
    runAsGroup: MONGODB_UID,
    privileged: false,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
  };
}

/** Requests and limits as the provider takes them; a CPU limit only when configured (throttling hurts a database more than sharing). */
export function containerResources(r: ResourcesConfig): NonNullable<Container["resources"]> {
  return {
    requests: { cpu: r.requests.cpu, memory: r.requests.memory },
    limits: { memory: r.limits.memory, ...(r.limits.cpu ? { cpu: r.limits.cpu } : {}) },
  };
}

/** Small helpers (init container, bootstrap sidecar): mongosh alone needs about 100 MiB while it runs. */
export const HELPER_RESOURCES: ResourcesConfig = { requests: { cpu: "10m", memory: "64Mi" }, limits: { memory: "256Mi" } };

export function tmpVolume(): Volume {
  return { name: "tmp", emptyDir: { sizeLimit: "256Mi" } };
}

/**
 * A user's Secret (keys `username` and `password`) as read-only files, readable by the mongodb
 * group only: how every pod of the platform gets credentials (never env, never argv).
 * `optional`: the pod starts without the Secret, with an empty directory in its place
 * (kubernetes/kubernetes pkg/volume/secret/secret.go, secretVolumeMounter.SetUpAt: a NotFound
 * Secret that is optional is mounted as an empty one, and MakePayload skips its missing items).
 */
export function credentialsVolume(name: string, secretName: string, opts: { optional?: boolean } = {}): Volume {
  return {
    name,
    secret: {
      secretName,
      defaultMode: "0440",
      ...(opts.optional ? { optional: true } : {}),
      items: [
        { key: SECRET_KEYS.username, path: SECRET_KEYS.username },
        { key: SECRET_KEYS.password, path: SECRET_KEYS.password },
      ],
    },
  };
}

export const tmpMount = { name: "tmp", mountPath: MOUNT.tmp };
export const mongoshConfMount = { name: "config", mountPath: MOUNT.mongoshConf, subPath: "mongosh.conf", readOnly: true };

/** The keyfile Secret (read by the init container only) and the private copy mongod reads. */
export function keyfileVolumes(keyfileSecret: string): Volume[] {
  return [
    { name: "keyfile-secret", secret: { secretName: keyfileSecret, defaultMode: "0440", items: [{ key: "keyfile", path: "keyfile" }] } },
    { name: "keyfile", emptyDir: { medium: "Memory", sizeLimit: "1Mi" } },
  ];
}

/**
 * mongod refuses a keyfile that group or others can read, and a Secret volume under fsGroup is
 * group-readable: the init container copies it to an in-memory emptyDir with mode 0400.
 */
export function keyfileInitContainer(image: string): Container {
  return {
    name: "install-keyfile",
    image,
    command: literalArgs(["bash", `${MOUNT.scripts}/install-keyfile.sh`], "install-keyfile"),
    env: literalEnv(
      [
        { name: "KEYFILE_SOURCE", value: `${MOUNT.keyfileSecret}/keyfile` },
        { name: "KEYFILE_PATH", value: KEYFILE_PATH },
      ],
      "install-keyfile",
    ),
    resources: containerResources(HELPER_RESOURCES),
    securityContext: containerSecurityContext(),
    volumeMount: [
      { name: "keyfile-secret", mountPath: MOUNT.keyfileSecret, readOnly: true },
      { name: "keyfile", mountPath: MOUNT.keyfile },
      { name: "scripts", mountPath: MOUNT.scripts, readOnly: true },
    ],
  };
}

type Probe = StatefulSetV1SpecTemplateSpecContainerStartupProbe;

/** pod.readyMaxLagSeconds when not configured. */
export const DEFAULT_READY_MAX_LAG_SECONDS = 15;

function probe(mode: "startup" | "readiness" | "liveness", timing: Omit<Probe, "exec">): Probe {
  return { exec: { command: literalArgs(["bash", `${MOUNT.scripts}/probe.sh`, mode], `${mode} probe`) }, ...timing };
}

/**
 * Probes run mongosh over localhost without credentials. Timeouts are generous because mongosh
 * itself takes a second or two to start on a busy node; the startup probe allows ten minutes
 * for crash recovery of a large data set before liveness takes over.
 */
export function memberProbes(): Pick<Container, "startupProbe" | "readinessProbe" | "livenessProbe"> {
  return {
    startupProbe: probe("startup", { periodSeconds: 10, timeoutSeconds: 10, failureThreshold: 60 }),
    readinessProbe: probe("readiness", { periodSeconds: 10, timeoutSeconds: 10, failureThreshold: 3, successThreshold: 1 }),
    livenessProbe: probe("liveness", { periodSeconds: 20, timeoutSeconds: 10, failureThreshold: 6 }),
  };
}

/**
 * Spreads the voting members of one replica set (data members and arbiter alike: losing a node
 * must never cost a majority of votes) over nodes, and over zones when configured.
 * Nothing here depends on votes, priorities or the number of members: they change live (the
 * reconcile Job), and a pod-template change would restart every member, the primary included,
 * in the middle of the PSA mitigation that needs them up. `required` is a pod anti-affinity on
 * the node (memberAffinity), which never co-locates two members however many there are.
 */
export function memberTopologySpread(
  pod: PodConfig,
  votingSelector: Record<string, string>,
  /** Only for pods whose count is not live state (mongos): a missing node counts as an empty domain. */
  minDomains?: number,
): StatefulSetV1SpecTemplateSpecTopologySpreadConstraint[] {
  const labelSelector = [{ matchLabels: votingSelector }];
  const nodes: StatefulSetV1SpecTemplateSpecTopologySpreadConstraint =
    pod.nodeSpread === "required"
      ? { topologyKey: "kubernetes.io/hostname", maxSkew: 1, whenUnsatisfiable: "DoNotSchedule", ...(minDomains !== undefined ? { minDomains } : {}), labelSelector }
      : { topologyKey: "kubernetes.io/hostname", maxSkew: 1, whenUnsatisfiable: "ScheduleAnyway", labelSelector };
  if (pod.zoneSpread === "none") return [nodes];
  const zones: StatefulSetV1SpecTemplateSpecTopologySpreadConstraint = {
    topologyKey: "topology.kubernetes.io/zone",
    maxSkew: 1,
    whenUnsatisfiable: pod.zoneSpread === "required" ? "DoNotSchedule" : "ScheduleAnyway",
    labelSelector,
  };
  return [nodes, zones];
}

/** With `nodeSpread: required`, no node ever runs two members of the set (a member with no free node stays Pending). */
export function memberAffinity(pod: PodConfig, votingSelector: Record<string, string>): StatefulSetV1SpecTemplateSpecAffinity | undefined {
  if (pod.nodeSpread !== "required") return undefined;
  return { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: "kubernetes.io/hostname", labelSelector: [{ matchLabels: votingSelector }] }] } };
}

/** Short, stable digest of the files a pod reads at start: a change rolls the pods, nothing else does. */
export function contentHash(...parts: string[]): string {
  const h = createHash("sha256");
  for (const p of parts) h.update(p).update("\0");
  return h.digest("hex").slice(0, 16);
}

export interface MemberPodOptions {
  image: string;
  port: number;
  pod: PodConfig;
  serviceAccountName: string;
  /** ConfigMap with mongod.conf (under `confKey`), mongosh.conf and the pod scripts. */
  configMapName: string;
  confKey: string;
  scriptItems: { key: string; path: string }[];
  keyfileSecret: string;
  resources: ResourcesConfig;
  /** Volume mounted at /data/db: the claim template's `data`, or an emptyDir for an arbiter. */
  dataVolume?: Volume;
  votingSelector: Record<string, string>;
  sidecars?: Container[];
  extraVolumes?: Volume[];
  /** With TLS on, the probes verify the server (the CA volume and NYRKIO_TLS_CA_FILE: tls-client.ts memberTlsClientParts). */
  tls: TlsConfig;
  /** What TLS adds to the pod (stacks/constructs/tls-server.ts, serverTlsPodParts); omitted: none. */
  serverTls?: ServerTlsPodParts;
}

/** TLS's additions to a mongod or mongos pod: all empty with TLS off. */
export interface ServerTlsPodParts {
  initContainers: Container[];
  /** The server container's env and mounts. */
  env: { name: string; value: string }[];
  volumeMount: { name: string; mountPath: string; readOnly: boolean }[];
  /** Items of the `config` ConfigMap volume. */
  configItems: { key: string; path: string }[];
  volumes: Volume[];
}

/** The pod of a replica-set member (data or arbiter): mongod, run without the image's entrypoint. */
export function memberPodSpec(o: MemberPodOptions): StatefulSetV1SpecTemplateSpec {
  const tls: ServerTlsPodParts = o.serverTls ?? { initContainers: [], env: [], volumeMount: [], configItems: [], volumes: [] };
  const tlsClient = memberTlsClientParts(o.tls);
  const mongod: Container = {
    name: "mongod",
    image: o.image,
    // The image's entrypoint is skipped on purpose: it creates users from environment variables
    // and rewrites the config under /tmp; here the config is data and users come from Secrets.
    // run-mongod.sh keeps the one thing of it that matters here: numactl --interleave=all where
    // it works.
    command: literalArgs(["bash", `${MOUNT.scripts}/run-mongod.sh`], "mongod"),
    args: literalArgs(["--config", `${MOUNT.config}/mongod.conf`], "mongod"),
    port: [{ name: "mongodb", containerPort: o.port, protocol: "TCP" }],
    env: literalEnv(
      [
        ...MONGOSH_ENV,
        { name: "MONGODB_PORT", value: String(o.port) },
        // Read by the readiness probe (mongosh/readiness.js): the peers, this member's host among
        // them, and the lag a ready secondary may have.
        { name: "REPLICASET_CONFIG", value: `${MOUNT.config}/${REPLICASET_CONFIG_KEY}` },
        { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
        { name: "READY_MAX_LAG_SECONDS", value: String(o.pod.readyMaxLagSeconds ?? DEFAULT_READY_MAX_LAG_SECONDS) },
        ...tls.env,
        ...tlsClient.env,
      ],
      "mongod",
    ),
    resources: containerResources(o.resources),
    securityContext: containerSecurityContext(),
    ...memberProbes(),
    volumeMount: [
      { name: "data", mountPath: MOUNT.data },
      { name: "keyfile", mountPath: MOUNT.keyfile, readOnly: true },
      { name: "config", mountPath: MOUNT.config, readOnly: true },
      { name: "scripts", mountPath: MOUNT.scripts, readOnly: true },
      mongoshConfMount,
      tmpMount,
      ...tls.volumeMount,
      ...tlsClient.volumeMount,
    ],
  };
  return {
    serviceAccountName: o.serviceAccountName,
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    terminationGracePeriodSeconds: o.pod.terminationGracePeriodSeconds,
    securityContext: podSecurityContext(),
    ...(o.pod.nodeSelector && Object.keys(o.pod.nodeSelector).length ? { nodeSelector: o.pod.nodeSelector } : {}),
    topologySpreadConstraint: memberTopologySpread(o.pod, o.votingSelector),
    ...(memberAffinity(o.pod, o.votingSelector) ? { affinity: memberAffinity(o.pod, o.votingSelector) } : {}),
    initContainer: [keyfileInitContainer(o.image), ...tls.initContainers],
    container: [mongod, ...(o.sidecars ?? [])],
    volume: [
      ...(o.dataVolume ? [o.dataVolume] : []),
      ...keyfileVolumes(o.keyfileSecret),
      {
        name: "config",
        configMap: {
          name: o.configMapName,
          items: [
            { key: o.confKey, path: "mongod.conf" },
            { key: REPLICASET_CONFIG_KEY, path: REPLICASET_CONFIG_KEY },
            { key: "mongosh.conf", path: "mongosh.conf" },
            ...tls.configItems,
          ],
        },
      },
      { name: "scripts", configMap: { name: o.configMapName, defaultMode: "0555", items: o.scriptItems } },
      tmpVolume(),
      ...tls.volumes,
      ...(o.extraVolumes ?? []),
      ...tlsClient.volume,
    ],
  };
}
