// mongod.conf rendering: the WiredTiger cache sized as mongod sizes it by default, from the
// container's memory limit, and the YAML text mongod reads.

import { mongodConf, renderMongodConf, toYaml, verifyMongodConf, wiredTigerCacheSizeGB } from "../../stacks/constructs/mongod-config";

describe("wiredTigerCacheSizeGB: max(0.25, 0.5 * (limit in GiB - 1))", () => {
  it.each([
    ["256Mi", 0.25],
    ["1Gi", 0.25],
    ["1.5Gi", 0.25],
    ["2Gi", 0.5],
    ["3Gi", 1],
    ["8Gi", 3.5],
    ["16Gi", 7.5],
    ["64Gi", 31.5],
    // Decimal units: 8 GB is 7.45 GiB; rounded down to 0.01.
    ["8G", 3.22],
    ["3072Mi", 1],
  ])("%s → %s GB", (limit, expected) => {
    expect(wiredTigerCacheSizeGB(limit)).toBe(expected);
  });

  it("refuses a quantity Kubernetes would not parse", () => {
    expect(() => wiredTigerCacheSizeGB("8 gigs")).toThrow(/not a Kubernetes quantity/);
  });
});

describe("mongod.conf", () => {
  const base = { replSetName: "rs0", port: 27017, dbPath: "/data/db", keyFile: "/k/keyfile", memoryLimit: "4Gi", shutdownQuiesceSeconds: 20 };

  it("sets the replica set, keyfile authentication, all interfaces, cache and quiesce", () => {
    expect(mongodConf({ ...base, oplogMinRetentionHours: 24 })).toEqual({
      // No zlib: mongod registers a decompressor only for the compressors listed (CVE-2025-14847).
      net: { port: 27017, bindIpAll: true, compression: { compressors: "snappy,zstd" } },
      replication: { replSetName: "rs0" },
      security: { authorization: "enabled", keyFile: "/k/keyfile" },
      storage: { dbPath: "/data/db", oplogMinRetentionHours: 24, wiredTiger: { engineConfig: { cacheSizeGB: 1.5 } } },
      setParameter: { shutdownTimeoutMillisForSignaledShutdown: 20000 },
    });
  });

  it("omits oplogMinRetentionHours when not given (the arbiter) and adds the cluster role when sharded", () => {
    const text = renderMongodConf({ ...base, clusterRole: "shardsvr" });
    expect(text).not.toContain("oplogMinRetentionHours");
    expect(text).toContain('sharding:\n  clusterRole: "shardsvr"\n');
  });

  it("writes block YAML with quoted strings", () => {
    expect(toYaml({ a: { b: "x y", c: 1, d: { e: true } }, f: undefined, g: "z" })).toBe('a:\n  b: "x y"\n  c: 1\n  d:\n    e: true\ng: "z"\n');
  });
});

describe("verification's scratch mongod.conf", () => {
  it("takes the members' wire compressors and access control, listens on loopback only, and has no replica set or TLS", () => {
    const member = mongodConf({ replSetName: "rs0", port: 27017, dbPath: "/data/db", keyFile: "/k", memoryLimit: "4Gi", shutdownQuiesceSeconds: 30 }) as Record<string, Record<string, unknown>>;
    expect(verifyMongodConf()).toEqual({
      net: { bindIp: "127.0.0.1", compression: member.net.compression },
      security: { authorization: member.security.authorization },
      storage: { wiredTiger: { engineConfig: { cacheSizeGB: 0.25 } } },
    });
    expect(member.security.authorization).toBe("enabled");
    expect((member.net.compression as Record<string, string>).compressors).not.toMatch(/zlib/);
  });
});
