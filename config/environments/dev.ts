// dev: the built-in default. Small, runs on a single-node cluster (kind, minikube, k3d):
// members are spread over nodes where they can be, not required to.
import { DEFAULT_EXPORTER_IMAGE } from "../../monitoring/exporter-image";
import type { PlatformConfig } from "../platform-config";

const small = { requests: { cpu: "250m", memory: "1Gi" }, limits: { memory: "1Gi" } };

export const dev: PlatformConfig = {
  name: "dev",
  kubernetes: { namespace: "nyrkio-db-dev", createNamespace: true },
  state: { backend: "local" },
  image: "mongo:8.0.12",
  database: "nyrkio",
  replsets: [
    {
      name: "rs0",
      members: [
        { priority: 2, votes: 1 },
        { priority: 1, votes: 1 },
      ],
      arbiter: { enabled: true, priority: 0, resources: { requests: { cpu: "50m", memory: "256Mi" }, limits: { memory: "256Mi" } } },
      resources: small,
      storage: { size: "10Gi" },
      oplogMinRetentionHours: 24,
    },
  ],
  pod: { terminationGracePeriodSeconds: 60, shutdownQuiesceSeconds: 15, nodeSpread: "preferred", zoneSpread: "none" },
  network: { clientNamespaces: ["nyrkio"], clientPodLabels: {} },
  secrets: {
    keyfile: "nyrkio-mongodb-keyfile",
    root: "nyrkio-mongodb-root",
    app: "nyrkio-mongodb-app",
    migrator: "nyrkio-mongodb-migrator",
    backup: "nyrkio-mongodb-backup",
    restore: "nyrkio-mongodb-restore",
    monitor: "nyrkio-mongodb-monitor",
  },
  readWriteConcern: { write: { w: "majority", wtimeoutMS: 10000 }, read: "local" },
  retention: { enabled: true, resultsDays: 90, schedule: "17 3 * * *", batchSize: 1000 },
  sharding: {
    enabled: false,
    allowShardArbiters: false,
    configServer: { members: 3, resources: small, storage: { size: "5Gi" } },
    mongos: { replicas: 2, resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } } },
    collections: [],
  },
  backup: {
    enabled: true,
    storage: { type: "pvc", size: "20Gi", accessMode: "ReadWriteOnce" },
    full: { schedule: "0 2 * * *" },
    pitr: { enabled: true, oplogSpanMin: 5 },
    retention: { daily: 7, weekly: 4 },
    verify: { enabled: true, schedule: "0 5 * * *" },
    resources: { requests: { cpu: "100m", memory: "512Mi" }, limits: { memory: "1Gi" } },
  },
  monitoring: { enabled: true, exporterImage: DEFAULT_EXPORTER_IMAGE, scrapeNamespaces: ["monitoring"], prometheusOperator: false },
};
