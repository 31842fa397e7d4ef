// What the in-cluster restore checks of its target before it writes anything (the same facts as
// backup/restore/target-probe.ts for the CLI; target-check.ts says why each matters): whether it
// is a mongos (`hello`.msg "isdbgrid"), and which collections outside admin, local and config hold
// a document. Prints `mongos=0|1` and `withData=<db.coll,...>`. Runs with `mongosh --nodb` as the
// restore user (nyrkioRestore may read everything).
//   TARGET            mongorestore --host form: "<replicaSet>/<host>,<host>" or "<host>"
//   RESTORE_USER_DIR  the restore user's Secret (username, password)

const fs = require("fs");
const dir = process.env.RESTORE_USER_DIR;
const read = (name) => fs.readFileSync(`${dir}/${name}`, "utf8").replace(/\n+$/, "");
const target = process.env.TARGET || "";
const slash = target.indexOf("/");
// With NYRKIO_TLS_CA_FILE set (clients use TLS, config/tls.ts tlsClientEnv), the certificate and
// host name are verified: config/tls.ts uriTlsOptions, spelled for a URI.
const timeouts = `serverSelectionTimeoutMS=15000&connectTimeoutMS=10000${process.env.NYRKIO_TLS_CA_FILE ? `&tls=true&tlsCAFile=${process.env.NYRKIO_TLS_CA_FILE}` : ""}`;
const uri =
  slash >= 0
    ? `mongodb://${target.slice(slash + 1)}/?replicaSet=${encodeURIComponent(target.slice(0, slash))}&readPreference=primary&${timeouts}`
    : `mongodb://${target}/?directConnection=true&${timeouts}`;
const conn = new Mongo(uri);
const admin = conn.getDB("admin");
admin.auth(read("username"), read("password"));
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
