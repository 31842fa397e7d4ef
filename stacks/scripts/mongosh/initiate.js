/* global peerTlsOptions */
// Initiates the replica set with the desired config (REPLICASET_CONFIG, a JSON file), over
// localhost: the localhost exception allows it before any user exists.
// Exit 0: the set is initiated (now, earlier, or by the members that already hold it); any
// other exit: not yet (a member is not reachable yet, for example), and the caller retries.
const fs = require("fs");
// Peers are asked with TLS or not by the one rule of replicaset/peer-tls.ts (the CA in the pod,
// unless the deployed mode is allowTLS), put in front of this file by stacks/constructs/pod-scripts.ts.
const tlsOptions = peerTlsOptions(process.env, (file) => fs.readFileSync(file, "utf8"));

const desired = JSON.parse(fs.readFileSync(process.env.REPLICASET_CONFIG, "utf8"));

const hello = db.adminCommand({ hello: 1 });
if (hello.setName !== undefined) {
  print(`already initiated: this member belongs to ${hello.setName}`);
  quit(0);
}

// setName reported by another member, or undefined when it has none or cannot be reached.
function setNameOf(host) {
  try {
    const member = new Mongo(`mongodb://${host}/?directConnection=true&serverSelectionTimeoutMS=3000&connectTimeoutMS=3000${tlsOptions}`);
    return member.getDB("admin").runCommand({ hello: 1 }).setName;
  } catch {
    return undefined;
  }
}

// A first member whose volume was replaced starts without a config while the others still hold
// one, and they hand it the config by heartbeat. Initiating here would start a second set.
const holder = desired.members.map((m) => m.host).find((host) => setNameOf(host) !== undefined);
if (holder !== undefined) {
  print(`not initiating: ${holder} already belongs to a replica set; it will send this member the config`);
  quit(0);
}

try {
  rs.initiate(desired);
  print(`initiated ${desired._id} with ${desired.members.length} members`);
} catch (err) {
  if (err.codeName === "AlreadyInitialized") {
    print("already initiated");
    quit(0);
  }
  // The usual cause on a first deploy: replSetInitiate checks that every member answers, and
  // another member's pod is not up yet.
  print(`initiate failed: ${err.codeName ?? ""} ${err.message}`);
  quit(1);
}
