// The sharding job, run by mongosh against mongos: reads the cluster's state, plans with
// planSharding and sends the planned commands, one JSON log line per step.
//
// At synth time sharding-script.ts puts planSharding and its helpers (sharding/plan-sharding.ts)
// above this file, so the planning that runs here is the unit-tested one.
// Environment (set by the Job; paths only, never a secret):
//   SHARDING_DESIRED_FILE  the desired state, JSON (DesiredSharding)
//   ROOT_USERNAME_FILE, ROOT_PASSWORD_FILE  the mounted root Secret's keys
//   ROOT_WAIT_SECONDS      how long a login refused as AuthenticationFailed is retried (default
//                          900): on a new cluster the config servers' reconcile Job creates root
//                          (the handover from the bootstrap user, docs/security.md), maybe after
//                          mongos answers
/* global planSharding */

(function shardCluster() {
  const fs = require("fs");
  const env = process.env;

  function log(fields) {
    print(JSON.stringify(Object.assign({ job: "sharding", at: new Date().toISOString() }, fields)));
  }

  function readSecret(path) {
    return fs.readFileSync(path, "utf8").replace(/\r?\n$/, "");
  }

  // mongosh throws on a failed command; an older server answer may still come back as ok: 0.
  function run(database, command) {
    const reply = db.getSiblingDB(database).runCommand(command);
    if (!reply || reply.ok !== 1) throw new Error(`${Object.keys(command)[0]} failed: ${JSON.stringify(reply)}`);
    return reply;
  }

  function readClusterState(desired) {
    const config = db.getSiblingDB("config");
    const target = db.getSiblingDB(desired.database);
    const shards = run("admin", { listShards: 1 }).shards.map((s) => ({ _id: s._id, host: s.host }));
    const databaseDoc = config.getCollection("databases").findOne({ _id: desired.database });
    const collections = desired.collections.map((wanted) => {
      const meta = config.getCollection("collections").findOne({ _id: `${desired.database}.${wanted.name}` });
      // 8.0 also tracks unsharded collections that were moved (unsplittable): those are not sharded.
      const sharded = meta && !meta.dropped && !meta.unsplittable;
      const exists = target.getCollectionInfos({ name: wanted.name }).length > 0;
      const collection = target.getCollection(wanted.name);
      return {
        name: wanted.name,
        exists,
        shardKey: sharded ? meta.key : undefined,
        holdsData: exists && collection.findOne({}, { _id: 1 }) !== null,
        indexes: exists ? collection.getIndexes() : [],
      };
    });
    return {
      shards,
      database: databaseDoc ? { partitioned: databaseDoc.partitioned } : undefined,
      collections,
    };
  }

  // Logs in as root; while root does not exist yet (AuthenticationFailed, 18) it waits, bounded,
  // with a line per attempt. A failed login leaves the connection unauthenticated, so the next
  // attempt may run on it (AuthorizationSessionImpl::addAndAuthorizeUser sets a user only on success).
  function authenticateAsRoot() {
    const waitSeconds = Number(env.ROOT_WAIT_SECONDS || "900");
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        db.getSiblingDB("admin").auth(readSecret(env.ROOT_USERNAME_FILE), readSecret(env.ROOT_PASSWORD_FILE));
        return;
      } catch (e) {
        const refused = e && (e.code === 18 || /Authentication failed/.test(String(e.message)));
        const waited = Math.round((Date.now() - started) / 1000);
        if (!refused || waited >= waitSeconds) throw e;
        log({ level: "info", waiting: "root user", attempt, waitedSeconds: waited, reason: "root does not log in yet: the config servers' reconcile Job creates it on a new cluster" });
        sleep(5000);
      }
    }
  }

  const desired = JSON.parse(fs.readFileSync(env.SHARDING_DESIRED_FILE, "utf8"));
  authenticateAsRoot();

  const current = readClusterState(desired);
  const plan = planSharding(current, desired);
  for (const note of plan.notes) log({ level: "warning", note });
  if (plan.refusals.length > 0) {
    for (const refusal of plan.refusals) log({ level: "error", refusal });
    throw new Error(`sharding refused, nothing was changed: ${plan.refusals.join("; ")}`);
  }
  if (plan.steps.length === 0) log({ level: "info", result: "nothing to do", shards: current.shards.map((s) => s._id) });

  for (const step of plan.steps) {
    const started = Date.now();
    log({ level: "info", step: step.kind, db: step.db, command: step.command, status: "started" });
    run(step.db, step.command);
    log({ level: "info", step: step.kind, status: "done", durationMs: Date.now() - started });
  }
  if (plan.steps.length > 0) log({ level: "info", result: "done", steps: plan.steps.length });
})();
