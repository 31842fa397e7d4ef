// Opens, renews or closes a balancer window for a backup, through mongos; run by
// sharding/scripts/balancer-window.sh, which decides when. Windows may overlap (one backup job
// per replica set): each holds a lease, a document in BALANCER_HOLDS_DB.balancer_windows, and
// openWindow/closeWindow (sharding/balancer-holds.ts, put above this file at synth time) decide
// who stops the balancer and who starts it again.
//
// The decisions read several documents and then send a command; two windows doing that at the
// same time can each act on a state the other is changing (a closing window reads no other lease
// and starts the balancer just after an opening window read it stopped). So every decision runs
// under a lock, one more document in the same collection (_id "lock", inserted: the unique _id
// makes the insert the test-and-set), which expires when its holder dies.
// Environment (names, paths and numbers only, never a secret):
//   BALANCER_ACTION          "open", "renew" (extend this window's lease) or "close"
//   BALANCER_HOLDER          this window's unique name (pod and process)
//   BALANCER_STATE_FILE      "open" writes "held" here once the lease is recorded
//   BALANCER_USERNAME_FILE, BALANCER_PASSWORD_FILE  the mounted Secret's keys
//   BALANCER_HOLDS_DB        database of the leases (default nyrkio_ops)
//   BALANCER_LEASE_SECONDS   how long a lease lasts without renewal (default 21600); the wrapper
//                            renews it every third of that while the dump runs
//   BALANCER_TIMEOUT_SECONDS how long to wait for a running balancing round, and for the lock
//                            (default 600)
// The user needs find and update on config.settings (mongos checks find for balancerStatus and
// update for balancerStart/balancerStop: src/mongo/s/commands/cluster_control_balancer_cmd.cpp)
// and find, insert, update, remove on <holds db>.balancer_windows.
/* global openWindow, closeWindow */

(function balancerWindow() {
  const fs = require("fs");
  const env = process.env;
  const timeoutMs = Number(env.BALANCER_TIMEOUT_SECONDS || 600) * 1000;
  const leaseMs = Number(env.BALANCER_LEASE_SECONDS || 6 * 3600) * 1000;
  const holder = env.BALANCER_HOLDER;
  if (!holder) throw new Error("BALANCER_HOLDER must name this window");
  const LOCK_ID = "lock";
  if (holder === LOCK_ID) throw new Error(`BALANCER_HOLDER cannot be "${LOCK_ID}"`);
  // Longer than anything done under the lock (balancerStop waits up to timeoutMs for the round).
  const lockMs = timeoutMs + 120 * 1000;

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
  function otherHolds(expiresAt) {
    return holds.find({ _id: { $nin: [holder, LOCK_ID] }, expiresAt }).toArray();
  }

  function isDuplicateKey(error) {
    return error && (error.code === 11000 || /E11000/.test(String(error.message)));
  }

  function lock() {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const now = new Date();
      // A lock whose holder died mid-decision: its time is up, take it.
      holds.deleteOne({ _id: LOCK_ID, expiresAt: { $lte: now } });
      try {
        holds.insertOne({ _id: LOCK_ID, holder, expiresAt: new Date(now.getTime() + lockMs) });
        return;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
      if (Date.now() > deadline) throw new Error(`another window held the balancer lock for more than ${timeoutMs / 1000} s`);
      sleep(500);
    }
  }

  function unlock() {
    holds.deleteOne({ _id: LOCK_ID, holder });
  }

  // Records this window's lease and stops the balancer if it runs. Under the lock.
  function open() {
    const now = new Date();
    holds.insertOne({ _id: holder, since: now, expiresAt: new Date(now.getTime() + leaseMs), restart: false });
    fs.writeFileSync(env.BALANCER_STATE_FILE, "held\n");
    const status = run({ balancerStatus: 1 });
    const expired = otherHolds({ $lte: now });
    const decision = openWindow({ mode: status.mode, otherLive: otherHolds({ $gt: now }), expired });
    if (expired.length > 0) holds.deleteMany({ _id: { $in: expired.map((h) => h._id) } });
    // Only ever raise the duty, never lower it: a window that closed meanwhile may have handed
    // its duty to this lease, and writing `false` over it would leave the balancer off for good.
    if (decision.restart) holds.updateOne({ _id: holder }, { $set: { restart: true } });
    if (decision.stop) run({ balancerStop: 1, maxTimeMS: timeoutMs });
    return { status, decision };
  }

  function waitForRound() {
    // Whoever stopped it, a round that is still running must end before the dumps start.
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!run({ balancerStatus: 1 }).inBalancerRound) return;
      if (Date.now() > deadline) throw new Error(`a balancing round is still running after ${timeoutMs / 1000} s`);
      sleep(1000);
    }
  }

  if (env.BALANCER_ACTION === "open") {
    lock();
    let opened;
    try {
      opened = open();
    } finally {
      unlock();
    }
    waitForRound();
    const { status, decision } = opened;
    log({ level: "info", msg: "window open", balancerBefore: status.mode, stopped: decision.stop, restartDuty: decision.restart, why: decision.why });
  } else if (env.BALANCER_ACTION === "renew") {
    // A full dump may run far longer than one lease (up to its deadline): the wrapper renews.
    lock();
    let renewed = true;
    let reopened;
    try {
      const reply = holds.updateOne({ _id: holder }, { $set: { expiresAt: new Date(Date.now() + leaseMs) } });
      if (reply.matchedCount === 0) {
        // The lease expired and another window cleared it (taking over its duty): open again, so
        // no other window starts the balancer under this dump.
        renewed = false;
        reopened = open();
      }
    } finally {
      unlock();
    }
    if (renewed) log({ level: "info", msg: "lease renewed", leaseSeconds: leaseMs / 1000 });
    else {
      waitForRound();
      log({ level: "warning", msg: "lease had expired and was cleared: window opened again", stopped: reopened.decision.stop, why: reopened.decision.why });
    }
  } else if (env.BALANCER_ACTION === "close") {
    lock();
    let decision;
    try {
      const own = holds.findOne({ _id: holder });
      if (own) holds.deleteOne({ _id: holder });
      const live = otherHolds({ $gt: new Date() });
      decision = closeWindow({ own, otherLive: live });
      if (decision.handOver) holds.updateMany({ _id: { $in: live.map((h) => h._id) } }, { $set: { restart: true } });
      if (decision.start) run({ balancerStart: 1, maxTimeMS: timeoutMs });
      log({ level: own ? "info" : "warning", msg: "window closed", started: decision.start, why: decision.why });
    } finally {
      unlock();
    }
  } else {
    throw new Error(`BALANCER_ACTION must be "open", "renew" or "close", got ${JSON.stringify(env.BALANCER_ACTION)}`);
  }
})();
