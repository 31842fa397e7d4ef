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
import { TLS_VOLUMES as SERVER_TLS_VOLUMES } from "./tls-server";
import { TLS_MODE_CONFIG_KEY } from "../../config/tls-rules";

/**
 * Volume names: the certificate Secret and the runtime directory are the server's (tls-server.ts,
 * in every pod with TLS on); the rotator's Secret is the sidecar's own.
 */
export const TLS_VOLUMES = { ...SERVER_TLS_VOLUMES, rotator: "rotator-secret" } as const;

/** How often the sidecar compares the Secret with what mongod was given (one cksum while nothing changed). */
export const TLS_CHECK_INTERVAL_SECONDS = 30;

export type TlsSidecarRole = "member" | "arbiter" | "mongos";

/**
 * The volumes the sidecar adds to its pod: the rotator's credentials (not on an arbiter). The
 * certificate Secret and the runtime directory it shares with mongod come with the server's TLS
 * parts (tls-server.ts serverTlsPodParts), which every pod with TLS on has.
 */
export function tlsSidecarVolumes(config: PlatformConfig, role: TlsSidecarRole): Volume[] {
  if (!serverTlsOn(config.tls)) return [];
  return role === "arbiter" ? [] : [credentialsVolume(TLS_VOLUMES.rotator, config.secrets.rotator)];
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
                { name: "TLS_MODE_FILE", value: `${MOUNT.config}/${TLS_MODE_CONFIG_KEY}` },
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
