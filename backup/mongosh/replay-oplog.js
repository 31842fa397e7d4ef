// The one oplog a restore (or verification) replays, merged and trimmed (oplog-merge.js): the
// unpacked base dump's own oplog, then the entries of the plan's slices after the base's lastTs
// and before the limit, gzipped (mongorestore reads --oplogFile through gzip with --gzip).
// Prints `entries`, `fromBase`, `fromSlices`, `skippedAtOrBeforeBase`, `skippedAtOrAfterLimit`,
// `skippedUsersAndRoles` (entries on admin.system.users/roles: oplog-merge.js isAuthzEntry)
// as `key=value` lines. Runs with `mongosh --nodb`.
//   STEPS_FILE   the job's step lines (scripts/lib.sh collect_steps): the `unpack` line names the
//                base's manifest (its lastTs is where slice entries start), the `oplog` lines the
//                slices in chain order (each with its format); `tail` lines only with MERGE_TAIL=1
//   CATALOG_DIR  where the artifacts and manifests are
//   BASE_OPLOG   the unpacked dump's oplog.bson.gz
//   MERGE_LIMIT  <seconds>:<ordinal>, exclusive; "-" for none
//   MERGE_OUT    the merged oplog to write
//   MERGE_TAIL   1: the `tail` lines too (verification proves the slices after its checkpoint read)

const fs = require("fs");
const { mergeOplog } = require(`${process.env.BACKUP_MONGOSH_DIR}/oplog-merge.js`);
const catalog = require(`${process.env.BACKUP_MONGOSH_DIR}/catalog.js`);

const dir = process.env.CATALOG_DIR;
const lines = fs
  .readFileSync(process.env.STEPS_FILE, "utf8")
  .split("\n")
  .filter((l) => l.startsWith("step "))
  .map((l) => l.split(" "));
const unpack = lines.find((w) => w[1] === "unpack");
if (!unpack) throw new Error("the steps hold no unpack line: the base is not a packed directory dump");
const baseManifest = JSON.parse(fs.readFileSync(`${dir}/${unpack[6]}`, "utf8"));
if (!catalog.isTs(baseManifest.lastTs)) throw new Error(`${unpack[6]}: no lastTs`);
const ops = process.env.MERGE_TAIL === "1" ? ["oplog", "tail"] : ["oplog"];
const slices = lines.filter((w) => ops.includes(w[1])).map((w) => ({ path: `${dir}/${w[2]}`, gzip: w[7].endsWith("+gzip") }));
const limit = process.env.MERGE_LIMIT && process.env.MERGE_LIMIT !== "-" ? catalog.parseLimit(process.env.MERGE_LIMIT) : null;

// No top-level await in a mongosh script file (describe-artifact.js says why).
(async () => {
  const r = await mergeOplog({ base: { path: process.env.BASE_OPLOG, gzip: true }, slices, after: baseManifest.lastTs, limit, gzipOut: true }, process.env.MERGE_OUT);
  for (const key of ["entries", "fromBase", "fromSlices", "skippedAtOrBeforeBase", "skippedAtOrAfterLimit", "skippedUsersAndRoles"]) print(`${key}=${r[key]}`);
  if (r.lastTs) print(`lastTs=${r.lastTs.t}:${r.lastTs.i}`);
})();
