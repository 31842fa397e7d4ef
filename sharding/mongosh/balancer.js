// Opens or closes a balancer window for a backup, through mongos; run by
// sharding/scripts/balancer-window.sh, which decides when. Windows may overlap (one backup job
// per replica set): each holds a lease, a document in BALANCER_HOLDS_DB.balancer_windows, and
// openWindow/closeWindow (sharding/balancer-holds.ts, put above this file at synth time) decide
// who stops the balancer and who starts it again.
// Environment (names, paths and numbers only, never a secret):
//   BALANCER_ACTION          "open" or "close"
//   BALANCER_HOLDER          this window's unique name (pod and process)
//   BALANCER_STATE_FILE      "open" writes "held" here once the lease is recorded
//   BALANCER_USERNAME_FILE, BALANCER_PASSWORD_FILE  the mounted Secret's keys
//   BALANCER_HOLDS_DB        database of the leases (default nyrkio_ops)
//   BALANCER_LEASE_SECONDS   how long a lease lasts: longer than any dump (default 21600)
//   BALANCER_TIMEOUT_SECONDS how long to wait for a running balancing round (default 600)
// The user needs find and update on config.settings (balancerStatus/Stop/Start check those) and
// find, insert, update, remove on <holds db>.balancer_windows.
/* global openWindow, closeWindow */

(function balancerWindow() {
  const fs = require("fs");
  const env = process.env;
  const timeoutMs = Number(env.BALANCER_TIMEOUT_SECONDS || 600) * 1000;
  const leaseMs = Number(env.BALANCER_LEASE_SECONDS || 6 * 3600) * 1000;
  const holder = env.BALANCER_HOLDER;
  if (!holder) throw new Error("BALANCER_HOLDER must name this window");

  function log(fields) {
    print(JSON.stringify(Object.assign({ job: "balancer-window", at: new Date().toISOString(), holder }, fields)));
  }

  function readSecret(path) {
    return fs.readFileSync(path, "utf8").replace(/\r?\n$/, "");
  }

  const admin = db.getSiblingDB("admin");
  function run(command) {
    const reply = admin.runCommand(command);
    if (!reply || reply.ok !== 1) throw new Error(`${Object.keys(command)[0]} failed: ${JSON.stringify(reply)}`);
    return reply;
  }

  admin.auth(readSecret(env.BALANCER_USERNAME_FILE), readSecret(env.BALANCER_PASSWORD_FILE));
  const holds = db.getSiblingDB(env.BALANCER_HOLDS_DB || "nyrkio_ops").getCollection("balancer_windows");
  function otherLiveHolds(now) {
    return holds.find({ _id: { $ne: holder }, expiresAt: { $gt: now } }).toArray();
  }

  if (env.BALANCER_ACTION === "open") {
    const now = new Date();
    // The lease goes in first: a window closing at this very moment then sees this one and
    // leaves the balancer stopped.
    holds.insertOne({ _id: holder, since: now, expiresAt: new Date(now.getTime() + leaseMs), restart: false });
    fs.writeFileSync(env.BALANCER_STATE_FILE, "held\n");
    const status = run({ balancerStatus: 1 });
    const expired = holds.find({ _id: { $ne: holder }, expiresAt: { $lte: now } }).toArray();
    const decision = openWindow({ mode: status.mode, otherLive: otherLiveHolds(now), expired });
    if (expired.length > 0) holds.deleteMany({ _id: { $in: expired.map((h) => h._id) } });
    holds.updateOne({ _id: holder }, { $set: { restart: decision.restart } });
    if (decision.stop) run({ balancerStop: 1, maxTimeMS: timeoutMs });
    // Whoever stopped it, a round that is still running must end before the dumps start.
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!run({ balancerStatus: 1 }).inBalancerRound) break;
      if (Date.now() > deadline) throw new Error(`a balancing round is still running after ${timeoutMs / 1000} s`);
      sleep(1000);
    }
    log({ level: "info", msg: "window open", balancerBefore: status.mode, stopped: decision.stop, restartDuty: decision.restart, why: decision.why });
  } else if (env.BALANCER_ACTION === "close") {
    const own = holds.findOne({ _id: holder });
    if (own) holds.deleteOne({ _id: holder });
    const live = otherLiveHolds(new Date());
    const decision = closeWindow({ own, otherLive: live });
    if (decision.handOver) holds.updateMany({ _id: { $in: live.map((h) => h._id) } }, { $set: { restart: true } });
    if (decision.start) run({ balancerStart: 1, maxTimeMS: timeoutMs });
    log({ level: own ? "info" : "warning", msg: "window closed", started: decision.start, why: decision.why });
  } else {
    throw new Error(`BALANCER_ACTION must be "open" or "close", got ${JSON.stringify(env.BALANCER_ACTION)}`);
  }
})();
