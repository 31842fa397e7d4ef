/* global decideArbiterRestart */
// The arbiter's TLS sidecar (tls-rotate.sh with TLS_SIDECAR_ROLE=arbiter) runs this over
// 127.0.0.1 without credentials when the certificate Secret or the ConfigMap's tlsMode changed:
// the localhost exception, which never closes on an arbiter (it holds no users), grants
// getParameter, replSetGetStatus and shutdown there (replicaset/arbiter-restart.ts says where
// from). decideArbiterRestart (embedded in front of this file by stacks/constructs/pod-scripts.ts)
// decides; on "restart" this shuts the arbiter down and the kubelet starts the container again,
// which assembles the new files and reads the new mode at start.
//   REPLICASET_CONFIG  the designed config (replicaset.json): members and votes
//   TLS_MODE_FILE      the ConfigMap key with the tlsMode the start script gives mongod (optional)
//   CERT_CHANGED       "1" when the Secret differs from what mongod was given
// Prints one JSON line. Exit 0: restarted or nothing to do; 3: wait (the set is not healthy, or
// the mode is not the next step); 1: a failure.
const fs = require("fs");

// quit() stays outside the try: mongosh ends the script by throwing from it.
let exitCode = 1;
try {
  const admin = db.getSiblingDB("admin");
  const designed = JSON.parse(fs.readFileSync(process.env.REPLICASET_CONFIG, "utf8"));
  const running = admin.runCommand({ getParameter: 1, tlsMode: 1 }).tlsMode;
  // Without the ConfigMap key (a stack that does not render it), the mode stays as it runs.
  let wanted = running;
  if (process.env.TLS_MODE_FILE) {
    try {
      wanted = fs.readFileSync(process.env.TLS_MODE_FILE, "utf8").trim();
    } catch {
      print(JSON.stringify({ event: "note", message: "no tlsMode at " + process.env.TLS_MODE_FILE + ": only certificate changes restart the arbiter" }));
    }
  }
  const status = admin.runCommand({ replSetGetStatus: 1 });
  const decision = decideArbiterRestart({
    certificateChanged: process.env.CERT_CHANGED === "1",
    runningTlsMode: running,
    wantedTlsMode: wanted,
    members: designed.members.map((m) => ({ host: m.host, votes: m.votes, arbiterOnly: m.arbiterOnly === true })),
    status: status.members.map((m) => ({ name: m.name, health: m.health, stateStr: m.stateStr, self: m.self === true })),
  });
  print(JSON.stringify({ event: "arbiter", action: decision.action, reason: decision.reason }));
  if (decision.action === "restart") {
    try {
      admin.runCommand({ shutdown: 1 });
    } catch (e) {
      // mongod closes the connection as it exits: the expected end. A refusal is not.
      if (e && (e.code === 13 || e.codeName === "Unauthorized")) throw e;
    }
  }
  exitCode = decision.action === "wait" ? 3 : 0;
} catch (e) {
  print(JSON.stringify({ event: "error", message: "arbiter restart check failed: " + (e && e.message ? e.message : String(e)) }));
}
quit(exitCode);
