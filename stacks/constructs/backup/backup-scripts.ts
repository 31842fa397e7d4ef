// The backup pods' scripts, read from backup/scripts and backup/mongosh at synth time and
// embedded in one ConfigMap, plus the retention pruner (backup/retention), written as a Node
// module from the very function the pruner's tests exercise, and, for a sharded cluster, the
// balancer window (sharding/) that each full dump runs inside. ConfigMap keys cannot hold "/", so
// scripts/x.sh is stored as scripts-x.sh and projected back to scripts/x.sh: in the pod the
// scripts find each other exactly as in the repository (and under bats).

import * as path from "node:path";
import { embeddablePrunerModule } from "../../../backup/retention/embeddable-pruner";
import { BALANCER_SCRIPT_FILE, BALANCER_WINDOW_FILE, balancerWindowFiles } from "../../../sharding/balancer-script";
import { MONGOSH_CONF } from "../member-pod";
import { readEmbeddedFile } from "../../../config/embedded-file";
import { toYaml, verifyMongodConf } from "../mongod-config";

/** The key of mongosh's global config in the scripts ConfigMap (not projected among the scripts). */
export const MONGOSH_CONF_KEY = "mongosh.conf";

const BACKUP_DIR = path.join(__dirname, "..", "..", "..", "backup");

/** Paths relative to backup/ and to the scripts' mount point in the pods. */
export const BACKUP_POD_SCRIPTS = [
  "scripts/lib.sh",
  "scripts/full-dump.sh",
  "scripts/oplog-slice.sh",
  "scripts/prune.sh",
  "scripts/verify.sh",
  "scripts/restore.sh",
  "scripts/export-catalog.sh",
  "scripts/s3-transfer.sh",
  "scripts/encryption.sh",
  "mongosh/catalog.js",
  "mongosh/oplog-window.js",
  "mongosh/oplog-merge.js",
  "mongosh/dump-authz.js",
  "mongosh/replay-oplog.js",
  "mongosh/member-connection.js",
  "mongosh/source-facts.js",
  "mongosh/confirm-dumps.js",
  "mongosh/snapshot-counts.js",
  "mongosh/slice-plan.js",
  "mongosh/catalog-head.js",
  "mongosh/recovery-point.js",
  "mongosh/describe-artifact.js",
  "mongosh/write-manifest.js",
  "mongosh/write-status.js",
  "mongosh/prune.js",
  "mongosh/verify-plan.js",
  "mongosh/restore-plan.js",
  "mongosh/target-connection.js",
  "mongosh/target-facts.js",
  "mongosh/restore-user.js",
  "mongosh/drop-restore-user.js",
  "mongosh/restored-users.js",
  "mongosh/compare-counts.js",
  "mongosh/verify-users.js",
] as const;

/** Generated at synth time, not read from a file. */
export const PRUNER_MODULE = "mongosh/pruner.js";

/** Generated at synth time: the verification's scratch mongod.conf (mongod-config.ts verifyMongodConf). */
export const VERIFY_MONGOD_CONF = "scripts/verify-mongod.conf";

/** The text of VERIFY_MONGOD_CONF. */
export function verifyMongodConfText(): string {
  return toYaml(verifyMongodConf());
}

/** Sharded clusters: the balancer window that wraps each full dump (sharding/balancer-script.ts). */
export const BALANCER_WINDOW = `sharding/${BALANCER_WINDOW_FILE}`;
export const BALANCER_SCRIPT = `sharding/${BALANCER_SCRIPT_FILE}`;

/** Where the ConfigMap is mounted in every backup container. */
export const SCRIPTS_MOUNT = "/opt/nyrkio/backup";

export function scriptPath(script: string): string {
  return `${SCRIPTS_MOUNT}/${script}`;
}

function key(script: string): string {
  return script.replace(/\//g, "-");
}

/**
 * The pruner as a Node module for mongosh's require(): `prune(manifests, nowIso, policy)` from
 * embeddablePruner(), exported. prune.js calls it; nothing else in the pod decides retention.
 */
export function prunerModuleSource(): string {
  return embeddablePrunerModule();
}

/** ConfigMap data: key → file text. `sharded` adds the balancer window. */
export function backupScriptsData(sharded: boolean): Record<string, string> {
  const data: Record<string, string> = Object.fromEntries(BACKUP_POD_SCRIPTS.map((s) => [key(s), readEmbeddedFile(path.join(BACKUP_DIR, s))]));
  data[key(PRUNER_MODULE)] = prunerModuleSource();
  data[key(VERIFY_MONGOD_CONF)] = verifyMongodConfText();
  // mongosh's global config: no log files, no telemetry (mounted at /etc/mongosh.conf).
  data[MONGOSH_CONF_KEY] = MONGOSH_CONF;
  if (sharded) {
    const window = balancerWindowFiles();
    data[key(BALANCER_WINDOW)] = window[BALANCER_WINDOW_FILE];
    data[key(BALANCER_SCRIPT)] = window[BALANCER_SCRIPT_FILE];
  }
  return data;
}

/** ConfigMap volume items that lay the files out as in backup/ (and sharding/ beside them). */
export function backupScriptsItems(sharded: boolean): { key: string; path: string }[] {
  return [...BACKUP_POD_SCRIPTS, PRUNER_MODULE, VERIFY_MONGOD_CONF, ...(sharded ? [BALANCER_WINDOW, BALANCER_SCRIPT] : [])].map((s) => ({ key: key(s), path: s }));
}
