/* global RECONCILE_CONFIG_DIR, RECONCILE_FILES, SECRET_KEYS, planReconfig, memberStatesFromStatus, planUserChanges, defaultRWConcernNeedsUpdate, planTlsTransition */
// The reconcile Job (mongosh --nodb --quiet --file reconcile.js). reconcile-script.ts puts the
// pure functions named above in front of this file. In order:
//   1. read the designed state from RECONCILE_CONFIG_DIR and the root credentials from its Secret;
//   2. connect to the replica set as root (auth() here: no password on any command line) and wait,
//      bounded and with a line per attempt, until the bootstrap has initiated it and a primary exists;
//      on a new set, where root does not exist yet, log in as the bootstrap user, create root, and
//      log in as root; then drop the bootstrap user (the handover: docs/security.md, "The root Secret");
//   3. set the cluster-wide default read/write concern FIRST, so no reconfig can be refused for
//      changing the implicit default write concern;
//   4. plan from the live config and member states (planReconfig) and run the steps one by one,
//      waiting for each reconfig to commit and for members to catch up;
//   5. create or update the custom roles and the users, then drop every user and role it does not
//      manage (a restore brings back the dump's), keeping root, the config's external ones, the
//      project's users another scope manages, and temporary restore users until their expiry.
//   6. TLS (planTlsTransition): ask every data member for its tlsMode and clusterAuthMode, wait for
//      the rolling restarts that a changed pod template makes, and raise the mode at run time with
//      setParameter on each member that is one step behind, checking the live set before each act.
// Every line printed is one JSON object with an "event"; a failure prints {"event":"error",...}
// and exits 1. Shell API calls stay out of callbacks (mongosh cannot await them there).

const fs = require("fs");

function log(event, fields) {
  print(JSON.stringify(Object.assign({ event: event }, fields || {})));
}

function errorText(e) {
  return e && e.message ? e.message : String(e);
}

function secondsSince(started) {
  return Math.round((Date.now() - started) / 1000);
}

function readConfigFile(name) {
  const path = RECONCILE_CONFIG_DIR + "/" + name;
  try {
    return JSON.parse(fs.readFileSync(path, "utf8"));
  } catch (e) {
    throw new Error("cannot read " + path + ": " + errorText(e));
  }
}

// A Secret key's value: the file, less one trailing newline (an echoed file given to
// `kubectl create secret --from-file` ends with one; a password never does).
function readSecretFile(dir, key) {
  const path = dir + "/" + key;
  try {
    return fs.readFileSync(path, "utf8").replace(/\r?\n$/, "");
  } catch (e) {
    throw new Error("cannot read " + path + " (is the Secret mounted?): " + errorText(e));
  }
}

// Runs an admin command; a failure becomes an Error that names the command and the server's reason.
function run(admin, command) {
  const name = Object.keys(command)[0];
  let result;
  try {
    result = admin.runCommand(command);
  } catch (e) {
    throw new Error(name + " failed: " + errorText(e));
  }
  if (!result || !result.ok) throw new Error(name + " failed: " + ((result && (result.errmsg || result.codeName)) || "no response"));
  return result;
}

function memberSummary(members) {
  return members.map((m) => ({ _id: m._id, priority: m.priority, votes: m.votes }));
}

function rootUsername(settings) {
  return readSecretFile(settings.rootSecretDir, SECRET_KEYS.username);
}

function rootCredentials(settings) {
  return { user: rootUsername(settings), password: readSecretFile(settings.rootSecretDir, SECRET_KEYS.password) };
}

// The bootstrap user's credentials, or null: its Secret is mounted optional (a set whose root
// user exists needs it no more), so an empty directory means "none".
function bootstrapCredentials(settings) {
  try {
    return { user: readSecretFile(settings.bootstrapSecretDir, SECRET_KEYS.username), password: readSecretFile(settings.bootstrapSecretDir, SECRET_KEYS.password) };
  } catch {
    return null;
  }
}

// "User ... already exists" (src/mongo/db/commands/user_management_commands.cpp, 51003).
function alreadyExists(e) {
  return (e && e.code === 51003) || /already exists/.test(errorText(e));
}

// The handover, on a new set: logged in as the bootstrap user (userAdmin on admin, which the
// sidecar made through the localhost exception), create the root user from the root Secret. The
// caller then logs in again as root, on a new connection: a connection authenticates as one user
// only ("Each client connection may only be authenticated once", AuthorizationSessionImpl::
// addAndAuthorizeUser, src/mongo/db/auth/authorization_session_impl.cpp r8.0). Majority write
// concern: root is on a majority before anything relies on it.
function createRootAsBootstrap(admin, root, bootstrap) {
  try {
    run(admin, { createUser: root.user, pwd: root.password, roles: [{ role: "root", db: "admin" }], writeConcern: { w: "majority", wtimeout: 60000 } });
  } catch (e) {
    if (alreadyExists(e)) return "the root user " + root.user + " exists, but the root Secret does not authenticate as it";
    throw e;
  }
  log("handover", { step: "created the root user", user: root.user, as: bootstrap.user });
  return "created the root user as " + bootstrap.user + "; logging in as root";
}

// After the handover, and on every run (a run may have stopped between the two steps): logged in
// as root, drop the bootstrap user, so that the bootstrap password left in the data pods opens
// nothing. A session still authenticated as a dropped user loses it at its next request
// (AuthorizationSessionImpl::_refreshUserInfoAsNeeded: UserNotFound, "Removed deleted user from
// session cache of user information"). Without the bootstrap Secret there is no name to look for;
// the users phase drops any user it does not manage anyway.
function retireBootstrapUser(admin, settings) {
  const bootstrap = bootstrapCredentials(settings);
  if (bootstrap === null) {
    log("handover", { result: "skipped", reason: "no bootstrap Secret mounted" });
    return;
  }
  if (bootstrap.user === rootUsername(settings)) throw new Error("the bootstrap Secret names the root user " + bootstrap.user + ": it must name a user of its own (nyrkio-bootstrap)");
  const found = run(admin, { usersInfo: bootstrap.user }).users;
  if (found.length === 0) {
    log("handover", { result: "done", reason: "the bootstrap user " + bootstrap.user + " does not exist" });
    return;
  }
  run(admin, { dropUser: bootstrap.user, writeConcern: { w: "majority", wtimeout: 60000 } });
  log("handover", { step: "dropped the bootstrap user", user: bootstrap.user, result: "done" });
}

// Logs in as root; on a new set, where root does not exist yet, as the bootstrap user, to create
// root (createRootAsBootstrap) and log in again as root. Returns the admin database of a
// connection authenticated as root, on a set with a primary.
function connectToPrimary(desired, settings) {
  const root = rootCredentials(settings);
  const seeds = desired.members.filter((m) => !m.arbiterOnly).map((m) => m.host);
  const uri =
    "mongodb://" + seeds.join(",") + "/?replicaSet=" + encodeURIComponent(desired._id) + "&authSource=admin&serverSelectionTimeoutMS=" + settings.serverSelectionTimeoutMS +
    // With clients on TLS the Job carries NYRKIO_TLS_CA_FILE (config/tls.ts tlsClientEnv): verify
    // the certificate and host name of every member (config/tls.ts uriTlsOptions, spelled for a URI).
    (process.env.NYRKIO_TLS_CA_FILE ? "&tls=true&tlsCAFile=" + process.env.NYRKIO_TLS_CA_FILE : "");
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    let reason;
    let conn;
    try {
      conn = new Mongo(uri);
      let admin = conn.getDB("admin");
      let bootstrap = null;
      try {
        admin.auth(root.user, root.password);
      } catch (rootError) {
        bootstrap = bootstrapCredentials(settings);
        if (bootstrap === null) throw new Error("the root Secret does not authenticate (" + errorText(rootError) + ") and no bootstrap Secret is mounted");
        conn.close();
        conn = new Mongo(uri);
        admin = conn.getDB("admin");
        try {
          admin.auth(bootstrap.user, bootstrap.password);
        } catch (bootstrapError) {
          throw new Error("neither the root Secret (" + errorText(rootError) + ") nor the bootstrap Secret (" + errorText(bootstrapError) + ") authenticates");
        }
      }
      const hello = run(admin, { hello: 1 });
      if (!hello.isWritablePrimary) reason = "connected, but no primary yet";
      else if (bootstrap === null) {
        log("connected", { replicaSet: desired._id, primary: hello.primary, attempts: attempt });
        return admin;
      } else reason = createRootAsBootstrap(admin, root, bootstrap);
    } catch (e) {
      reason = errorText(e);
    }
    try {
      if (conn) conn.close();
    } catch {
      // a connection that never opened has nothing to close
    }
    const waited = secondsSince(started);
    if (waited >= settings.connectTimeoutSeconds)
      throw new Error(
        "no primary of replica set " + desired._id + " to log in to as root after " + waited + " s (last: " + reason + "); the bootstrap in the first data pod initiates the set and creates the bootstrap user from the bootstrap Secret, with which this Job creates root: check its log and that both Secrets exist",
      );
    if (/^created the root user/.test(reason)) continue; // log in as root at once
    log("waiting", { for: "primary", attempt: attempt, waitedSeconds: waited, reason: reason });
    sleep(settings.pollIntervalSeconds * 1000);
  }
}

function applyDefaultRWConcern(admin, command) {
  if (command === null) {
    log("rwConcern", { result: "skipped", reason: "not managed here (a shard's defaults are set through mongos)" });
    return;
  }
  const wanted = { write: command.defaultWriteConcern, read: command.defaultReadConcern.level };
  const current = run(admin, { getDefaultRWConcern: 1 });
  if (!defaultRWConcernNeedsUpdate(current, command)) {
    log("rwConcern", Object.assign({ result: "unchanged" }, wanted));
    return;
  }
  run(admin, command);
  log("rwConcern", Object.assign({ result: "set", before: { write: current.defaultWriteConcern, source: current.defaultWriteConcernSource } }, wanted));
}

// Polls replSetGetConfig's commitmentStatus and returns the config once it is committed: the next
// reconfig is only safe once a majority of voting members has the current one.
function waitForCommittedConfig(admin, settings) {
  const started = Date.now();
  for (;;) {
    let reason;
    try {
      const result = run(admin, { replSetGetConfig: 1, commitmentStatus: true });
      if (result.commitmentStatus === true) return result.config;
      reason = "config version " + result.config.version + " not yet on a majority of voting members";
    } catch (e) {
      reason = errorText(e);
    }
    const waited = secondsSince(started);
    if (waited >= settings.configCommitTimeoutSeconds) throw new Error("the replica set config is not committed after " + waited + " s: " + reason);
    log("waiting", { for: "config commit", waitedSeconds: waited, reason: reason });
    sleep(settings.pollIntervalSeconds * 1000);
  }
}

function reconfigure(admin, step, settings) {
  run(admin, { replSetReconfig: step.config, maxTimeMS: settings.configCommitTimeoutSeconds * 1000 });
  waitForCommittedConfig(admin, settings);
  const detail = { version: step.config.version, members: memberSummary(step.config.members) };
  if (step.implicitWriteConcernChange) detail.implicitWriteConcernChange = step.implicitWriteConcernChange;
  return detail;
}

function waitForSecondary(admin, step, settings) {
  const started = Date.now();
  for (;;) {
    let reason;
    try {
      const states = memberStatesFromStatus(run(admin, { replSetGetStatus: 1 }), settings.maxLagSeconds);
      const state = states.find((s) => s.host === step.host);
      if (state && state.stateStr === "SECONDARY" && state.caughtUp) return { state: state.stateStr, lagSeconds: state.lagSeconds };
      reason = state ? state.stateStr + (state.lagSeconds === undefined ? "" : ", " + state.lagSeconds + " s behind the primary") : "not in replSetGetStatus yet";
    } catch (e) {
      reason = errorText(e);
    }
    const waited = secondsSince(started);
    if (waited >= settings.memberSyncTimeoutSeconds)
      throw new Error("member " + step.memberId + " (" + step.host + ") is not SECONDARY and caught up after " + waited + " s (" + reason + "); it keeps priority 0");
    log("waiting", { for: "secondary", memberId: step.memberId, host: step.host, state: reason, waitedSeconds: waited });
    sleep(settings.pollIntervalSeconds * 1000);
  }
}

// MongoDB refuses a reconfig that makes the primary unelectable: while the primary is one of the
// members about to get priority 0, ask it to step down (it then stays ineligible for
// stepDownSeconds, long enough for the reconfig that follows) and wait for another primary.
function stepDownIfPrimary(admin, step, settings) {
  const started = Date.now();
  const steppedDown = [];
  for (;;) {
    let reason;
    try {
      const primary = run(admin, { hello: 1 }).primary;
      if (primary && step.hosts.indexOf(primary) < 0) return { result: steppedDown.length > 0 ? "stepped down" : "not primary", steppedDown: steppedDown, primary: primary };
      if (!primary) {
        reason = "no primary yet (election in progress)";
      } else {
        steppedDown.push(primary);
        try {
          run(admin, { replSetStepDown: settings.stepDownSeconds, secondaryCatchUpPeriodSecs: 15 });
          reason = "asked " + primary + " to step down";
        } catch (e) {
          reason = "step-down of " + primary + ": " + errorText(e); // a dropped connection lands here too: the next hello decides
        }
      }
    } catch (e) {
      reason = errorText(e);
    }
    const waited = secondsSince(started);
    if (waited >= settings.configCommitTimeoutSeconds) throw new Error("the primary is still one of " + step.hosts.join(", ") + " after " + waited + " s: " + reason);
    log("waiting", { for: "a primary that keeps its priority", waitedSeconds: waited, reason: reason });
    sleep(settings.pollIntervalSeconds * 1000);
  }
}

function runStep(admin, step, settings) {
  if (step.kind === "reconfig") return reconfigure(admin, step, settings);
  if (step.kind === "waitForSecondary") return waitForSecondary(admin, step, settings);
  if (step.kind === "stepDownIfPrimary") return stepDownIfPrimary(admin, step, settings);
  throw new Error("unknown step kind " + step.kind);
}

// Is the cluster-wide default write concern explicit? A shard cannot answer getDefaultRWConcern
// (its default lives on the config servers, set through mongos before this runs): there the
// server itself refuses a reconfig that would change the implicit default, and says so.
function defaultWriteConcernIsExplicit(admin, rwConcernManaged) {
  if (!rwConcernManaged) return true;
  return run(admin, { getDefaultRWConcern: 1 }).defaultWriteConcernSource === "global";
}

// Runs a plan's steps in order. Before each reconfig the live version must still be the one the
// plan counted from: MongoDB reconfigures by itself when a new member finishes its initial sync
// (it drops the internal newlyAdded flag, version + 1), and someone may have changed the config by
// hand. On a difference it stops, and the caller plans again from the live config.
function runPlan(admin, steps, settings, round) {
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i];
    if (step.kind === "reconfig") {
      const liveVersion = run(admin, { replSetGetConfig: 1 }).config.version;
      if (liveVersion !== step.config.version - 1) {
        log("replan", { round: round, expectedVersion: step.config.version - 1, liveVersion: liveVersion, reason: "the config changed outside this plan (MongoDB's own reconfig after an initial sync, or by hand)" });
        return i;
      }
    }
    const started = Date.now();
    const detail = runStep(admin, step, settings);
    log("step", Object.assign({ round: round, n: i + 1, of: steps.length, kind: step.kind, reason: step.reason, result: "ok", seconds: secondsSince(started) }, detail));
  }
  return steps.length;
}

// Plans from the committed live config and runs the plan, again until a plan is empty: the last,
// empty plan is the proof that the set has arrived at the designed config.
function reconcileMembers(admin, desired, settings, rwConcernManaged) {
  let executed = 0;
  for (let round = 1; round <= settings.maxPlanRounds; round++) {
    const live = waitForCommittedConfig(admin, settings);
    const status = run(admin, { replSetGetStatus: 1 });
    const plan = planReconfig({
      live: live,
      desired: desired,
      memberStates: memberStatesFromStatus(status, settings.maxLagSeconds),
      defaultWriteConcernIsExplicit: defaultWriteConcernIsExplicit(admin, rwConcernManaged),
    });
    if (!plan.ok) throw new Error("refusing to reconfigure replica set " + desired._id + ": " + plan.error);
    log("plan", { round: round, liveVersion: live.version, steps: plan.steps.map((s) => s.kind + ": " + s.reason) });
    if (plan.steps.length === 0) return executed;
    executed += runPlan(admin, plan.steps, settings, round);
  }
  throw new Error("replica set " + desired._id + " has not arrived at the designed config after " + settings.maxPlanRounds + " plans: is something else changing its config?");
}

function rolesText(roles) {
  return roles.map((r) => r.role + "@" + r.db).join(",");
}

// Every user of every database (usersInfo forAllDBs: viewUser on the cluster) and every role
// (admin's with their privileges from rolesInfo, to compare; the other databases' from
// admin.system.roles, where the server keeps all of them). A restored dump can hold either.
function existingUsersAndRoles(admin) {
  const users = run(admin, { usersInfo: { forAllDBs: true } }).users;
  const adminRoles = run(admin, { rolesInfo: 1, showPrivileges: true }).roles;
  const others = run(admin, { find: "system.roles", filter: { db: { $ne: "admin" } }, projection: { role: 1, db: 1 }, batchSize: 100000, singleBatch: true });
  const otherRoles = others.cursor.firstBatch.map((r) => ({ role: r.role, db: r.db }));
  return { users: users, roles: adminRoles.concat(otherRoles) };
}

function keptUsers(spec, settings) {
  const keep = spec.keep || { users: [], roles: [], usernameSecrets: [] };
  const users = [{ user: rootUsername(settings), db: "admin" }].concat(keep.users);
  for (const k of keep.usernameSecrets) users.push({ user: readSecretFile(k.secretDir, SECRET_KEYS.username), db: "admin" });
  return { users: users, roles: keep.roles };
}

function reconcileUsers(admin, spec, settings) {
  const passwords = {};
  const desiredUsers = [];
  for (const u of spec.users) {
    desiredUsers.push({ name: u.name, user: readSecretFile(u.secretDir, SECRET_KEYS.username), db: u.db, roles: u.roles });
    passwords[u.name] = readSecretFile(u.secretDir, SECRET_KEYS.password);
  }
  const existing = existingUsersAndRoles(admin);
  log("users", { found: existing.users.map((u) => u.user + "@" + u.db), roles: existing.roles.map((r) => r.role + "@" + r.db) });
  const kept = keptUsers(spec, settings);
  const plan = planUserChanges(existing, { roles: spec.roles, users: desiredUsers }, { keepUsers: kept.users, keepRoles: kept.roles, now: Date.now() });
  if (!plan.ok) throw new Error("refusing to change users: " + plan.error);
  for (const role of spec.roles) {
    if (!plan.changes.some((c) => (c.kind === "createRole" || c.kind === "updateRole") && c.role.role === role.role)) log("role", { role: role.role, db: role.db, action: "unchanged" });
  }
  for (const change of plan.changes) {
    if (change.kind === "createRole" || change.kind === "updateRole") {
      const verb = change.kind === "createRole" ? "createRole" : "updateRole";
      const command = {};
      command[verb] = change.role.role;
      command.privileges = change.role.privileges;
      command.roles = change.role.roles;
      run(admin, command);
      log("role", { role: change.role.role, db: change.role.db, action: change.kind === "createRole" ? "created" : "updated" });
    } else if (change.kind === "createUser") {
      run(admin, { createUser: change.user, pwd: passwords[change.name], roles: change.roles, mechanisms: spec.mechanisms });
      log("user", { name: change.name, user: change.user, action: "created", roles: rolesText(change.roles) });
    } else if (change.kind === "updateUser") {
      // The stored password cannot be read back: set it again from the Secret, every run.
      run(admin, { updateUser: change.user, pwd: passwords[change.name], roles: change.roles, mechanisms: spec.mechanisms });
      log("user", { name: change.name, user: change.user, action: change.rolesChanged ? "roles and password updated" : "password set again", roles: rolesText(change.roles) });
    } else if (change.kind === "dropUser") {
      // A user lives in its own database: dropUser runs there.
      run(admin.getSiblingDB(change.db), { dropUser: change.user });
      log("user", { user: change.user, db: change.db, action: "dropped", reason: change.reason });
    } else {
      run(admin.getSiblingDB(change.db), { dropRole: change.role });
      log("role", { role: change.role, db: change.db, action: "dropped", reason: change.reason });
    }
  }
  return plan.changes.length;
}

// One command on one member, over a direct connection authenticated as root: setParameter and
// getParameter act on the process that receives them, never on the set
// (https://www.mongodb.com/docs/manual/reference/command/setParameter/).
function onMember(host, settings, tls, command) {
  const { user, password } = rootCredentials(settings);
  let uri = "mongodb://" + host + "/?directConnection=true&authSource=admin&serverSelectionTimeoutMS=" + settings.serverSelectionTimeoutMS;
  for (const key of Object.keys(tls.uriOptions)) uri += "&" + key + "=" + encodeURIComponent(tls.uriOptions[key]);
  const conn = new Mongo(uri);
  try {
    const admin = conn.getDB("admin");
    admin.auth(user, password);
    return run(admin, command);
  } finally {
    conn.close();
  }
}

// What the planner needs: each data member's modes (the arbiter holds no users: its sidecar
// restarts it into the ConfigMap's mode), which members are not healthy, and which do not answer.
function observeTls(admin, desired, settings, tls) {
  const processes = [];
  const unreachable = [];
  for (const m of desired.members) {
    if (m.arbiterOnly) continue;
    try {
      const p = onMember(m.host, settings, tls, { getParameter: 1, tlsMode: 1, clusterAuthMode: 1 });
      processes.push({ host: m.host, kind: "member", tlsMode: p.tlsMode, clusterAuthMode: p.clusterAuthMode });
    } catch (e) {
      unreachable.push(m.host + " (" + errorText(e) + ")");
    }
  }
  const status = run(admin, { replSetGetStatus: 1 });
  const unhealthy = status.members.filter((m) => m.health !== 1 || ["PRIMARY", "SECONDARY", "ARBITER"].indexOf(m.stateStr) < 0).map((m) => m.name);
  return { processes: processes, unhealthy: unhealthy, unreachable: unreachable };
}

// Plans from the live modes and acts, again until a plan is empty. A wait step (a rolling restart
// under way, an unhealthy member) and a member that does not answer mean: poll, bounded.
function reconcileTls(admin, desired, settings) {
  const tls = readConfigFile(RECONCILE_FILES.tls);
  if (tls.mode === "disabled") {
    log("tls", { result: "skipped", reason: "tls.mode is disabled: turning TLS off is the pod template's rolling restart alone" });
    return 0;
  }
  const started = Date.now();
  let applied = 0;
  for (;;) {
    let reason;
    let live;
    try {
      live = observeTls(admin, desired, settings, tls);
    } catch (e) {
      // The primary itself restarting (the rolling restart reaches it too): an election, then on.
      reason = "replSetGetStatus: " + errorText(e);
    }
    if (!live) {
      // reason is set: wait below
    } else if (live.unreachable.length > 0) {
      reason = "no answer from " + live.unreachable.join(", ");
    } else {
      const plan = planTlsTransition({ desired: { mode: tls.mode, memberAuth: tls.memberAuth, clientsMigrated: tls.clientsMigrated }, processes: live.processes, unhealthy: live.unhealthy });
      if (!plan.ok) throw new Error("refusing to change TLS of replica set " + desired._id + ": " + plan.error);
      if (plan.steps.length === 0) {
        log("tls", { result: applied > 0 ? "changed" : "unchanged", mode: tls.mode, memberAuth: tls.memberAuth, setParameterSteps: applied });
        return applied;
      }
      const first = plan.steps[0];
      if (first.kind === "setTlsMode") {
        // A member that restarts or changes between the look and the act fails its step: look
        // again, and plan from what it runs then.
        let failed;
        for (const step of plan.steps) {
          try {
            onMember(step.host, settings, tls, { setParameter: 1, tlsMode: step.to });
          } catch (e) {
            failed = "setParameter tlsMode " + step.to + " on " + step.host + ": " + errorText(e);
            break;
          }
          applied++;
          log("tlsStep", { kind: step.kind, host: step.host, from: step.from, to: step.to, result: "ok" });
        }
        if (!failed) continue; // and check the live set again
        reason = failed;
      } else reason = first.reason;
    }
    const waited = secondsSince(started);
    if (waited >= settings.tlsTimeoutSeconds) throw new Error("TLS of replica set " + desired._id + " is not at the designed config after " + waited + " s: " + reason);
    log("waiting", { for: "tls", waitedSeconds: waited, reason: reason });
    sleep(settings.pollIntervalSeconds * 1000);
  }
}

function reconcile() {
  const desired = readConfigFile(RECONCILE_FILES.replicaSet);
  const users = readConfigFile(RECONCILE_FILES.users);
  const rwConcern = readConfigFile(RECONCILE_FILES.rwConcern);
  const settings = readConfigFile(RECONCILE_FILES.settings);
  log("start", { replicaSet: desired._id, members: memberSummary(desired.members) });
  const admin = connectToPrimary(desired, settings);
  retireBootstrapUser(admin, settings);
  applyDefaultRWConcern(admin, rwConcern);
  const steps = reconcileMembers(admin, desired, settings, rwConcern !== null);
  const userChanges = reconcileUsers(admin, users, settings);
  const tlsSteps = reconcileTls(admin, desired, settings);
  log("done", { replicaSet: desired._id, reconfigSteps: steps, userChanges: userChanges, tlsSteps: tlsSteps });
}

try {
  reconcile();
} catch (e) {
  log("error", { message: errorText(e) });
  quit(1);
}
