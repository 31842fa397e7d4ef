// The catalog head (catalog.js catalogHead; docs/backups.md "Listing S3 incrementally"), for S3
// storage only. Runs with `mongosh --nodb`.
//   HEAD_MODE=write  CATALOG_DIR, STATUS_OUT: the head of the catalog as this job leaves it
//                    (loaded manifests plus the spans an incremental pull left), written to STATUS_OUT
//   HEAD_MODE=load   HEAD_FILE, CATALOG_DIR: writes the head's manifests (and confirmation records)
//                    into the catalog where the pull did not bring a newer copy, its spans to
//                    <catalog>/.spans.json, and <catalog>/.partial (retention never runs on it)
//   BACKUP_PRUNER    the pruner module (its analyzeChain: the planner's chain logic)
// Prints `entries=<n>` and `spans=<n>`.

const fs = require("fs");
const path = require("path");
const catalog = require(`${process.env.BACKUP_MONGOSH_DIR}/catalog.js`);
const { analyzeChain } = require(process.env.BACKUP_PRUNER || `${process.env.BACKUP_MONGOSH_DIR}/pruner.js`);

const env = process.env;
const root = env.CATALOG_DIR;
if (env.HEAD_MODE === "write") {
  const head = catalog.catalogHead(catalog.loadCatalog(root), catalog.loadSpans(root), analyzeChain);
  fs.writeFileSync(env.STATUS_OUT, catalog.headText(head));
  print(`entries=${head.entries.length}`);
  print(`spans=${head.spans.length}`);
} else if (env.HEAD_MODE === "load") {
  const head = catalog.parseHeadText(fs.readFileSync(env.HEAD_FILE, "utf8"));
  const write = (rel, body) => {
    const file = path.join(root, rel);
    if (fs.existsSync(file)) return;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(body, null, 2) + "\n");
  };
  for (const e of head.entries) {
    write(e.manifestPath, e.manifest);
    if (e.confirmation) write(catalog.confirmationPath(e.manifestPath), e.confirmation);
  }
  fs.writeFileSync(path.join(root, ".spans.json"), JSON.stringify(head.spans) + "\n");
  fs.writeFileSync(path.join(root, ".partial"), "pulled incrementally from status/catalog-head: not every manifest is here\n");
  print(`entries=${head.entries.length}`);
  print(`spans=${head.spans.length}`);
} else {
  throw new Error(`HEAD_MODE must be write or load, got ${JSON.stringify(env.HEAD_MODE)}`);
}
