// Retention: asks the pruner (backup/retention/pruner.ts, embedded as BACKUP_PRUNER at synth
// time) which manifests go, and prints what to delete, one `delete <path>` per line in a safe
// order: each manifest before its artifact, so a crash in between leaves an artifact no manifest
// names (space, never a plan that points at nothing). Then the leftovers of crashed writes.
// Prints one `reason <path> <text>` per deleted manifest. Runs with `mongosh --nodb`.
//   CATALOG_DIR, BACKUP_PRUNER
//   RETENTION_DAILY, RETENTION_WEEKLY   the policy
//   LEFTOVER_MIN_AGE_SECONDS            partial files younger than this belong to a running job

const fs = require("fs");
const path = require("path");
const catalog = require(`${process.env.BACKUP_MONGOSH_DIR}/catalog.js`);
const { prune } = require(process.env.BACKUP_PRUNER);

const root = process.env.CATALOG_DIR;
const manifests = catalog.loadCatalog(root);
const decision = prune(manifests, new Date().toISOString(), {
  daily: Number(process.env.RETENTION_DAILY),
  weekly: Number(process.env.RETENTION_WEEKLY),
});
// Each path once, in the order printed: manifests before their artifacts.
const printed = new Set();
const remove = (p) => {
  if (!printed.has(p)) print(`delete ${p}`);
  printed.add(p);
};
for (const { manifest, reason } of decision.delete) {
  print(`reason ${manifest.manifestPath} ${String(reason).replace(/\s+/g, " ")}`);
  remove(manifest.manifestPath);
  remove(manifest.artifactPath);
  // Its majority confirmation record (backup/majority.ts) goes with it, last.
  const confirmation = catalog.confirmationPath(manifest.manifestPath);
  if (fs.existsSync(path.join(root, confirmation))) remove(confirmation);
}

// The files retention may collect as leftovers. With S3 the pulled catalog holds manifests only:
// s3-transfer.sh leaves the bucket's listing in <catalog>/.listing ("<key>\t<LastModified>" per
// line, list-objects-v2 text output), so artifacts no manifest names are collected on the bucket too.
const files = [];
// Staging directories of full dumps are local only (full-dump.sh never uploads one).
const stages = [];
const listing = path.join(root, ".listing");
if (fs.existsSync(listing)) {
  for (const line of fs.readFileSync(listing, "utf8").split("\n")) {
    const [key, modified] = line.split(/\s+/);
    if (!key || !/^(full|oplog)\//.test(key)) continue;
    const mtimeMs = Date.parse(modified);
    if (!Number.isNaN(mtimeMs)) files.push({ path: key, mtimeMs });
  }
} else {
  for (const dir of ["full", "oplog"]) {
    const abs = path.join(root, dir);
    if (!fs.existsSync(abs)) continue;
    for (const name of fs.readdirSync(abs)) {
      const stat = fs.statSync(path.join(abs, name));
      if (stat.isFile()) files.push({ path: `${dir}/${name}`, mtimeMs: stat.mtimeMs });
      else if (stat.isDirectory() && catalog.isStageName(name)) stages.push({ path: `${dir}/${name}`, mtimeMs: stat.mtimeMs });
    }
  }
}
const kept = decision.keep.map((k) => k.manifest);
const minAgeMs = Number(process.env.LEFTOVER_MIN_AGE_SECONDS || 86400) * 1000;
for (const leftover of catalog.leftovers(files, kept, Date.now(), minAgeMs)) remove(leftover);
// A full dump's staging directory that a killed job left (full-dump.sh removes it on any exit it sees).
for (const stage of stages) if (Date.now() - stage.mtimeMs >= minAgeMs) print(`delete-stage ${stage.path}`);
print(`kept=${decision.keep.length}`);
print(`deleted=${decision.delete.length}`);
