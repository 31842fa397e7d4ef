// The TLS sidecar of every data member, arbiter and mongos pod (stacks/scripts/tls-rotate.sh):
// on a data member or mongos it runs rotateCertificates as the rotator user when the certificate
// Secret changes; on an arbiter, which holds no users, it restarts the arbiter safely instead
// (replicaset/arbiter-restart.ts). Only while TLS is on (config/tls.ts serverTlsOn).
//
// The volumes it shares with mongod (t15a renders the mongod side): the certificate Secret
// mounted whole at TLS_SECRET_DIR (never with subPath, which never receives updates:
// https://kubernetes.io/docs/concepts/configuration/secret/#using-secrets-as-files-from-a-pod) and
// the memory-backed TLS_RUNTIME_DIR that mongod reads its PEM and CA file from.

import type { PlatformConfig } from "../../config/platform-config";
import { mongoshTlsArgs, serverTlsOn, TLS_RUNTIME_DIR, TLS_SECRET_DIR, TLS_SERVER_CA_FILE, TLS_SERVER_PEM_FILE } from "../../config/tls";
import { Container, containerResources, containerSecurityContext, credentialsVolume, HELPER_RESOURCES, MONGOSH_ENV, mongoshConfMount, MOUNT, REPLICASET_CONFIG_KEY, tmpMount, Volume } from "./member-pod";
import { literalArgs, literalEnv } from "../terraform-text";

/** Volume names: the certificate Secret, the runtime directory mongod reads, the rotator's Secret. */
export const TLS_VOLUMES = { secret: "tls", runtime: "tls-runtime", rotator: "rotator-secret" } as const;

/** The ConfigMap key (under MOUNT.config) holding the tlsMode the start script gives mongod: outside the pod hash. */
export const TLS_MODE_KEY = "tls-mode";

/** How often the sidecar compares the Secret with what mongod was given (one cksum while nothing changed). */
export const TLS_CHECK_INTERVAL_SECONDS = 30;

export type TlsSidecarRole = "member" | "arbiter" | "mongos";

/** The Secret, whole and read-only (group-readable under fsGroup, like the keyfile's). */
export function tlsSecretVolume(config: PlatformConfig): Volume {
  const secretName = config.tls.certificates?.secretName;
  if (!secretName) throw new Error(`tls.certificates is required while tls.mode is ${config.tls.mode}`);
  return { name: TLS_VOLUMES.secret, secret: { secretName, defaultMode: "0440" } };
}

/** The volumes the sidecar needs in its pod: none with TLS disabled. */
export function tlsSidecarVolumes(config: PlatformConfig, role: TlsSidecarRole): Volume[] {
  if (!serverTlsOn(config.tls)) return [];
  return [
    tlsSecretVolume(config),
    { name: TLS_VOLUMES.runtime, emptyDir: { medium: "Memory", sizeLimit: "1Mi" } },
    ...(role === "arbiter" ? [] : [credentialsVolume(TLS_VOLUMES.rotator, config.secrets.rotator)]),
  ];
}

/** The sidecar container, or none with TLS disabled. */
export function tlsSidecars(config: PlatformConfig, role: TlsSidecarRole, port: number): Container[] {
  if (!serverTlsOn(config.tls)) return [];
  const name = "tls-rotate";
  // It connects only while mongod accepts TLS, which every mode but disabled does (allowTLS
  // included, where the project's other clients still speak plaintext), and it verifies the
  // server with the Secret's own CA: the bundle of old and new during a CA change.
  const tlsArgs = mongoshTlsArgs({ ...config.tls, mode: "requireTLS" }, `${TLS_SECRET_DIR}/ca.crt`);
  return [
    {
      name,
      image: config.image,
      command: literalArgs(["bash", `${MOUNT.scripts}/tls-rotate.sh`], name),
      env: literalEnv(
        [
          ...MONGOSH_ENV,
          { name: "MONGODB_PORT", value: String(port) },
          { name: "TLS_SECRET_DIR", value: TLS_SECRET_DIR },
          { name: "TLS_RUNTIME_DIR", value: TLS_RUNTIME_DIR },
          { name: "TLS_SERVER_PEM_FILE", value: TLS_SERVER_PEM_FILE },
          { name: "TLS_SERVER_CA_FILE", value: TLS_SERVER_CA_FILE },
          { name: "TLS_MONGOSH_ARGS", value: tlsArgs.join(" ") },
          { name: "TLS_CHECK_INTERVAL_SECONDS", value: String(TLS_CHECK_INTERVAL_SECONDS) },
          ...(role === "arbiter"
            ? [
                { name: "TLS_SIDECAR_ROLE", value: "arbiter" },
                { name: "REPLICASET_CONFIG", value: `${MOUNT.config}/${REPLICASET_CONFIG_KEY}` },
                { name: "TLS_MODE_FILE", value: `${MOUNT.config}/${TLS_MODE_KEY}` },
              ]
            : [{ name: "TLS_ROTATOR_SECRET_DIR", value: MOUNT.secret("rotator") }]),
        ],
        name,
      ),
      resources: containerResources(HELPER_RESOURCES),
      securityContext: containerSecurityContext(),
      volumeMount: [
        { name: "scripts", mountPath: MOUNT.scripts, readOnly: true },
        { name: "config", mountPath: MOUNT.config, readOnly: true },
        { name: TLS_VOLUMES.secret, mountPath: TLS_SECRET_DIR, readOnly: true },
        { name: TLS_VOLUMES.runtime, mountPath: TLS_RUNTIME_DIR },
        ...(role === "arbiter" ? [] : [{ name: TLS_VOLUMES.rotator, mountPath: MOUNT.secret("rotator"), readOnly: true }]),
        mongoshConfMount,
        tmpMount,
      ],
    },
  ];
}
