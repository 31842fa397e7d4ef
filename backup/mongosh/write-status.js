// Writes the status file of a job's newest success (<catalog>/status/<kind>.json): what a person
// or a bucket-side check reads to see how fresh the backups are. Runs with `mongosh --nodb`.
//   STATUS_OUT       where to write it (a partial name; the job renames it into place)
//   STATUS_KIND      full | oplog | verify
//   STATUS_REPLSET   the replica set
//   STATUS_MANIFEST  optional: the manifest of the artifact the job wrote or verified
//   STATUS_DETAIL    optional: one line of text

const fs = require("fs");

const env = process.env;
const status = { kind: env.STATUS_KIND, replicaSet: env.STATUS_REPLSET, succeededAt: new Date().toISOString() };
if (env.STATUS_MANIFEST) {
  const m = JSON.parse(fs.readFileSync(env.STATUS_MANIFEST, "utf8"));
  Object.assign(status, { file: m.file, lastTs: m.lastTs, lastTsIso: new Date(m.lastTs.t * 1000).toISOString(), bytes: m.bytes });
}
if (env.STATUS_DETAIL) status.detail = env.STATUS_DETAIL;
fs.writeFileSync(env.STATUS_OUT, JSON.stringify(status, null, 2) + "\n");
