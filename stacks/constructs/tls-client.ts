// What every pod that connects to the database carries when clients use TLS (config/tls.ts
// clientsUseTls): the CA certificate alone, mounted from the certificate Secret, and the
// environment variable through which its scripts find it. Pure: provider structs only.

import { clientsUseTls, serverTlsOn, TLS_CA_FILE_ENV, TLS_CLIENT_CA_DIR, TLS_CLIENT_CA_FILE, TLS_MODE_FILE_ENV, tlsClientEnv, type TlsConfig } from "../../config/tls";

/** The volume's name in every pod. */
export const TLS_CA_VOLUME = "tls-ca";

/** The key of the certificate Secret (cert-manager's layout) that clients read: never tls.key. */
export const TLS_CA_KEY = "ca.crt";

/**
 * The exporter sidecar's `tls` option (monitoring/exporter.ts): the same volume. The exporter
 * talks only to the mongod or mongos of its own pod, which accepts TLS in every mode but
 * disabled (allowTLS included), so it uses TLS whenever the server has it on: its arguments then
 * stay the same through the mode steps, and so does the pod template.
 */
export function exporterTls(tls: TlsConfig): { volumeName: string; mountPath: string; caFile: string } | undefined {
  return serverTlsOn(tls) ? { volumeName: TLS_CA_VOLUME, mountPath: TLS_CLIENT_CA_DIR, caFile: TLS_CA_KEY } : undefined;
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
  return { ...caParts(tls), env: tlsClientEnv(tls) };
}

function caParts(tls: TlsConfig): Omit<TlsClientParts, "env"> {
  return {
    // 0444: the CA certificate is public; the pods run as the mongodb user under fsGroup.
    volume: [{ name: TLS_CA_VOLUME, secret: { secretName: secretName(tls), defaultMode: "0444", items: [{ key: TLS_CA_KEY, path: TLS_CA_KEY }] } }],
    volumeMount: [{ name: TLS_CA_VOLUME, mountPath: TLS_CLIENT_CA_DIR, readOnly: true }],
  };
}

/**
 * The same parts for a pod that runs mongod or mongos: present whenever the server has TLS on,
 * with TLS_MODE_FILE_ENV naming the mode file its scripts read before each connection
 * (config/tls.ts TLS_MODE_FILE_ENV). So a mode step changes no pod template: the members are
 * not restarted again (issue 15), and their scripts follow the mode as the ConfigMap changes.
 */
export function serverPodTlsClientParts(tls: TlsConfig, modeFile: string): TlsClientParts {
  if (!serverTlsOn(tls)) return { volume: [], volumeMount: [], env: [] };
  return {
    ...caParts(tls),
    env: [
      { name: TLS_CA_FILE_ENV, value: TLS_CLIENT_CA_FILE },
      { name: TLS_MODE_FILE_ENV, value: modeFile },
    ],
  };
}
