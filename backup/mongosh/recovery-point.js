// Records the recovery point of one replica set where monitoring can read it:
// <catalog>/status/recovery-point.json (docs/backups.md, "The recovery point"), written by every
// slice run, and prints it for oplog-slice.sh as `key=value` lines: restorableUntil, lagSeconds,
// maxLagSeconds, exceeded (1 when the job must fail). Runs with `mongosh --nodb`.
//   CATALOG_DIR, BACKUP_REPLSET, STATUS_OUT (a partial name; the job renames it into place)
//   OPLOG_SET_NEWEST               the set's newest write, <seconds>:<ordinal> (source-facts.js)
//   BACKUP_SLICE_INTERVAL_SECONDS  the slice CronJob's interval
//   BACKUP_PRUNER                  the pruner module (its newestRestorable: the planner's chain logic)

const fs = require("fs");
const catalog = require(`${process.env.BACKUP_MONGOSH_DIR}/catalog.js`);
const { newestRestorable } = require(process.env.BACKUP_PRUNER || `${process.env.BACKUP_MONGOSH_DIR}/pruner.js`);

const env = process.env;
const interval = Number(env.BACKUP_SLICE_INTERVAL_SECONDS);
if (!Number.isInteger(interval) || interval <= 0) throw new Error(`BACKUP_SLICE_INTERVAL_SECONDS must be a whole number of seconds, got ${JSON.stringify(env.BACKUP_SLICE_INTERVAL_SECONDS)}`);
const setNewest = catalog.parseLimit(env.OPLOG_SET_NEWEST || "");
// With an incremental S3 pull the catalog holds the head's manifests and the spans that stand for
// the chains' slices (catalog.js catalogHead): the same reaches as the whole catalog.
const artifacts = catalog.loadCatalog(env.CATALOG_DIR).concat(catalog.loadSpans(env.CATALOG_DIR));
const point = catalog.recoveryPoint({ restorableUntil: newestRestorable(artifacts), setNewest, sliceIntervalSeconds: interval });
const iso = (ts) => new Date(ts.t * 1000).toISOString();
const status = {
  kind: "recovery-point",
  replicaSet: env.BACKUP_REPLSET,
  measuredAt: new Date().toISOString(),
  restorableUntil: point.restorableUntil && { ...point.restorableUntil, iso: iso(point.restorableUntil) },
  newestWrite: { ...setNewest, iso: iso(setNewest) },
  recoveryPointLagSeconds: point.lagSeconds,
  maxRecoveryPointLagSeconds: point.maxLagSeconds,
  sliceIntervalSeconds: interval,
};
fs.writeFileSync(env.STATUS_OUT, JSON.stringify(status, null, 2) + "\n");
print(`restorableUntil=${point.restorableUntil ? catalog.tsText(point.restorableUntil) : "none"}`);
print(`lagSeconds=${point.lagSeconds === null ? "none" : point.lagSeconds}`);
print(`maxLagSeconds=${point.maxLagSeconds}`);
print(`exceeded=${point.exceeded ? 1 : 0}`);
