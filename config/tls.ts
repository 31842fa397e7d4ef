// TLS for every connection (docs/tls.md): the config section, where the certificate files live in
// every pod, and how each kind of client spells "use TLS and verify the server". Pure: the
// constructs (stacks/), the pod scripts, the Jobs and the CLIs all read these, so that a path or a
// flag is written once.

import { boolean, Infer, literal, object, optional, string, tagged } from "./schema";

/**
 * net.tls.mode, in the order a running set steps through them
 * (https://www.mongodb.com/docs/manual/tutorial/upgrade-cluster-to-ssl/): leaving `disabled`
 * needs a restart; after that `setParameter: { tlsMode }` raises the mode at run time.
 */
export const TLS_MODES = ["disabled", "allowTLS", "preferTLS", "requireTLS"] as const;
export type TlsMode = (typeof TLS_MODES)[number];

/**
 * security.clusterAuthMode, in the order a running set steps from keyfile to x509 member
 * authentication, a rolling restart each
 * (https://www.mongodb.com/docs/manual/tutorial/upgrade-keyfile-to-x509/).
 */
export const MEMBER_AUTH_MODES = ["keyFile", "sendKeyFile", "sendX509", "x509"] as const;
export type MemberAuthMode = (typeof MEMBER_AUTH_MODES)[number];

const secretName = () => string({ pattern: /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, rule: "must be a Kubernetes Secret name" });

/**
 * Where the server certificate comes from. Either way it ends up in one Secret in cert-manager's
 * layout (`tls.crt`, `tls.key`, `ca.crt`), named `secretName`, that every member and mongos mounts.
 */
export const tlsCertificatesSchema = tagged("source", {
  /** A Secret made before deploy: scripts/create-secrets.sh --tls, or your own PKI. */
  secret: object({ source: literal("secret"), secretName: secretName() }),
  /** cert-manager `Certificate` resources, in a stack of their own applied after cert-manager is installed. */
  certManager: object({
    source: literal("certManager"),
    secretName: secretName(),
    issuerRef: object({
      name: string({ minLength: 1, rule: "must not be empty" }),
      kind: literal("Issuer", "ClusterIssuer"),
      /** cert-manager.io unless the issuer is an external one. */
      group: optional(string({ minLength: 1, rule: "must not be empty" })),
    }),
  }),
});

export const tlsSchema = object({
  mode: literal(...TLS_MODES),
  /** Required unless mode is "disabled". */
  certificates: optional(tlsCertificatesSchema),
  /** security.clusterAuthMode: "keyFile" (the default), or a step of the path to x509. */
  memberAuth: literal(...MEMBER_AUTH_MODES),
  /**
   * The operator's confirmation that every application connects with TLS: the step from
   * preferTLS to requireTLS waits for it (the server keeps no reliable count of plaintext clients).
   */
  clientsMigrated: boolean(),
});

export type TlsConfig = Infer<typeof tlsSchema>;

/**
 * The certificate Secret, mounted whole as a directory in the data members' and mongos's pods:
 * never with subPath, which never receives updates
 * (https://kubernetes.io/docs/concepts/configuration/secret/#using-secrets-as-files-from-a-pod);
 * a directory mount is swapped atomically by the kubelet (its `..data` symlink).
 */
export const TLS_SECRET_DIR = "/etc/nyrkio/tls";
/**
 * Memory-backed volume (emptyDir medium Memory) where the PEM that mongod needs, key and
 * certificate in one file, is assembled at pod start and again on rotation (write, then rename):
 * never on the data volume.
 */
export const TLS_RUNTIME_DIR = "/run/nyrkio/tls";
/** net.tls.certificateKeyFile. */
export const TLS_SERVER_PEM_FILE = `${TLS_RUNTIME_DIR}/server.pem`;
/** net.tls.CAFile: a copy of the Secret's ca.crt, replaced with the PEM on rotation. */
export const TLS_SERVER_CA_FILE = `${TLS_RUNTIME_DIR}/ca.pem`;
/**
 * The CA every client verifies the server with. Every pod of the project that connects to the
 * database mounts only the `ca.crt` key of the certificate Secret here (a directory mount with
 * `items`, never the key); the data pods' probes and bootstrap use the same path.
 */
export const TLS_CLIENT_CA_DIR = "/etc/nyrkio/tls-ca";
export const TLS_CLIENT_CA_FILE = `${TLS_CLIENT_CA_DIR}/ca.crt`;

/** Whether mongod and mongos listen for TLS at all (every mode but "disabled"). */
export function serverTlsOn(tls: TlsConfig): boolean {
  return tls.mode !== "disabled";
}

/**
 * Whether the project's own clients (probes, bootstrap, Jobs, CLIs, the published connection
 * string) connect with TLS. Not in allowTLS: that is the step in which members restart one by
 * one from "disabled", and a member not yet restarted accepts no TLS. From preferTLS on, every
 * member accepts TLS.
 */
export function clientsUseTls(tls: TlsConfig): boolean {
  return tls.mode === "preferTLS" || tls.mode === "requireTLS";
}

/** mongosh's flags (https://www.mongodb.com/docs/mongodb-shell/reference/options/): verify the certificate and host name. */
export function mongoshTlsArgs(tls: TlsConfig, caFile = TLS_CLIENT_CA_FILE): string[] {
  return clientsUseTls(tls) ? ["--tls", "--tlsCAFile", caFile] : [];
}

/**
 * mongodump's and mongorestore's flags: the database tools spell TLS `--ssl` and `--sslCAFile`
 * (mongo-tools common/options/options.go, SSL options); they verify host names unless told not to.
 */
export function toolsTlsArgs(tls: TlsConfig, caFile = TLS_CLIENT_CA_FILE): string[] {
  return clientsUseTls(tls) ? ["--ssl", `--sslCAFile=${caFile}`] : [];
}

/** Connection-string options for drivers and mongosh (https://www.mongodb.com/docs/manual/reference/connection-string-options/#tls-options). */
export function uriTlsOptions(tls: TlsConfig, caFile = TLS_CLIENT_CA_FILE): Record<string, string> {
  return clientsUseTls(tls) ? { tls: "true", tlsCAFile: caFile } : {};
}

/** Every spelling that turns a check off. Nothing in the project may use one (a test scans for them). */
export const INSECURE_TLS_OPTIONS = [
  "tlsAllowInvalidCertificates",
  "tlsAllowInvalidHostnames",
  "tlsInsecure",
  "sslAllowInvalidCertificates",
  "sslAllowInvalidHostnames",
  "tlsDisableCertificateRevocationCheck",
  "tlsDisableOCSPEndpointCheck",
] as const;

/**
 * The environment variable through which the pod scripts (bash and mongosh) learn the client TLS
 * settings: set to TLS_CLIENT_CA_FILE when clientsUseTls, absent otherwise. The scripts turn it
 * into exactly the spellings above (a test compares them: test/security/tls-clients.test.ts).
 */
export const TLS_CA_FILE_ENV = "NYRKIO_TLS_CA_FILE";

/**
 * In the database's own pods (members, mongos): a file holding the deployed net.tls.mode, updated
 * in place when the config changes (a ConfigMap item, no subPath). Their peer connections read it
 * at run time, so moving among allowTLS, preferTLS and requireTLS changes no pod template.
 */
export const TLS_MODE_FILE_ENV = "NYRKIO_TLS_MODE_FILE";

/** The environment of a container that connects to the database: TLS_CA_FILE_ENV when clients use TLS. */
export function tlsClientEnv(tls: TlsConfig, caFile = TLS_CLIENT_CA_FILE): { name: string; value: string }[] {
  return clientsUseTls(tls) ? [{ name: TLS_CA_FILE_ENV, value: caFile }] : [];
}

/** A connection string with uriTlsOptions appended to its query (unchanged when clients do not use TLS). */
export function withUriTlsOptions(uri: string, tls: TlsConfig, caFile = TLS_CLIENT_CA_FILE): string {
  const options = Object.entries(uriTlsOptions(tls, caFile)).map(([k, v]) => `${k}=${v}`);
  if (!options.length) return uri;
  const query = uri.indexOf("?");
  const hasPath = /^mongodb(\+srv)?:\/\/[^/]*\//.test(uri);
  if (query < 0) return `${uri}${hasPath ? "" : "/"}?${options.join("&")}`;
  return `${uri}${query === uri.length - 1 ? "" : "&"}${options.join("&")}`;
}

/**
 * The insecure options present in a text, in any spelling MongoDB's parsers accept: a flag
 * (`--tlsInsecure`, `--sslAllowInvalidHostnames=true`), a URI option (`tlsInsecure=true`), a
 * config key, case-insensitively (the URI options are case-insensitive:
 * https://www.mongodb.com/docs/manual/reference/connection-string-options/). Also the
 * Node driver's `checkServerIdentity` and Node's `rejectUnauthorized` turned off.
 */
export function insecureTlsOptionsIn(text: string): string[] {
  const found = new Set<string>();
  const lower = text.toLowerCase();
  for (const option of INSECURE_TLS_OPTIONS) if (lower.includes(option.toLowerCase())) found.add(option);
  if (/rejectunauthorized\s*[:=]\s*["']?(false|0)/i.test(text)) found.add("rejectUnauthorized=false");
  if (/checkserveridentity\s*[:=]/i.test(text)) found.add("checkServerIdentity");
  return [...found];
}
