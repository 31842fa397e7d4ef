// Decides the next oplog slice from the catalog and the source's facts (catalog.js slicePlan) and
// prints it as `key=value` lines for oplog-slice.sh: action, from, to, chainBreak, reason,
// countsAfter, commitLagSeconds. Runs with `mongosh --nodb`.
//   CATALOG_DIR                  the replica set's catalog
//   OPLOG_OLDEST, OPLOG_MAJORITY, OPLOG_APPLIED, OPLOG_SET_NEWEST   <seconds>:<ordinal>, from source-facts.js
//   OPLOG_REPLSET_ID             the source's replicaSetId: only artifacts of this set are continued
//   BACKUP_COUNTS_EVERY_SECONDS  seconds between slices that record document counts

const catalog = require(`${process.env.BACKUP_MONGOSH_DIR}/catalog.js`);

const ts = (name) => catalog.parseLimit(process.env[name] || "");
const plan = catalog.slicePlan({
  manifests: catalog.loadCatalog(process.env.CATALOG_DIR),
  oldest: ts("OPLOG_OLDEST"),
  majority: ts("OPLOG_MAJORITY"),
  applied: ts("OPLOG_APPLIED"),
  setNewest: ts("OPLOG_SET_NEWEST"),
  replicaSetId: process.env.OPLOG_REPLSET_ID || undefined,
  countsEverySeconds: Number(process.env.BACKUP_COUNTS_EVERY_SECONDS || 3600),
});
print(`action=${plan.action}`);
if (plan.from) print(`from=${catalog.tsText(plan.from)}`);
print(`to=${catalog.tsText(plan.to)}`);
if (plan.chainBreak) print(`chainBreak=${plan.chainBreak}`);
if (plan.reason) print(`reason=${plan.reason}`);
print(`countsAfter=${plan.countsAfter}`);
print(`commitLagSeconds=${plan.commitLagSeconds}`);
