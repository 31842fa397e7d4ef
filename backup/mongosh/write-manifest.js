// Writes one manifest (docs/backup-format.md) from the job's facts, checked before it is written:
// a job never publishes a manifest the planner would refuse. Runs with `mongosh --nodb`.
//   M_OUT         where to write it (a partial name; the job renames it into place)
//   M_KIND        full | oplog
//   M_FILE        the artifact's name, relative to the manifest
//   M_BYTES, M_SHA256, M_REPLSET, M_CREATED_AT
//   M_REPLSET_ID  the replica set's replicaSetId (source-facts.js)
//   M_FIRST, M_LAST, M_PREV (slices)   <seconds>:<ordinal>
//   M_ENTRIES     slices: oplog entries in the artifact
//   M_COUNTS      optional: a JSON file of document counts as of M_LAST
//   M_TOOLS       optional: "tool=version,tool=version"
//   M_LAST_TERM, M_MAJORITY_COMMIT  full dumps: the term of the entry at M_LAST and whether the
//                 majority commit point had passed it (confirmed | unconfirmed; backup/majority.ts)
//   M_BALANCER_WINDOW  optional: "unwindowed" marks a full dump of a sharded cluster's replica
//                 set taken without the balancer window (sharding/scripts/balancer-window.sh)

const fs = require("fs");
const catalog = require(`${process.env.BACKUP_MONGOSH_DIR}/catalog.js`);

const env = process.env;
const ts = (name) => catalog.parseLimit(env[name] || "");
const manifest = {
  schemaVersion: catalog.SCHEMA_VERSION,
  kind: env.M_KIND,
  format: catalog.FORMATS[env.M_KIND],
  file: env.M_FILE,
  bytes: Number(env.M_BYTES),
  sha256: env.M_SHA256,
  replicaSet: env.M_REPLSET,
  replicaSetId: env.M_REPLSET_ID,
  firstTs: ts("M_FIRST"),
  lastTs: ts("M_LAST"),
  ...(env.M_KIND === "oplog" ? { prevTs: ts("M_PREV"), entries: Number(env.M_ENTRIES) } : {}),
  createdAt: env.M_CREATED_AT || new Date().toISOString(),
};
if (env.M_KIND === "full" && env.M_BALANCER_WINDOW === "unwindowed") manifest.unwindowed = true;
if (env.M_KIND === "full" && env.M_LAST_TERM) manifest.lastTerm = Number(env.M_LAST_TERM);
if (env.M_KIND === "full" && env.M_MAJORITY_COMMIT) manifest.majorityCommit = env.M_MAJORITY_COMMIT;
if (env.M_COUNTS) manifest.counts = JSON.parse(fs.readFileSync(env.M_COUNTS, "utf8"));
if (env.M_TOOLS) {
  manifest.tools = Object.fromEntries(
    env.M_TOOLS.split(",")
      .filter(Boolean)
      .map((pair) => pair.split("=")),
  );
}
const problems = catalog.manifestProblems(manifest);
if (problems.length) throw new Error(`refusing to write a bad manifest for ${env.M_FILE}: ${problems.join("; ")}`);
fs.writeFileSync(env.M_OUT, JSON.stringify(manifest, null, 2) + "\n");
