// Document counts of every collection of the application database at one cluster time, read
// with readConcern {level: "snapshot", atClusterTime} on the backup's source member: the counts a
// restore to that time must reproduce. A snapshot read works within the member's snapshot
// history (minSnapshotHistoryWindowInSeconds, 300 s by default), so a job counts right after it
// saves an artifact. `count` takes no snapshot read concern outside a transaction; an aggregate
// with $count does. Writes {"<db>.<collection>": n} as JSON to COUNTS_OUT.
//   BACKUP_SOURCE     host:port of the member
//   BACKUP_DATABASE   the application database
//   COUNTS_TS         <seconds>:<ordinal>, the cluster time to count at
//   COUNTS_OUT        where to write the JSON
//   BACKUP_MONGOSH_DIR, BACKUP_USER_DIR

/* global load, connectMember -- connectMember comes from member-connection.js */
load(`${process.env.BACKUP_MONGOSH_DIR}/member-connection.js`);

const [t, i] = (process.env.COUNTS_TS || "").split(":").map(Number);
if (!Number.isInteger(t) || !Number.isInteger(i)) throw new Error(`COUNTS_TS must be <seconds>:<ordinal>, got ${process.env.COUNTS_TS}`);
const dbName = process.env.BACKUP_DATABASE;
const conn = connectMember(process.env.BACKUP_SOURCE);
const database = conn.getDB(dbName);
const atClusterTime = Timestamp({ t, i });

// Views and time-series buckets have no documents of their own to compare.
const names = database
  .getCollectionInfos({ type: "collection" }, { nameOnly: true })
  .map((c) => c.name)
  .filter((name) => !name.startsWith("system."))
  .sort();
const counts = {};
const SNAPSHOT_UNAVAILABLE = 246; // the collection was created (or its catalog changed) after that time
for (const name of names) {
  let reply;
  try {
    reply = database.runCommand({
      aggregate: name,
      pipeline: [{ $count: "n" }],
      cursor: {},
      readConcern: { level: "snapshot", atClusterTime },
      maxTimeMS: 120000,
    });
  } catch (err) {
    if (err.code === SNAPSHOT_UNAVAILABLE) {
      // stderr: mongosh's console.error writes to stdout.
      process.stderr.write(`${dbName}.${name} not counted: no snapshot of it at ${t}:${i} (${err.message})\n`);
      continue;
    }
    throw new Error(`counting ${dbName}.${name} at ${t}:${i} failed: ${err.message}`);
  }
  if (reply.ok !== 1) throw new Error(`counting ${dbName}.${name} at ${t}:${i} failed: ${reply.errmsg || JSON.stringify(reply)}`);
  const batch = reply.cursor.firstBatch;
  counts[`${dbName}.${name}`] = batch.length ? Number(batch[0].n) : 0;
}
require("fs").writeFileSync(process.env.COUNTS_OUT, JSON.stringify(counts, null, 2) + "\n");
print(`collections=${Object.keys(counts).length}`);
conn.close();
