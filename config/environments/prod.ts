// prod: members on separate nodes (required) and spread over zones where the cluster has them,
// Terraform state in a Kubernetes Secret with a lock, backups in an S3-compatible bucket
// (outside the cluster's failure domain).
import type { PlatformConfig } from "../platform-config";
import { dev } from "./dev";

const data = { requests: { cpu: "2", memory: "8Gi" }, limits: { memory: "8Gi" } };

export const prod: PlatformConfig = {
  ...dev,
  name: "prod",
  kubernetes: { namespace: "nyrkio-db", createNamespace: true },
  // Secrets tfstate-default-nyrkio-nyrkio-db-prod and …-nyrkio-db-prod-backup: one state per stack.
  state: { backend: "kubernetes", secretSuffix: "nyrkio", namespace: "terraform-state" },
  replsets: [
    {
      ...dev.replsets[0],
      resources: data,
      storage: { storageClass: "ssd", size: "200Gi" },
      arbiter: { ...dev.replsets[0].arbiter, resources: { requests: { cpu: "100m", memory: "512Mi" }, limits: { memory: "512Mi" } } },
    },
  ],
  pod: { ...dev.pod, nodeSpread: "required", zoneSpread: "preferred" },
  backup: {
    ...dev.backup,
    storage: {
      type: "s3",
      bucket: "nyrkio-db-backups",
      prefix: "prod",
      region: "eu-north-1",
      // Three keys: only the pruner's may delete (docs/backups.md, "Keys").
      credentials: { writer: "nyrkio-backup-s3-writer", reader: "nyrkio-backup-s3-reader", pruner: "nyrkio-backup-s3-pruner" },
    },
    retention: { daily: 14, weekly: 8 },
    resources: { requests: { cpu: "500m", memory: "2Gi" }, limits: { memory: "4Gi" } },
    // Verification restores the whole set (200Gi claims) beside its dump: docs/backups.md, "Scratch space".
    scratch: { storageClass: "ssd", size: "300Gi", small: "10Gi" },
  },
};
