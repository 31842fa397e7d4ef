// Checks a restore plan (`npm run restore -- plan --json`, mounted from a ConfigMap) against the
// catalog and prints its mongorestore calls, one `step ...` line each (catalog.js restoreSteps).
// Runs with `mongosh --nodb`.
//   PLAN_FILE, CATALOG_DIR, BACKUP_REPLSET

const fs = require("fs");
const catalog = require(`${process.env.BACKUP_MONGOSH_DIR}/catalog.js`);
// The planner's chain logic, from the generated pruner module (BACKUP_PRUNER, default pruner.js here).
const { analyzeChain } = require(process.env.BACKUP_PRUNER || `${process.env.BACKUP_MONGOSH_DIR}/pruner.js`);

let plan;
try {
  plan = JSON.parse(fs.readFileSync(process.env.PLAN_FILE, "utf8"));
} catch (err) {
  throw new Error(`cannot read the plan ${process.env.PLAN_FILE}: ${err.message}`);
}
const steps = catalog.restoreSteps(plan, catalog.loadCatalog(process.env.CATALOG_DIR), process.env.BACKUP_REPLSET, analyzeChain);
print(`oplogLimit=${steps[0].limit}`);
for (const line of catalog.stepLines(steps)) print(line);
