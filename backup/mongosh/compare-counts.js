// Compares the document counts of a restored database with the counts a manifest recorded at
// backup time for the same point (its lastTs): the live source no longer holds that point, the
// manifest does. Prints `checked=N`, `mismatches=M` and one `mismatch=<json>` line per collection
// that differs. Runs with `mongosh --nodb`; the restored mongod is the job's own, on localhost,
// with access control on: it reads as the restore user verify-users.js made there.
//   TARGET_URI         the throwaway mongod
//   TARGET_USER_DIR    username, password of that restore user (the container's credentials volume)
//   EXPECTED_MANIFEST  the manifest whose `counts` to compare with

const fs = require("fs");

const expected = JSON.parse(fs.readFileSync(process.env.EXPECTED_MANIFEST, "utf8")).counts || {};
const conn = new Mongo(process.env.TARGET_URI);
const read = (name) => fs.readFileSync(`${process.env.TARGET_USER_DIR}/${name}`, "utf8").replace(/\n+$/, "");
conn.getDB("admin").auth(read("username"), read("password"));
let mismatches = 0;
const namespaces = Object.keys(expected).sort();
for (const ns of namespaces) {
  const dot = ns.indexOf(".");
  const restored = conn.getDB(ns.slice(0, dot)).getCollection(ns.slice(dot + 1)).countDocuments({});
  if (restored !== expected[ns]) {
    mismatches += 1;
    print(`mismatch=${JSON.stringify({ collection: ns, expected: expected[ns], restored })}`);
  }
}
print(`checked=${namespaces.length}`);
print(`mismatches=${mismatches}`);
conn.close();
