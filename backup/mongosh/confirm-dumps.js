// Majority confirmation of full dumps (issue 10 item 5; the rule and its server sources are in
// backup/majority.ts, embedded into the pruner module as majorityVerdict): asks one member for its
// committed snapshot (hello.lastWrite.majorityOpTime {ts, t}) and, when that is in another term than
// a dump's last entry, for its oplog entry at the dump's lastTs; then decides each dump.
//   FACTS_HOST       the member to ask (the job's source)
//   CATALOG_DIR      optional: every unconfirmed dump of the catalog without a matching record
//   DUMP_LAST_TS, DUMP_LAST_TERM  optional: a dump not yet published (the full-dump job asks about
//                    its own dump before it writes the manifest), reported as "-"
//   CONFIRM_DIR      where the records of newly confirmed catalog dumps are written, as <n>.json
//   BACKUP_PRUNER, BACKUP_MONGOSH_DIR, BACKUP_USER_DIR
// Prints one line per dump: `verdict <manifest path or -> <state> <record n or -> <reason>`, state
// one of confirmed, pending, rolled-back, unprovable (backup/majority.ts MajorityState). Writes
// nothing to the catalog: the shell publishes each record beside its manifest, write-once.

/* global load, connectMember, plainTs -- connectMember and plainTs come from member-connection.js */
load(`${process.env.BACKUP_MONGOSH_DIR}/member-connection.js`);

const fs = require("fs");
const catalog = require(`${process.env.BACKUP_MONGOSH_DIR}/catalog.js`);
const { majorityVerdict } = require(process.env.BACKUP_PRUNER || `${process.env.BACKUP_MONGOSH_DIR}/pruner.js`);

const env = process.env;
const host = env.FACTS_HOST;
if (!host) throw new Error("FACTS_HOST names no member");
const candidates = [];
if (env.DUMP_LAST_TS) {
  const lastTerm = env.DUMP_LAST_TERM === undefined || env.DUMP_LAST_TERM === "" ? undefined : Number(env.DUMP_LAST_TERM);
  candidates.push({ path: "-", dump: { lastTs: catalog.parseLimit(env.DUMP_LAST_TS), lastTerm } });
}
if (env.CATALOG_DIR) {
  for (const m of catalog.unconfirmedDumps(catalog.loadCatalog(env.CATALOG_DIR))) candidates.push({ path: m.manifestPath, dump: m });
}

if (candidates.length) {
  const conn = connectMember(host);
  const hello = conn.getDB("admin").runCommand({ hello: 1 });
  if (!hello.lastWrite || !hello.lastWrite.majorityOpTime) throw new Error(`hello of ${host} has no lastWrite.majorityOpTime: not a replica-set member, or no committed snapshot yet`);
  const mo = hello.lastWrite.majorityOpTime;
  const majority = { ts: plainTs(mo.ts), t: Number(mo.t) };
  const oplog = conn.getDB("local").getCollection("oplog.rs");
  const first = oplog.find({}, { ts: 1 }).sort({ $natural: 1 }).limit(1).next();
  if (!first) throw new Error(`the oplog of ${host} is empty`);
  const oldest = plainTs(first.ts);
  let written = 0;
  for (const c of candidates) {
    let verdict = majorityVerdict(c.dump, { majority, oldest });
    if (verdict.state === "lookup") {
      const ts = c.dump.lastTs;
      // At or before the member's committed snapshot, so its oplog entry there is the set's committed one.
      const entry = oplog.find({ ts: Timestamp({ t: ts.t, i: ts.i }) }, { ts: 1, t: 1 }).limit(1).next();
      verdict = majorityVerdict(c.dump, { majority, oldest, entryAtLastTs: entry ? { ts: plainTs(entry.ts), t: Number(entry.t) } : null });
    }
    let record = "-";
    if (verdict.state === "confirmed" && c.path !== "-") {
      written += 1;
      record = String(written);
      const name = c.path.slice(c.path.lastIndexOf("/") + 1);
      const body = {
        kind: "majority-confirmation",
        schemaVersion: 1,
        manifest: name,
        lastTs: c.dump.lastTs,
        lastTerm: c.dump.lastTerm,
        majority,
        member: host,
        confirmedAt: new Date().toISOString(),
      };
      const problem = catalog.confirmationProblem(body, c.dump, name);
      if (problem) throw new Error(`refusing to write a bad confirmation for ${c.path}: ${problem}`);
      fs.writeFileSync(`${env.CONFIRM_DIR}/${record}.json`, JSON.stringify(body, null, 2) + "\n");
    }
    print(`verdict ${c.path} ${verdict.state} ${record} ${verdict.reason.replace(/\s+/g, " ")}`);
  }
  conn.close();
}
