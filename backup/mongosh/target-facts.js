// What the in-cluster restore checks of its target before it writes anything (the same facts as
// backup/restore/target-probe.ts for the CLI; target-check.ts says why each matters): whether it
// is a mongos (`hello`.msg "isdbgrid"), and which collections outside admin, local and config hold
// a document. Prints `mongos=0|1` and `withData=<db.coll,...>`. Runs with `mongosh --nodb` as the
// restore user (nyrkioRestore may read everything), through target-connection.js (TARGET,
// RESTORE_USER_DIR, NYRKIO_TLS_CA_FILE).

/* global load, connectTarget -- connectTarget comes from target-connection.js */
load(`${process.env.BACKUP_MONGOSH_DIR}/target-connection.js`);
const { conn } = connectTarget();
const admin = conn.getDB("admin");
const hello = admin.runCommand({ hello: 1 });
if (hello.msg === "isdbgrid") {
  print("mongos=1");
  print("withData=");
} else {
  const withData = [];
  for (const { name } of admin.runCommand({ listDatabases: 1, nameOnly: true }).databases) {
    if (name === "admin" || name === "local" || name === "config") continue;
    const db = conn.getDB(name);
    for (const info of db.getCollectionInfos({ type: "collection" }, { nameOnly: true })) {
      if (info.name.startsWith("system.")) continue;
      if (db.getCollection(info.name).findOne({}, { _id: 1 }) !== null) withData.push(`${name}.${info.name}`);
    }
  }
  print("mongos=0");
  print(`withData=${withData.sort().join(",")}`);
}
