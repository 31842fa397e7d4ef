// The run's own pods in the database's namespace (pure manifests): the toolbox, which carries the
// client label the NetworkPolicy admits and the users' Secrets as files, and runs every mongosh
// the run needs (member pods mount no credentials); and the stranger, the same image without the
// label, for the NetworkPolicy's negative test.
import type { PlatformConfig } from "../config/platform-config";
import { clientsUseTls, TLS_CA_FILE_ENV, TLS_CLIENT_CA_DIR, TLS_CLIENT_CA_FILE } from "../config/tls";
import type { ManagedUser } from "../replicaset/users";
import { DB_CLIENT_LABEL, MONGODB_PORT } from "../stacks/naming";
import { MONGO_IMAGE_UID, restrictedContainer, restrictedPod } from "./pod-security";

export const TOOLBOX_POD = "nyrkio-e2e-toolbox";
export const STRANGER_POD = "nyrkio-e2e-stranger";
export const TOOLBOX_CONTAINER = "mongosh";
export const E2E_LABEL = "nyrkio.io/e2e";
export const SECRETS_DIR = "/secrets";

export type DbUser = ManagedUser | "root";
const USERS: DbUser[] = ["root", "app", "migrator", "backup"];

function pod(name: string, namespace: string, image: string, extraLabels: Record<string, string>, secrets: Record<DbUser, string> | undefined, caSecret?: string) {
  const labels: Record<string, string> = { "app.kubernetes.io/name": "nyrkio-e2e", [E2E_LABEL]: name, ...extraLabels };
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace, labels },
    spec: {
      terminationGracePeriodSeconds: 1,
      securityContext: restrictedPod(MONGO_IMAGE_UID),
      containers: [
        {
          name: TOOLBOX_CONTAINER,
          image,
          securityContext: restrictedContainer(MONGO_IMAGE_UID),
          command: ["sleep", "infinity"],
          env: [{ name: "HOME", value: "/tmp" }, ...(caSecret ? [{ name: TLS_CA_FILE_ENV, value: TLS_CLIENT_CA_FILE }] : [])],
          volumeMounts: [
            ...(secrets ? USERS.map((u) => ({ name: `secret-${u}`, mountPath: `${SECRETS_DIR}/${u}`, readOnly: true })) : []),
            ...(caSecret ? [{ name: "tls-ca", mountPath: TLS_CLIENT_CA_DIR, readOnly: true }] : []),
          ],
        },
      ],
      volumes: [
        ...(secrets ? USERS.map((u) => ({ name: `secret-${u}`, secret: { secretName: secrets[u] } as { secretName: string; items?: { key: string; path: string }[] } })) : []),
        // The CA alone, as every client pod of the project mounts it (stacks/constructs/tls-client.ts).
        ...(caSecret ? [{ name: "tls-ca", secret: { secretName: caSecret, items: [{ key: "ca.crt", path: "ca.crt" }] } }] : []),
      ],
    },
  };
}

export function toolboxPod(config: PlatformConfig, namespace = config.kubernetes.namespace) {
  // With clients on TLS the toolbox verifies the server as the project's own pods do; the stranger
  // (no client label) needs none: the NetworkPolicy drops its packets before any handshake.
  const caSecret = clientsUseTls(config.tls) ? config.tls.certificates?.secretName : undefined;
  return pod(TOOLBOX_POD, namespace, config.image, { ...DB_CLIENT_LABEL }, config.secrets, caSecret);
}

export function strangerPod(config: PlatformConfig, namespace = config.kubernetes.namespace) {
  return pod(STRANGER_POD, namespace, config.image, {}, undefined);
}

/** A connection string without credentials (they come from the mounted files). */
export function mongoUri(hosts: readonly string[], opts: { replicaSet?: string; direct?: boolean; timeoutMs?: number } = {}): string {
  const params = [
    "authSource=admin",
    ...(opts.replicaSet ? [`replicaSet=${opts.replicaSet}`] : []),
    ...(opts.direct ? ["directConnection=true"] : []),
    `serverSelectionTimeoutMS=${opts.timeoutMs ?? 5000}`,
    `connectTimeoutMS=${opts.timeoutMs ?? 5000}`,
  ];
  return `mongodb://${hosts.join(",")}/?${params.join("&")}`;
}

export const RESULT_MARKER = "E2E_RESULT ";

/**
 * mongosh in the toolbox as `user` (credentials read from the mounted Secret inside the pod, never
 * on the driver's command line), printing the value of `expression` as one marked EJSON line.
 * mongosh options: https://www.mongodb.com/docs/mongodb-shell/reference/options/ ; --username,
 * --password and --authenticationDatabase merge into the URI (@mongosh/arg-parser arg-mapper.js),
 * and uri-generator.js refuses only --host/--port beside a connection string.
 */
export function mongoshCommand(uri: string, user: DbUser | "none", body: string): string[] {
  // A plain function: mongosh's async rewriter awaits the shell calls inside it, as at top level
  // (https://www.mongodb.com/docs/mongodb-shell/write-scripts/ ; @mongosh/async-rewriter2).
  const script = `function __e2e() { ${body} }\nconst __v = __e2e(); print(${JSON.stringify(RESULT_MARKER)} + EJSON.stringify(__v === undefined ? null : __v, { relaxed: true }));`;
  const auth = user === "none" ? "" : ` --username "$(cat ${SECRETS_DIR}/${user}/username)" --password "$(cat ${SECRETS_DIR}/${user}/password)" --authenticationDatabase admin`;
  // In the toolbox with clients on TLS (TLS_CA_FILE_ENV set): mongoshTlsArgs, merged into the URI by mongosh.
  const tls = ` \${${TLS_CA_FILE_ENV}:+--tls --tlsCAFile "$${TLS_CA_FILE_ENV}"}`;
  return ["sh", "-c", `exec mongosh --quiet --norc "$1"${auth}${tls} --eval "$2"`, "sh", uri, script];
}

/** The marked line's value; undefined when mongosh printed none (it failed before). */
export function parseResult(stdout: string): unknown {
  const line = stdout
    .split("\n")
    .reverse()
    .find((l) => l.startsWith(RESULT_MARKER));
  return line === undefined ? undefined : (JSON.parse(line.slice(RESULT_MARKER.length)) as unknown);
}

/** One connection attempt's body: ping (or a command), returning {ok, codeName, message} instead of throwing. */
export function attemptBody(command: string): string {
  return `try { const r = db.getSiblingDB("admin").runCommand(${command}); return { ok: r.ok === 1, codeName: r.codeName, message: r.errmsg }; } catch (e) { return { ok: false, codeName: e.codeName, message: String(e.message) }; }`;
}

export { MONGODB_PORT };
