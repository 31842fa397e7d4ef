// Stops or restarts the sharded cluster's balancer for a backup window; run through mongos by
// sharding/scripts/balancer-window.sh, which decides when.
// Environment (paths and words only, never a secret):
//   BALANCER_ACTION        "stop": write "on" or "off" (the balancer before the window) to
//                          BALANCER_STATE_FILE, stop it (balancerStop waits for a running round),
//                          then wait until no round is in progress. "start": start it again.
//   BALANCER_STATE_FILE    written by "stop"
//   BALANCER_USERNAME_FILE, BALANCER_PASSWORD_FILE  the mounted Secret's keys
//   BALANCER_TIMEOUT_SECONDS  how long to wait for a running balancing round (default 600)
// The user needs find and update on config.settings (what balancerStatus/Stop/Start check).

(function balancerWindow() {
  const fs = require("fs");
  const env = process.env;
  const timeoutMs = Number(env.BALANCER_TIMEOUT_SECONDS || 600) * 1000;

  function log(fields) {
    print(JSON.stringify(Object.assign({ job: "balancer-window", at: new Date().toISOString() }, fields)));
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

  if (env.BALANCER_ACTION === "stop") {
    const before = run({ balancerStatus: 1 });
    const wasOn = before.mode !== "off";
    // Written before stopping: if anything below fails, the wrapper still knows to restart it.
    fs.writeFileSync(env.BALANCER_STATE_FILE, wasOn ? "on\n" : "off\n");
    if (wasOn) run({ balancerStop: 1, maxTimeMS: timeoutMs });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const status = run({ balancerStatus: 1 });
      if (!status.inBalancerRound) break;
      if (Date.now() > deadline) throw new Error(`a balancing round is still running after ${timeoutMs / 1000} s`);
      sleep(1000);
    }
    log({ level: "info", msg: wasOn ? "balancer stopped" : "balancer was already off", balancerBefore: before.mode });
  } else if (env.BALANCER_ACTION === "start") {
    run({ balancerStart: 1, maxTimeMS: timeoutMs });
    log({ level: "info", msg: "balancer started" });
  } else {
    throw new Error(`BALANCER_ACTION must be "stop" or "start", got ${JSON.stringify(env.BALANCER_ACTION)}`);
  }
})();
