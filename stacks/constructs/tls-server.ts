// What TLS adds to the pods of mongod (data members, arbiters, config servers) and mongos
// (docs/tls.md): the certificate Secret mounted whole as a directory, the memory-backed directory
// where tls-assemble.sh writes the PEM mongod reads, the init container that runs it, and the
// mode, read at start from a ConfigMap key outside the pods' config hash.
//
// The pod template (and its config hash) changes when TLS goes from off to on, or the member
// authentication changes: both need a restart. It does not change when the mode moves among
// allowTLS, preferTLS and requireTLS: that is raised live (setParameter tlsMode, by the reconcile
// Job), and a pod that restarts later reads the new mode from the ConfigMap.

import type { TlsConfig } from "../../config/platform-config";
import { TLS_MODE_CONFIG_KEY } from "../../config/tls-rules";
import { serverTlsOn, TLS_RUNTIME_DIR, TLS_SECRET_DIR, TLS_SERVER_CA_FILE, TLS_SERVER_PEM_FILE } from "../../config/tls";
import { literalArgs, literalEnv } from "../terraform-text";
import { Container, containerResources, containerSecurityContext, HELPER_RESOURCES, MOUNT, ServerTlsPodParts, Volume } from "./member-pod";

export const TLS_VOLUMES = { secret: "tls-secret", runtime: "tls-runtime" } as const;

/** Where run-mongod.sh reads the mode at start (the `config` volume's item of TLS_MODE_CONFIG_KEY). */
export const TLS_MODE_FILE = `${MOUNT.config}/${TLS_MODE_CONFIG_KEY}`;

/** The Secret (whole, never subPath: a subPath mount never receives updates) and the in-memory runtime directory. */
export function tlsServerVolumes(tls: TlsConfig): Volume[] {
  if (!serverTlsOn(tls) || !tls.certificates) return [];
  return [
    // 0440 under the pod's fsGroup: the mongodb group reads it, nobody else.
    { name: TLS_VOLUMES.secret, secret: { secretName: tls.certificates.secretName, defaultMode: "0440" } },
    { name: TLS_VOLUMES.runtime, emptyDir: { medium: "Memory", sizeLimit: "1Mi" } },
  ];
}

export const tlsSecretMount = { name: TLS_VOLUMES.secret, mountPath: TLS_SECRET_DIR, readOnly: true };
/** Writable for tls-assemble.sh (init container, rotation sidecar); mongod and mongos mount it read-only. */
export const tlsRuntimeMount = (readOnly: boolean) => ({ name: TLS_VOLUMES.runtime, mountPath: TLS_RUNTIME_DIR, readOnly });

/** The env tls-assemble.sh reads (its defaults are the same paths; spelled out so the pod spec shows them). */
export function tlsAssembleEnv(): { name: string; value: string }[] {
  return [
    { name: "TLS_SECRET_DIR", value: TLS_SECRET_DIR },
    { name: "TLS_SERVER_PEM_FILE", value: TLS_SERVER_PEM_FILE },
    { name: "TLS_SERVER_CA_FILE", value: TLS_SERVER_CA_FILE },
  ];
}

/** Runs stacks/scripts/tls-assemble.sh before mongod or mongos starts: a bad Secret fails the pod here, with the reason. */
export function tlsAssembleInitContainer(image: string): Container {
  return {
    name: "tls-assemble",
    image,
    command: literalArgs(["bash", `${MOUNT.scripts}/tls-assemble.sh`], "tls-assemble"),
    env: literalEnv(tlsAssembleEnv(), "tls-assemble"),
    resources: containerResources(HELPER_RESOURCES),
    securityContext: containerSecurityContext(),
    volumeMount: [tlsSecretMount, tlsRuntimeMount(false), { name: "scripts", mountPath: MOUNT.scripts, readOnly: true }],
  };
}

/**
 * Everything TLS adds to a mongod or mongos pod, or nothing with TLS off: the init container,
 * the server container's env (where the mode is) and read-only runtime directory, the mode's
 * item of the `config` volume, and the two volumes. None of it depends on the mode, so moving
 * among allowTLS, preferTLS and requireTLS leaves the pod template as it is.
 */
export function serverTlsPodParts(tls: TlsConfig, image: string): ServerTlsPodParts {
  if (!serverTlsOn(tls)) return { initContainers: [], env: [], volumeMount: [], configItems: [], volumes: [] };
  return {
    initContainers: [tlsAssembleInitContainer(image)],
    env: [{ name: "TLS_MODE_FILE", value: TLS_MODE_FILE }],
    volumeMount: [tlsRuntimeMount(true)],
    configItems: [{ key: TLS_MODE_CONFIG_KEY, path: TLS_MODE_CONFIG_KEY }],
    volumes: tlsServerVolumes(tls),
  };
}

/** ConfigMap data: the mode, always (the plan-time jump guard reads what the last deploy left). */
export function tlsModeConfigData(tls: TlsConfig): Record<string, string> {
  return { [TLS_MODE_CONFIG_KEY]: tls.mode };
}
