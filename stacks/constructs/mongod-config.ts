// mongod.conf of a replica-set member, rendered from config: what the pod runs is data a reviewer
// sees in the plan diff, not flags assembled inside a container.

import { parseQuantity } from "../../config/quantity";
import { serverTlsOn, TLS_SERVER_CA_FILE, TLS_SERVER_PEM_FILE, TlsConfig } from "../../config/tls";

const GiB = 2 ** 30;

/**
 * WiredTiger's cache as mongod sizes it by default, 50% of (memory - 1 GB) or 0.25 GB, but from
 * the container's memory limit: set explicitly so the figure is visible and does not depend on
 * how a mongod version reads cgroup limits. Rounded down to 0.01 GB.
 */
export function wiredTigerCacheSizeGB(memoryLimit: string): number {
  const bytes = parseQuantity(memoryLimit);
  if (bytes === undefined) throw new Error(`not a Kubernetes quantity: ${JSON.stringify(memoryLimit)}`);
  const half = 0.5 * (bytes / GiB - 1);
  return Math.max(0.25, Math.floor(half * 100 + 1e-9) / 100);
}

export interface MongodConfOptions {
  replSetName: string;
  port: number;
  dbPath: string;
  keyFile: string;
  /** The container's memory limit: sizes the WiredTiger cache. */
  memoryLimit: string;
  /** storage.oplogMinRetentionHours; omitted for an arbiter, which keeps no oplog to protect. */
  oplogMinRetentionHours?: number;
  /** How long a primary that gets SIGTERM waits for a successor (shutdownTimeoutMillisForSignaledShutdown). */
  shutdownQuiesceSeconds: number;
  /** Set for the members of a sharded cluster. */
  clusterRole?: "shardsvr" | "configsvr";
  /** TLS (docs/tls.md); omitted: none. */
  tls?: TlsConfig;
}

type YamlValue = string | number | boolean | { [key: string]: YamlValue | undefined };

/**
 * The wire compressors a server accepts. mongod and mongos register a decompressor only for the
 * compressors listed (net.compression.compressors; MessageCompressorRegistry in
 * src/mongo/transport/message_compressor_registry.cpp), so leaving zlib out means a zlib message
 * finds no decompressor: defence in depth against CVE-2025-14847 (config/mongo-image.ts).
 */
export const WIRE_COMPRESSORS = "snappy,zstd";

/**
 * net.tls and security.clusterAuthMode of mongod and mongos, or nothing with TLS off (mongod
 * refuses any net.tls setting without a mode: "need to enable TLS via the sslMode/tlsMode flag
 * when using TLS configuration parameters", src/mongo/util/net/ssl_options_server.cpp,
 * storeSSLServerOptions). The mode itself is not here: run-mongod.sh passes --tlsMode from the
 * ConfigMap at start, so raising it does not change this file or the pods' config hash.
 * - certificateKeyFile: key and certificate in one PEM, assembled in memory by tls-assemble.sh;
 *   without a net.tls.clusterFile mongod also presents it to other members (hence clientAuth
 *   in its extended key usage) (https://www.mongodb.com/docs/manual/reference/configuration-options/#mongodb-setting-net.tls.clusterFile).
 * - CAFile: verifies peers, and clients that present a certificate.
 * - allowConnectionsWithoutCertificates: clients authenticate with passwords and present no
 *   certificate (https://www.mongodb.com/docs/manual/reference/configuration-options/#mongodb-setting-net.tls.allowConnectionsWithoutCertificates);
 *   members still present theirs.
 * - clusterAuthMode: keyFile, or a step of the path to x.509 (https://www.mongodb.com/docs/manual/tutorial/upgrade-keyfile-to-x509/);
 *   security.keyFile stays, as sendKeyFile and sendX509 need it.
 */
export function serverTlsConf(tls: TlsConfig | undefined): { net: Record<string, YamlValue>; security: Record<string, YamlValue> } {
  if (!tls || !serverTlsOn(tls)) return { net: {}, security: {} };
  return {
    net: { tls: { certificateKeyFile: TLS_SERVER_PEM_FILE, CAFile: TLS_SERVER_CA_FILE, allowConnectionsWithoutCertificates: true } },
    security: { clusterAuthMode: tls.memberAuth },
  };
}

export function mongodConf(o: MongodConfOptions): Record<string, YamlValue> {
  const tls = serverTlsConf(o.tls);
  return {
    net: { port: o.port, bindIpAll: true, compression: { compressors: WIRE_COMPRESSORS }, ...tls.net },
    replication: { replSetName: o.replSetName },
    ...(o.clusterRole ? { sharding: { clusterRole: o.clusterRole } } : {}),
    security: { authorization: "enabled", keyFile: o.keyFile, ...tls.security },
    storage: {
      dbPath: o.dbPath,
      oplogMinRetentionHours: o.oplogMinRetentionHours,
      wiredTiger: { engineConfig: { cacheSizeGB: wiredTigerCacheSizeGB(o.memoryLimit) } },
    },
    setParameter: { shutdownTimeoutMillisForSignaledShutdown: o.shutdownQuiesceSeconds * 1000 },
  };
}

/** The WiredTiger cache of verification's scratch mongod (backup/scripts/verify.sh): small, it restores one copy. */
export const VERIFY_CACHE_SIZE_GB = 0.25;

/**
 * mongod.conf of the verification job's scratch mongod (backup/scripts/verify.sh), derived from a
 * member's (mongodConf) so it restores under the same rules: the same wire compressors and
 * security.authorization. What differs, and why:
 * - no replication: a standalone; mongorestore --oplogReplay applies entries with applyOps, which
 *   needs no replica set (mongo-tools mongorestore/oplog.go ApplyOps);
 * - net.bindIp 127.0.0.1 instead of bindIpAll: only the job's own container reaches it, so the
 *   localhost exception is its only way in until verify.sh creates the first user;
 * - no TLS: nothing leaves the pod (verify.sh says why);
 * - the keyfile, dbPath, port and log are given on verify.sh's command line: the keyfile is made
 *   per run in the container's memory-backed credentials volume (a keyFile alone turns
 *   authorization on, https://www.mongodb.com/docs/manual/core/security-internal-authentication/#keyfiles;
 *   the file says so explicitly too).
 */
export function verifyMongodConf(): Record<string, YamlValue> {
  const member = mongodConf({ replSetName: "verify", port: 0, dbPath: "-", keyFile: "-", memoryLimit: "1Gi", shutdownQuiesceSeconds: 0 });
  const net = member.net as Record<string, YamlValue>;
  const security = member.security as Record<string, YamlValue>;
  return {
    net: { bindIp: "127.0.0.1", compression: net.compression },
    security: { authorization: security.authorization },
    storage: { wiredTiger: { engineConfig: { cacheSizeGB: VERIFY_CACHE_SIZE_GB } } },
  };
}

/** The YAML text of mongod.conf. */
export function renderMongodConf(o: MongodConfOptions): string {
  return toYaml(mongodConf(o));
}

/** Block-style YAML for nested maps of scalars (all mongod.conf needs); strings are quoted. */
export function toYaml(value: Record<string, YamlValue | undefined>, indent = ""): string {
  return Object.entries(value)
    .filter(([, v]) => v !== undefined)
    .map(([key, v]) => {
      if (typeof v === "object") return `${indent}${key}:\n${toYaml(v as Record<string, YamlValue>, `${indent}  `)}`;
      return `${indent}${key}: ${typeof v === "string" ? JSON.stringify(v) : String(v)}\n`;
    })
    .join("");
}
