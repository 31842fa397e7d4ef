import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { ArbiterRestartInput, decideArbiterRestart } from "../../replicaset/arbiter-restart";
import { podScriptText } from "../../stacks/constructs/pod-scripts";
import { StandInMember } from "../stacks/member-stand-in";
import { runMongoshFile } from "../stacks/mongosh-sandbox";

const H = (name: string) => `${name}.mongodb-rs0.nyrkio-db-dev.svc.cluster.local:27017`;
const PSA = [
  { host: H("mongodb-rs0-0"), votes: 1 },
  { host: H("mongodb-rs0-1"), votes: 1 },
  { host: H("mongodb-rs0-arbiter-0"), votes: 1, arbiterOnly: true },
];
const healthy = () => [
  { name: H("mongodb-rs0-0"), health: 1, stateStr: "PRIMARY" },
  { name: H("mongodb-rs0-1"), health: 1, stateStr: "SECONDARY" },
  { name: H("mongodb-rs0-arbiter-0"), health: 1, stateStr: "ARBITER", self: true },
];
const input = (over: Partial<ArbiterRestartInput> = {}): ArbiterRestartInput => ({
  certificateChanged: true,
  runningTlsMode: "requireTLS",
  wantedTlsMode: "requireTLS",
  members: PSA,
  status: healthy(),
  ...over,
});

describe("decideArbiterRestart", () => {
  test("a new certificate and a healthy set: restart", () => {
    expect(decideArbiterRestart(input())).toMatchObject({ action: "restart", reason: expect.stringMatching(/certificate Secret changed.*2 of 3 votes/) });
  });

  test("nothing changed: no restart, whatever the set's health", () => {
    expect(decideArbiterRestart(input({ certificateChanged: false, status: [] })).action).toBe("none");
  });

  test.each([
    ["a secondary down", { 1: { health: 0, stateStr: "(not reachable/healthy)" } }, /mongodb-rs0-1 is unreachable/],
    ["a secondary in initial sync", { 1: { stateStr: "STARTUP2" } }, /mongodb-rs0-1 is STARTUP2/],
    ["a secondary recovering", { 1: { stateStr: "RECOVERING" } }, /RECOVERING/],
    ["no primary (an election)", { 0: { stateStr: "SECONDARY" } }, /no primary/],
  ] as const)("%s: wait, the arbiter is a voter", (_, change, reason) => {
    const status = healthy().map((m, i) => ({ ...m, ...(change as Record<number, object>)[i] }));
    expect(decideArbiterRestart(input({ status }))).toMatchObject({ action: "wait", reason: expect.stringMatching(reason) });
  });

  test("a member missing from the arbiter's view, or the arbiter not in the set yet: wait", () => {
    expect(decideArbiterRestart(input({ status: healthy().filter((m) => !m.name.startsWith("mongodb-rs0-1")) })).action).toBe("wait");
    expect(decideArbiterRestart(input({ status: healthy().map((m) => ({ ...m, self: false })) })).action).toBe("wait");
  });

  test("without the arbiter's vote no majority would remain (a data member without a vote): wait", () => {
    const members = [PSA[0], { ...PSA[1], votes: 0 }, PSA[2]];
    expect(decideArbiterRestart(input({ members }))).toMatchObject({ action: "wait", reason: expect.stringMatching(/only 1 of 2 votes remain/) });
  });

  test("the ConfigMap's tlsMode one step up: restart into it; two steps or down: wait; to or from disabled: the StatefulSet's restart", () => {
    expect(decideArbiterRestart(input({ certificateChanged: false, runningTlsMode: "allowTLS", wantedTlsMode: "preferTLS" }))).toMatchObject({ action: "restart", reason: expect.stringMatching(/allowTLS → preferTLS/) });
    expect(decideArbiterRestart(input({ certificateChanged: false, runningTlsMode: "allowTLS", wantedTlsMode: "requireTLS" })).action).toBe("wait");
    expect(decideArbiterRestart(input({ certificateChanged: false, runningTlsMode: "requireTLS", wantedTlsMode: "preferTLS" })).action).toBe("wait");
    expect(decideArbiterRestart(input({ certificateChanged: false, runningTlsMode: "disabled", wantedTlsMode: "allowTLS" })).action).toBe("none");
  });
});

// The generated pod script (decideArbiterRestart in front of mongosh/arbiter-restart.js) against
// a stand-in arbiter with mongod's authorization: over loopback with no user, the localhost
// exception grants it getParameter, replSetGetStatus and shutdown; from another host nothing.
describe("mongosh/arbiter-restart.js", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "arbiter-restart-"));
  const script = path.join(dir, "arbiter-restart.js");
  writeFileSync(script, podScriptText("mongosh/arbiter-restart.js"));
  const files = { "/etc/nyrkio/config/replicaset.json": JSON.stringify({ _id: "rs0", members: PSA }), "/etc/nyrkio/tls-mode/mode": "requireTLS\n" };
  const env = { REPLICASET_CONFIG: "/etc/nyrkio/config/replicaset.json", TLS_MODE_FILE: "/etc/nyrkio/tls-mode/mode", CERT_CHANGED: "1" };

  function run(opts: { statusMembers?: Record<string, unknown>[]; fromLocalhost?: boolean; env?: Record<string, string> }) {
    let shutdowns = 0;
    const arbiter = new StandInMember({ hello: { ok: 1 }, arbiter: true, tlsMode: "requireTLS", statusMembers: opts.statusMembers ?? healthy(), onShutdown: () => shutdowns++ });
    const result = runMongoshFile(script, (reply) => ({ db: arbiter.connect(reply, opts.fromLocalhost ?? true).db, files, env: { ...env, ...opts.env } }));
    return { ...result, shutdowns, commands: arbiter.commands.map((c) => Object.keys(c)[0]) };
  }

  test("a healthy set: shutdown over the localhost exception (the kubelet starts the arbiter again)", () => {
    const r = run({});
    expect(r.exitCode).toBe(0);
    expect(r.shutdowns).toBe(1);
    expect(r.commands).toEqual(["getParameter", "replSetGetStatus", "shutdown"]);
    expect(JSON.parse(r.output[0])).toMatchObject({ event: "arbiter", action: "restart" });
  });

  test("a secondary down: exit 3 (wait), no shutdown", () => {
    const r = run({ statusMembers: healthy().map((m, i) => (i === 1 ? { ...m, health: 0, stateStr: "(not reachable/healthy)" } : m)) });
    expect(r.exitCode).toBe(3);
    expect(r.shutdowns).toBe(0);
  });

  test("nothing changed: exit 0, no shutdown", () => {
    const r = run({ env: { CERT_CHANGED: "0" } });
    expect(r.exitCode).toBe(0);
    expect(r.shutdowns).toBe(0);
  });

  test("not over loopback: mongod refuses even getParameter (no localhost exception), exit 1", () => {
    const r = run({ fromLocalhost: false });
    expect(r.exitCode).toBe(1);
    expect(r.shutdowns).toBe(0);
    expect(r.output.join("\n")).toMatch(/requires authentication/);
  });
});
