// dev: the built-in default. Small, runs on a single-node cluster (kind, minikube, k3d):
// members are spread over nodes where they can be, not required to.
import { DEFAULT_EXPORTER_IMAGE } from "../../monitoring/exporter-image";
import type { PlatformConfig } from "../platform-config";

const small = { requests: { cpu: "250m", memory: "1Gi" }, limits: { memory: "1Gi" } };

export const dev: PlatformConfig = {
  name: "dev",
  kubernetes: { namespace: "nyrkio-db-dev", createNamespace: true },
  state: { backend: "local" },
  // The newest 8.0 patch release, pinned to its multi-arch index digest (docker-library/repo-info,
  // repos/mongo/remote/8.0.md at 05a154fe, 2026-08-04: mongo:8.0 = 8.0.28). Renovate proposes updates.
  image: "mongo:8.0.28@sha256:98605bfa1bb2a15dd82109e1d78ad31527a9a744909fab4606076fa71a0ae515",
  database: "nyrkio",
  replsets: [
    {
      name: "rs0",
      members: [
        { priority: 2, votes: 1 },
        { priority: 1, votes: 1 },
      ],
      // 512Mi: mongod and the readiness probe's mongosh (about 125 MiB, a second of CPU every
      // 10 s) share the container (docs/replica-set.md, "Memory").
      arbiter: { enabled: true, priority: 0, resources: { requests: { cpu: "100m", memory: "512Mi" }, limits: { memory: "512Mi" } } },
      resources: small,
      storage: { size: "10Gi" },
      oplogMinRetentionHours: 24,
    },
  ],
  pod: { terminationGracePeriodSeconds: 60, shutdownQuiesceSeconds: 15, nodeSpread: "preferred", zoneSpread: "none" },
  network: {
    clientNamespaces: ["nyrkio"],
    clientPods: [],
    egress: {
      restrict: true,
      // CoreDNS as kubeadm, kind and most distributions label it.
      dns: { namespace: "kube-system", podLabels: { "k8s-app": "kube-dns" } },
      // kind's and kubeadm's default pod and service CIDRs; set your cluster's.
      clusterCidrs: ["10.244.0.0/16", "10.96.0.0/12"],
    },
  },
  secrets: {
    keyfile: "nyrkio-mongodb-keyfile",
    root: "nyrkio-mongodb-root",
    bootstrap: "nyrkio-mongodb-bootstrap",
    app: "nyrkio-mongodb-app",
    migrator: "nyrkio-mongodb-migrator",
    backup: "nyrkio-mongodb-backup",
    monitor: "nyrkio-mongodb-monitor",
    retention: "nyrkio-mongodb-retention",
    rotator: "nyrkio-mongodb-rotator",
  },
  readWriteConcern: { write: { w: "majority", wtimeoutMS: 10000 }, read: "local" },
  retention: { enabled: true, resultsDays: 90, schedule: "17 3 * * *", batchSize: 1000 },
  sharding: {
    enabled: false,
    allowShardArbiters: false,
    // Off while a converted replica set still serves its application directly (the runbook's
    // last step turns it on); the sharded environment, a new install, has it on.
    clientsOnMongosOnly: false,
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
    // size ≥ data + indexes (10Gi claims) with room for the dump: docs/backups.md, "Scratch space".
    scratch: { size: "20Gi", small: "2Gi" },
  },
  monitoring: { enabled: true, exporterImage: DEFAULT_EXPORTER_IMAGE, scrapeNamespaces: ["monitoring"], prometheusOperator: false },
  // New installations run requireTLS from the first start (docs/tls.md); the certificate Secret
  // comes from scripts/create-secrets.sh --tls. A set already running without TLS is refused the
  // jump at plan time and keeps "disabled" in its override until it steps up (docs/upgrading.md).
  // clientsMigrated stays false: a fresh set starts in requireTLS and has nothing to step, and an
  // override that lowers the mode must not inherit an operator's confirmation.
  tls: {
    mode: "requireTLS",
    certificates: { source: "secret", secretName: "nyrkio-mongodb-tls" },
    memberAuth: "keyFile",
    clientsMigrated: false,
  },
};
