// What every pod that connects to the database carries when clients use TLS (config/tls.ts
// clientsUseTls): the CA certificate alone, mounted from the certificate Secret, and the
// environment variable through which its scripts find it. Pure: provider structs only.

import { TLS_MODE_CONFIG_KEY } from "../../config/tls-rules";
import { clientsUseTls, serverTlsOn, TLS_CA_FILE_ENV, TLS_CLIENT_CA_DIR, TLS_CLIENT_CA_FILE, TLS_MODE_FILE_ENV, tlsClientEnv, type TlsConfig } from "../../config/tls";

/** The volume's name in every pod. */
export const TLS_CA_VOLUME = "tls-ca";

/** The key of the certificate Secret (cert-manager's layout) that clients read: never tls.key. */
export const TLS_CA_KEY = "ca.crt";

/**
 * The exporter sidecar's `tls` option (monitoring/exporter.ts): the same volume. It lives in the
 * member and mongos pods and reads its own server over 127.0.0.1, so, like their probes, it uses
 * TLS whenever the server has it (memberTlsClientParts).
 */
export function exporterTls(tls: TlsConfig): { volumeName: string; mountPath: string; caFile: string } | undefined {
  return serverTlsOn(tls) ? { volumeName: TLS_CA_VOLUME, mountPath: TLS_CLIENT_CA_DIR, caFile: TLS_CA_KEY } : undefined;
}

/**
 * The deployed mode's file in the member pods: the `config` volume's item of the replica set's
 * ConfigMap key TLS_MODE_CONFIG_KEY (tls-server.ts serverTlsPodParts adds the item; its
 * TLS_MODE_FILE is this path, which a test pins: tls-server imports member-pod, which imports
 * this file), mounted without subPath, so it follows the config without a restart.
 */
export const TLS_MODE_FILE = `/etc/nyrkio/config/${TLS_MODE_CONFIG_KEY}`;

/**
 * The client parts of the database's own pods (data members, arbiters, mongos): present whenever
 * the server has TLS (every mode but disabled), so that moving among allowTLS, preferTLS and
 * requireTLS leaves their templates, and so the pods, as they are. Their connections to their own
 * server (the probes, the bootstrap, the exporter) use TLS whenever it is on: a mongod restarted
 * with TLS accepts it in every mode. Their connections to peers (readiness, initiate) read the
 * mode at run time (TLS_MODE_FILE_ENV): in allowTLS a peer not yet restarted speaks no TLS.
 */
export function memberTlsClientParts(tls: TlsConfig): TlsClientParts {
  if (!serverTlsOn(tls)) return { volume: [], volumeMount: [], env: [] };
  const { volume, volumeMount } = tlsClientParts({ ...tls, mode: "requireTLS" });
  return {
    volume,
    volumeMount,
    env: [
      { name: TLS_CA_FILE_ENV, value: TLS_CLIENT_CA_FILE },
      { name: TLS_MODE_FILE_ENV, value: TLS_MODE_FILE },
    ],
  };
}

export interface TlsClientParts {
  volume: { name: string; secret: { secretName: string; defaultMode: string; items: { key: string; path: string }[] } }[];
  volumeMount: { name: string; mountPath: string; readOnly: boolean }[];
  env: { name: string; value: string }[];
}

/** The certificate Secret's name; only called when clients use TLS, which config validation ties to a certificate source. */
function secretName(tls: TlsConfig): string {
  if (!tls.certificates) throw new Error(`tls.certificates: required when tls.mode is ${tls.mode}`);
  return tls.certificates.secretName;
}

/**
 * The volume (only `ca.crt`, through `items`), its mount at TLS_CLIENT_CA_DIR and the env, or
 * nothing at all. A directory mount, never subPath: a subPath mount never receives the Secret's
 * updates (https://kubernetes.io/docs/concepts/configuration/secret/#using-secrets-as-files-from-a-pod),
 * and the CA changes in two steps when it rotates (docs/tls.md).
 */
export function tlsClientParts(tls: TlsConfig): TlsClientParts {
  if (!clientsUseTls(tls)) return { volume: [], volumeMount: [], env: [] };
  return {
    // 0444: the CA certificate is public; the pods run as the mongodb user under fsGroup.
    volume: [{ name: TLS_CA_VOLUME, secret: { secretName: secretName(tls), defaultMode: "0444", items: [{ key: TLS_CA_KEY, path: TLS_CA_KEY }] } }],
    volumeMount: [{ name: TLS_CA_VOLUME, mountPath: TLS_CLIENT_CA_DIR, readOnly: true }],
    env: tlsClientEnv(tls),
  };
}
