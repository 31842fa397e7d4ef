// Readiness of a replica-set member, decided from `hello` (which needs no credentials).
// Before the set is initiated a member is ready as soon as mongod answers, so that Terraform's
// wait for the rollout and the bootstrap (which needs every member reachable) do not wait on
// each other. Once initiated, only a member that can serve is ready: PRIMARY, SECONDARY or
// ARBITER. A member removed from the config also reports no config, but with a setName: not ready.
const hello = db.adminCommand({ hello: 1 });

const notInitiated = hello.isreplicaset === true && hello.setName === undefined;
const serving = hello.isWritablePrimary === true || hello.secondary === true || hello.arbiterOnly === true;

if (notInitiated) {
  print("ready: mongod answers; the replica set is not initiated yet");
} else if (serving) {
  print(`ready: ${hello.isWritablePrimary ? "PRIMARY" : hello.secondary ? "SECONDARY" : "ARBITER"} of ${hello.setName}`);
} else {
  print(`not ready: not PRIMARY, SECONDARY or ARBITER (${hello.info ?? "starting up, recovering or syncing"})`);
  quit(1);
}
