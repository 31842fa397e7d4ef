// The TLS rotation sidecar's one command (tls-rotate.sh): log in to this pod's mongod or mongos
// as the rotator user (replicaset/users.ts: the rotateCertificates action on the cluster and
// nothing else) and load the certificate, key and CA files anew from the same paths, for new
// connections, without a restart (MongoDB 5.0+,
// https://www.mongodb.com/docs/manual/reference/command/rotateCertificates/; the server checks
// the action in src/mongo/db/commands/rotate_certificates_command.cpp).
// The password is read from the mounted Secret, never from argv or the environment.
//   TLS_ROTATOR_SECRET_DIR  the rotator's Secret (username, password)
//   TLS_ROTATION_REASON     logged by mongod with the rotation (the command's `message`)
// Prints one JSON line; exits 1 on any failure.
const fs = require("fs");

function secret(key) {
  const path = process.env.TLS_ROTATOR_SECRET_DIR + "/" + key;
  return fs.readFileSync(path, "utf8").replace(/\r?\n$/, "");
}

// quit() stays outside the try: mongosh ends the script by throwing from it.
let failed = true;
try {
  const admin = db.getSiblingDB("admin");
  admin.auth(secret("username"), secret("password"));
  const result = admin.runCommand({ rotateCertificates: 1, message: process.env.TLS_ROTATION_REASON || "certificate Secret changed" });
  if (!result || result.ok !== 1) throw new Error((result && (result.errmsg || result.codeName)) || "no response");
  print(JSON.stringify({ event: "rotated" }));
  failed = false;
} catch (e) {
  print(JSON.stringify({ event: "error", message: "rotateCertificates failed: " + (e && e.message ? e.message : String(e)) }));
}
if (failed) quit(1);
