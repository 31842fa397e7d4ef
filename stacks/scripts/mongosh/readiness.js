/* global peerTlsOptions */
// Readiness of a replica-set member, decided from `hello`, which needs no credentials (its
// requiresAuth() is false: src/mongo/db/repl/replication_info.cpp), on this member and its peers.
//   not initiated  ready while no peer holds a config: the very first bootstrap, so that
//                  Terraform's wait for the rollout and the bootstrap (which needs every member
//                  reachable) do not wait on each other. Once a peer holds one:
//                  - it names this member (an arbiter after a restart: its data is an emptyDir;
//                    a data member whose volume was replaced): not ready until the peers have
//                    sent it the config by heartbeat;
//                  - it does not name this member yet (a pod added by raising the member count):
//                    ready, because the reconcile Job that adds it runs only after Terraform has
//                    seen the StatefulSet's rollout finish (every pod Ready).
//   PRIMARY, ARBITER  ready.
//   SECONDARY      ready when its last write is at most READY_MAX_LAG_SECONDS behind the
//                  primary's (hello's lastWrite.lastWriteDate on both), so a rolling restart
//                  waits for the restarted member to catch up before it takes the next one down.
//                  No primary to compare with (an election, a partition): ready, nothing to lag.
//   anything else  not ready (STARTUP2, RECOVERING, ROLLBACK, removed from the config).
//   REPLICASET_CONFIG      the desired config (its members' hosts are the peers)
//   POD_NAME               this pod's name: its host in the config starts with "<POD_NAME>."
//   READY_MAX_LAG_SECONDS  the largest replication lag of a ready secondary (default 15: above the
//                          primary's periodic no-op write every 10 s, periodicNoopIntervalSecs)
const fs = require("fs");
// Peers are asked with TLS or not by the one rule of replicaset/peer-tls.ts (the CA in the pod,
// unless the deployed mode is allowTLS), put in front of this file by stacks/constructs/pod-scripts.ts.
const tlsOptions = peerTlsOptions(process.env, (file) => fs.readFileSync(file, "utf8"));

const hello = db.adminCommand({ hello: 1 });
const maxLagSeconds = Number(process.env.READY_MAX_LAG_SECONDS ?? "15");

// hello on another member, or undefined when it cannot be reached. Short timeouts: the probe's
// own timeout is 10 s and a peer may be down.
function helloOf(host) {
  try {
    const member = new Mongo(`mongodb://${host}/?directConnection=true&serverSelectionTimeoutMS=2000&connectTimeoutMS=2000${tlsOptions}`);
    return member.getDB("admin").runCommand({ hello: 1 });
  } catch {
    return undefined;
  }
}

const desired = JSON.parse(fs.readFileSync(process.env.REPLICASET_CONFIG, "utf8"));
const podName = process.env.POD_NAME;
const selfHost = podName === undefined ? undefined : desired.members.map((m) => m.host).find((h) => h.startsWith(`${podName}.`));

// The first peer that holds a config, with its hello, or undefined.
function peerHoldingConfig() {
  for (const m of desired.members) {
    if (m.host === selfHost) continue;
    const peer = helloOf(m.host);
    // A member of an initiated set answers with its setName; a member without a config does not.
    if (peer !== undefined && peer.setName !== undefined) return { host: m.host, hello: peer };
  }
  return undefined;
}

// Whether a config holder's hello names this member: hosts (electable), passives (priority 0),
// arbiters (src/mongo/db/repl/replication_info.cpp / the hello response). Without POD_NAME this
// member cannot tell, and counts as named.
function names(peerHello) {
  if (selfHost === undefined) return true;
  return [...(peerHello.hosts ?? []), ...(peerHello.passives ?? []), ...(peerHello.arbiters ?? [])].includes(selfHost);
}

// "Does not have a valid replica set config": isreplicaset true and no setName
// (src/mongo/db/repl/replication_info.cpp, appendReplicationInfo). A member removed from the
// config also has no config, but answers with its setName: it falls through to "not ready".
const notInitiated = hello.isreplicaset === true && hello.setName === undefined;

if (notInitiated) {
  const holder = peerHoldingConfig();
  if (holder === undefined) {
    print("ready: mongod answers; no member holds a replica-set config yet (first bootstrap)");
  } else if (names(holder.hello)) {
    print(`not ready: ${holder.host} holds the replica-set config, which names this member, and this member has none yet`);
    quit(1);
  } else {
    print(`ready: not a member of ${holder.hello.setName} yet (${holder.host} holds its config); the reconcile Job adds it after the rollout`);
  }
} else if (hello.isWritablePrimary === true) {
  print(`ready: PRIMARY of ${hello.setName}`);
} else if (hello.arbiterOnly === true) {
  print(`ready: ARBITER of ${hello.setName}`);
} else if (hello.secondary === true) {
  const primary = hello.primary === undefined ? undefined : helloOf(hello.primary);
  const primaryWrite = primary?.lastWrite?.lastWriteDate;
  const ownWrite = hello.lastWrite?.lastWriteDate;
  if (primary === undefined || primary.isWritablePrimary !== true || primaryWrite === undefined || ownWrite === undefined) {
    print(`ready: SECONDARY of ${hello.setName}; no primary to measure the lag against`);
  } else {
    const lagSeconds = Math.max(0, (primaryWrite.getTime() - ownWrite.getTime()) / 1000);
    if (lagSeconds > maxLagSeconds) {
      print(`not ready: SECONDARY of ${hello.setName}, ${lagSeconds} s behind the primary (at most ${maxLagSeconds} s)`);
      quit(1);
    }
    print(`ready: SECONDARY of ${hello.setName}, ${lagSeconds} s behind the primary`);
  }
} else {
  print(`not ready: not PRIMARY, SECONDARY or ARBITER (${hello.info ?? "starting up, recovering or syncing"})`);
  quit(1);
}
