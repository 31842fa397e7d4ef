// Picks the member a backup reads from and reports its oplog facts, one `key=value` per line:
//   source     host:port of the member (a secondary when one is healthy, else the primary)
//   role       secondary | primary
//   oldest     ts of the oldest entry still in its oplog (<seconds>:<ordinal>)
//   newest     ts of its newest oplog entry
//   majority   its majority commit point (hello.lastWrite.majorityOpTime): entries after it can
//              still be rolled back, so slices stop there
//   applied    its newest applied write (hello.lastWrite.opTime)
//   replicaSetId  config.settings.replicaSetId of the chosen member (replSetGetConfig, which the
//              backup user holds through nyrkioReplSetConfig): 24 hex digits, recorded in every
//              manifest so chains never join across replica sets
//   setNewest  the newest write of the whole set: the newest lastWrite.opTime of every member that
//              answered (the primary's, when it answers). Commit lag and the recovery point are
//              measured against it: measured against a lagging secondary itself, a stalled
//              secondary looked like "nothing to do" while the restore window stood still.
// `hello` needs no role beyond the backup user's, unlike replSetGetStatus (clusterMonitor); it
// reports the same commit point the member holds (replSetGetStatus optimes.lastCommittedOpTime).
//   BACKUP_MEMBERS   comma-separated host:port of the data members
//   FACTS_HOST       ask only this member (a job re-checks its source after a dump)
//   BACKUP_MONGOSH_DIR, BACKUP_USER_DIR

/* global load, connectMember, plainTs -- connectMember and plainTs come from member-connection.js */
load(`${process.env.BACKUP_MONGOSH_DIR}/member-connection.js`);

const text = (ts) => `${ts.t}:${ts.i}`;
const hosts = process.env.FACTS_HOST ? [process.env.FACTS_HOST] : (process.env.BACKUP_MEMBERS || "").split(",").filter(Boolean);
if (hosts.length === 0) throw new Error("BACKUP_MEMBERS names no member");

const members = [];
for (const host of hosts) {
  try {
    const conn = connectMember(host);
    const hello = conn.getDB("admin").runCommand({ hello: 1 });
    if (!hello.lastWrite) throw new Error("hello has no lastWrite: not a replica-set member");
    members.push({
      host,
      conn,
      role: hello.isWritablePrimary ? "primary" : hello.secondary ? "secondary" : "other",
      applied: plainTs(hello.lastWrite.opTime.ts),
      majority: plainTs(hello.lastWrite.majorityOpTime.ts),
    });
  } catch (err) {
    // stderr, which the job relays to its log; mongosh's console.error writes to stdout (the answer).
    process.stderr.write(`member ${host} skipped: ${err.message}\n`);
  }
}

const newestFirst = (a, b) => b.applied.t - a.applied.t || b.applied.i - a.applied.i;
const chosen = members.filter((m) => m.role === "secondary").sort(newestFirst)[0] || members.find((m) => m.role === "primary");
if (!chosen) throw new Error(`no reachable secondary or primary among ${hosts.join(", ")}`);

const oplog = chosen.conn.getDB("local").getCollection("oplog.rs");
const oldest = oplog.find({}, { ts: 1 }).sort({ $natural: 1 }).limit(1).next();
const newest = oplog.find({}, { ts: 1 }).sort({ $natural: -1 }).limit(1).next();
if (!oldest || !newest) throw new Error(`the oplog of ${chosen.host} is empty`);

const config = chosen.conn.getDB("admin").runCommand({ replSetGetConfig: 1 }).config;
const rsId = config && config.settings && config.settings.replicaSetId;
if (!rsId) throw new Error(`replSetGetConfig of ${chosen.host} has no settings.replicaSetId`);
const replicaSetId = typeof rsId.toHexString === "function" ? rsId.toHexString() : String(rsId);

print(`source=${chosen.host}`);
print(`role=${chosen.role}`);
print(`oldest=${text(plainTs(oldest.ts))}`);
print(`newest=${text(plainTs(newest.ts))}`);
print(`majority=${text(chosen.majority)}`);
print(`applied=${text(chosen.applied)}`);
print(`replicaSetId=${replicaSetId}`);
print(`setNewest=${text(members.slice().sort(newestFirst)[0].applied)}`);
for (const m of members) m.conn.close();
