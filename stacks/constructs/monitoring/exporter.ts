// The mongodb_exporter sidecar beside every mongod (data members, config servers) and mongos.
// Every flag is from the pinned tag's own reference (github.com/percona/mongodb_exporter,
// v0.53.0: REFERENCE.md and main.go's GlobalFlags); older releases spelled them differently
// (--mongodb.dsn, collectors without --collector.), so the image is pinned to that version
// (monitoring/exporter-image.ts).
//
// Credentials: main.go reads MONGODB_USER and MONGODB_PASSWORD from the environment
// (GlobalFlags.User `env:"MONGODB_USER"`, Password `env:"MONGODB_PASSWORD"`) and buildURI() adds
// them to the URI inside the process, so they are never in argv, where `ps` shows them (README.md,
// "MongoDB Authentication"). The URI names only 127.0.0.1 and the auth database.
// Not a file, as every other credential of the project is: v0.53.0 has no way to read one. Its
// flags are parsed by kong.Parse(&opts, ...) with no kong.Configuration loader and no field of
// `type:"filecontent"` (main.go), so a value comes from argv or the environment only; and the
// image is FROM scratch with the binary as ENTRYPOINT (Dockerfile), so no shell in it could read
// a file into the environment first. The environment is the lesser of the two (not in `ps`; the
// pod shares no process namespace, so no other container reads /proc/<pid>/environ).
//
// The arbiter gets no exporter: it holds no users (no one can authenticate to it), and the data
// members' replSetGetStatus reports its health and state.

import type { Container } from "../member-pod";
import { containerResources, containerSecurityContext } from "../member-pod";
import { MONGODB_PORT } from "../../naming";
import { AUTH_SOURCE } from "../../../replicaset/users";
import { SECRET_KEYS } from "../../../replicaset/reconcile-paths";
import { literalArgs } from "../../terraform-text";

/** The exporter's default port (main.go: web.listen-address ":9216"), named for the Service. */
export const EXPORTER_PORT = 9216;
export const EXPORTER_PORT_NAME = "metrics";
export const METRICS_PATH = "/metrics";

/**
 * The collectors: getDiagnosticData (serverStatus: connections, opcounters, WiredTiger cache),
 * replSetGetStatus (members, states, health), replSetGetConfig (priorities, votes), and the
 * compatible mode, which adds the oplog's first and last timestamps (the oplog window) and each
 * member's replication lag (v1_compatibility.go: oplogStatus, replSetMetrics). Nothing that reads
 * user collections (dbstats, collstats, indexstats, top, currentop, profile): the monitor user
 * cannot, and on a shard of MongoDB 8.0 a direct read of user data is refused anyway.
 */
export const EXPORTER_COLLECTOR_FLAGS = ["--collector.diagnosticdata", "--collector.replicasetstatus", "--collector.replicasetconfig", "--compatible-mode"] as const;

export interface ExporterOptions {
  image: string;
  /** Secret with `username` and `password` of the monitor user. */
  secretName: string;
  /**
   * With TLS on the server, the exporter connects with TLS too: the CA file from the volume the
   * TLS setup mounts. The Go driver's URI options tls and tlsCAFile
   * (go.mongodb.org/mongo-driver x/mongo/driver/connstring). The server certificate must name
   * 127.0.0.1 or the exporter's connection is refused.
   */
  tls?: { volumeName: string; mountPath: string; caFile: string };
}

/** The connection string: this pod's own server, no credentials (they come from the environment). */
export function exporterUri(tls?: ExporterOptions["tls"]): string {
  const base = `mongodb://127.0.0.1:${MONGODB_PORT}/${AUTH_SOURCE}`;
  return tls ? `${base}?tls=true&tlsCAFile=${tls.mountPath}/${tls.caFile}` : base;
}

export function exporterArgs(tls?: ExporterOptions["tls"]): string[] {
  return [
    `--mongodb.uri=${exporterUri(tls)}`,
    // The default, said explicitly: one exporter per server, never the whole set from one pod.
    "--mongodb.direct-connect",
    `--web.listen-address=:${EXPORTER_PORT}`,
    `--web.telemetry-path=${METRICS_PATH}`,
    ...EXPORTER_COLLECTOR_FLAGS,
  ];
}

export function exporterSidecar(o: ExporterOptions): Container {
  const secretEnv = (name: string, key: string) => ({ name, valueFrom: { secretKeyRef: { name: o.secretName, key } } });
  return {
    name: "exporter",
    image: o.image,
    // The image's entrypoint is the exporter itself (Dockerfile: ENTRYPOINT ["/mongodb_exporter"]).
    args: literalArgs(exporterArgs(o.tls), "mongodb-exporter"),
    env: [secretEnv("MONGODB_USER", SECRET_KEYS.username), secretEnv("MONGODB_PASSWORD", SECRET_KEYS.password)],
    port: [{ name: EXPORTER_PORT_NAME, containerPort: EXPORTER_PORT, protocol: "TCP" }],
    resources: containerResources({ requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "128Mi" } }),
    // The image runs as 65535 from scratch (Dockerfile: USER 65535:65535) and writes nothing.
    securityContext: { ...containerSecurityContext(), runAsUser: "65535", runAsGroup: "65535" },
    // No readiness probe: a pod is ready when its mongod is; a failing exporter must never take a
    // member out of its Services (Prometheus's own `up` and mongodb_up say the exporter is broken).
    ...(o.tls ? { volumeMount: [{ name: o.tls.volumeName, mountPath: o.tls.mountPath, readOnly: true }] } : {}),
  };
}
