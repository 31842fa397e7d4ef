// What the verification job restores (catalog.js verificationPlan): prints `full`, `checkpoint`,
// `end` and `gap` as `key=value` lines, then one `step ...` line per mongorestore call or count
// check. Runs with `mongosh --nodb`.
//   CATALOG_DIR
//   BACKUP_PRUNER  the pruner module (its analyzeChain: the planner's chain logic); default pruner.js here

const catalog = require(`${process.env.BACKUP_MONGOSH_DIR}/catalog.js`);
const { analyzeChain } = require(process.env.BACKUP_PRUNER || `${process.env.BACKUP_MONGOSH_DIR}/pruner.js`);

const plan = catalog.verificationPlan(catalog.loadCatalog(process.env.CATALOG_DIR), analyzeChain);
print(`full=${plan.full.artifactPath}`);
print(`checkpoint=${plan.checkpoint.manifestPath}`);
print(`checkpointTs=${catalog.tsText(plan.checkpoint.lastTs)}`);
print(`end=${catalog.tsText(plan.end.lastTs)}`);
print(`slices=${plan.chain.length}`);
if (plan.gap) print(`gap=${plan.gap}`);
for (const line of catalog.stepLines(plan.steps)) print(line);
