// sharding/mongosh/balancer.js in a node:vm sandbox, with a stand-in admin database that
// answers balancerStatus / balancerStop / balancerStart and records what it was sent.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as vm from "node:vm";

const script = readFileSync(join(__dirname, "../../sharding/mongosh/balancer.js"), "utf8");

interface Run {
  commands: string[];
  written: Record<string, string>;
  auths: string[][];
  error?: Error;
}

function run(action: string, statuses: { mode: string; inBalancerRound: boolean }[], failing?: string): Run {
  const result: Run = { commands: [], written: {}, auths: [] };
  let status = 0;
  const admin = {
    auth: (...args: string[]) => result.auths.push(args),
    runCommand: (command: Record<string, unknown>) => {
      const name = Object.keys(command)[0];
      result.commands.push(name);
      if (name === failing) return { ok: 0, errmsg: `${name} refused` };
      if (name === "balancerStatus") return { ok: 1, ...statuses[Math.min(status++, statuses.length - 1)] };
      return { ok: 1 };
    },
  };
  const files: Record<string, string> = { "/s/username": "backup\n", "/s/password": "pw\n" };
  const sandbox = {
    db: { getSiblingDB: (name: string) => (name === "admin" ? admin : undefined) },
    print: () => undefined,
    sleep: () => undefined,
    require: () => ({
      readFileSync: (p: string) => files[p],
      writeFileSync: (p: string, text: string) => (result.written[p] = text),
    }),
    process: { env: { BALANCER_ACTION: action, BALANCER_STATE_FILE: "/tmp/state", BALANCER_USERNAME_FILE: "/s/username", BALANCER_PASSWORD_FILE: "/s/password", BALANCER_TIMEOUT_SECONDS: "0.001" } },
  };
  try {
    vm.runInNewContext(script, sandbox, { timeout: 2000 });
  } catch (error) {
    result.error = error as Error;
  }
  return result;
}

describe("balancer.js", () => {
  it("stop: records that the balancer was on, stops it and waits for the running round to end", () => {
    const r = run("stop", [
      { mode: "full", inBalancerRound: true },
      { mode: "off", inBalancerRound: false },
    ]);
    expect(r.error).toBeUndefined();
    expect(r.auths).toEqual([["backup", "pw"]]);
    expect(r.written).toEqual({ "/tmp/state": "on\n" });
    expect(r.commands).toEqual(["balancerStatus", "balancerStop", "balancerStatus"]);
  });

  it("stop: records a balancer that was already off and does not touch it", () => {
    const r = run("stop", [{ mode: "off", inBalancerRound: false }]);
    expect(r.written).toEqual({ "/tmp/state": "off\n" });
    expect(r.commands).toEqual(["balancerStatus", "balancerStatus"]);
  });

  it("stop: fails when a round is still running at the deadline, after recording the state (so the wrapper restarts it)", () => {
    const r = run("stop", [
      { mode: "full", inBalancerRound: true },
      { mode: "off", inBalancerRound: true },
    ]);
    expect(r.written).toEqual({ "/tmp/state": "on\n" });
    expect(r.error?.message).toContain("still running");
  });

  it("stop: fails when balancerStop is refused", () => {
    const r = run("stop", [{ mode: "full", inBalancerRound: false }], "balancerStop");
    expect(r.error?.message).toContain("balancerStop failed");
    expect(r.written).toEqual({ "/tmp/state": "on\n" });
  });

  it("start: starts the balancer", () => {
    const r = run("start", []);
    expect(r.error).toBeUndefined();
    expect(r.commands).toEqual(["balancerStart"]);
  });

  it("refuses an unknown action", () => {
    expect(run("pause", []).error?.message).toContain('BALANCER_ACTION must be "stop" or "start"');
  });
});
