// The balancer window's mongosh script as it ships (balancer-holds.ts embedded + balancer.js),
// run in node:vm sandboxes against one stand-in cluster: the balancer's mode and the leases
// collection, shared by windows that open and close in any order, as separate backup jobs would.

import * as vm from "node:vm";
import { renderBalancerScript } from "../../sharding/balancer-script";
import { balancerWindowRole, replSetConfigRole } from "../../replicaset/users";
import { CLUSTER_BACKUP_ROLES, StandInCluster } from "./stand-in-balancer";

const script = renderBalancerScript();

function window(cluster: StandInCluster, action: string, holder: string, env: Record<string, string> = {}, login = { user: "backup", pwd: "pw" }) {
  const logs: Record<string, unknown>[] = [];
  const files: Record<string, string> = { "/u": `${login.user}\n`, "/p": `${login.pwd}\n` };
  vm.runInNewContext(script, {
    db: { getSiblingDB: (name: string) => (name === "admin" ? cluster.admin() : name === "nyrkio_ops" ? { getCollection: () => cluster.collection() } : undefined) },
    print: (line: string) => logs.push(JSON.parse(line)),
    sleep: () => undefined,
    require: () => ({ readFileSync: (p: string) => files[p], writeFileSync: (p: string, t: string) => (files[p] = t) }),
    process: { env: { BALANCER_ACTION: action, BALANCER_HOLDER: holder, BALANCER_STATE_FILE: "/state", BALANCER_USERNAME_FILE: "/u", BALANCER_PASSWORD_FILE: "/p", ...env } },
  });
  return { logs, state: files["/state"] };
}

describe("balancer.js", () => {
  it("one window: stops a running balancer, waits for the round, and starts it again on close", () => {
    const cluster = new StandInCluster();
    cluster.rounds = [false, true, false];
    const opened = window(cluster, "open", "rs0");
    expect(opened.state).toBe("held\n");
    expect(cluster.mode).toBe("off");
    // balancerStop returns after the round it interrupts (joinCurrentRound): one status after it.
    expect(cluster.commands).toEqual(["balancerStatus", "balancerStop", "balancerStatus"]);
    expect(cluster.settings).toEqual({ _id: "balancer", stopped: true, mode: "off" });
    expect(cluster.holds.map((h) => [h._id, h.restart])).toEqual([["rs0", true]]);
    window(cluster, "close", "rs0");
    expect(cluster.mode).toBe("full");
    expect(cluster.holds).toEqual([]);
  });

  it("overlapping windows (one per replica set): the balancer comes back only when the last one closes", () => {
    const cluster = new StandInCluster();
    window(cluster, "open", "rs0");
    window(cluster, "open", "rs1");
    window(cluster, "open", "cfg");
    expect(cluster.commands.filter((c) => c === "balancerStop")).toHaveLength(1);
    window(cluster, "close", "rs0");
    window(cluster, "close", "cfg");
    expect(cluster.mode).toBe("off");
    window(cluster, "close", "rs1");
    expect(cluster.mode).toBe("full");
    expect(cluster.commands.filter((c) => c === "balancerStart")).toHaveLength(1);
  });

  it("leaves a balancer stopped that an operator stopped", () => {
    const cluster = new StandInCluster();
    cluster.mode = "off";
    window(cluster, "open", "rs0");
    window(cluster, "close", "rs0");
    expect(cluster.mode).toBe("off");
    expect(cluster.commands).not.toContain("balancerStop");
    expect(cluster.commands).not.toContain("balancerStart");
  });

  it("a window whose pod died: its lease expires, the next window takes over and starts the balancer", () => {
    const cluster = new StandInCluster();
    window(cluster, "open", "dead", { BALANCER_LEASE_SECONDS: "0" });
    expect(cluster.mode).toBe("off");
    const next = window(cluster, "open", "rs0");
    expect(next.logs[0].why).toContain("dead");
    expect(cluster.holds.map((h) => h._id)).toEqual(["rs0"]);
    window(cluster, "close", "rs0");
    expect(cluster.mode).toBe("full");
  });

  it("a window that closes after its lease was taken over does not start the balancer under another window", () => {
    const cluster = new StandInCluster();
    window(cluster, "open", "slow", { BALANCER_LEASE_SECONDS: "0" });
    window(cluster, "open", "rs0");
    const late = window(cluster, "close", "slow");
    expect(late.logs[0]).toMatchObject({ level: "warning", started: false });
    expect(cluster.mode).toBe("off");
    window(cluster, "close", "rs0");
    expect(cluster.mode).toBe("full");
  });

  it("fails when a balancing round does not end in time, after recording the lease (so the wrapper closes it)", () => {
    const cluster = new StandInCluster();
    // Stopped by a write to config.settings, not balancerStop: nothing waited for the round.
    cluster.settings = { _id: "balancer", stopped: true };
    cluster.rounds = [false, ...Array(10000).fill(true)];
    expect(() => window(cluster, "open", "rs0", { BALANCER_TIMEOUT_SECONDS: "0.001" })).toThrow(/still running/);
    expect(cluster.holds.map((h) => h._id)).toEqual(["rs0"]);
    window(cluster, "close", "rs0");
    expect(cluster.mode).toBe("off");
  });

  it("replays the reported interleaving: A closes between B's lease insert and B's read, and the balancer still comes back", () => {
    // What the old script did, step by step, with A's close landing inside B's open: B's
    // `restart: false` (decided before A handed over) overwrote A's hand-over. Under the lock the
    // two cannot interleave; the write that raised the duty is also the only kind left.
    const cluster = new StandInCluster();
    window(cluster, "open", "A");
    const b = cluster.collection();
    b.insertOne({ _id: "B", since: new Date(), expiresAt: new Date(Date.now() + 3600_000), restart: false });
    window(cluster, "close", "A");
    expect(cluster.holds.map((h) => [h._id, h.restart])).toEqual([["B", true]]);
    window(cluster, "open", "C"); // a window that decides "no duty" now must not lower B's
    expect(cluster.holds.find((h) => h._id === "B")!.restart).toBe(true);
    window(cluster, "close", "C");
    window(cluster, "close", "B");
    expect(cluster.mode).toBe("full");
  });

  it("never writes restart: false over a lease", () => {
    const cluster = new StandInCluster();
    const writes: unknown[] = [];
    const collection = cluster.collection.bind(cluster);
    cluster.collection = (...args: Parameters<typeof collection>) => {
      const c = collection(...args);
      const updateOne = c.updateOne;
      c.updateOne = (filter, update) => (writes.push(update), updateOne(filter, update));
      return c;
    };
    cluster.mode = "off";
    window(cluster, "open", "rs0");
    window(cluster, "open", "rs1");
    expect(writes.filter((w) => JSON.stringify(w).includes('"restart":false'))).toEqual([]);
  });

  it("renews its lease while the dump runs, and reopens when the lease had expired and was cleared", () => {
    const cluster = new StandInCluster();
    window(cluster, "open", "rs0", { BALANCER_LEASE_SECONDS: "60" });
    const first = cluster.holds[0].expiresAt.getTime();
    const renewed = window(cluster, "renew", "rs0", { BALANCER_LEASE_SECONDS: "7200" });
    expect(renewed.logs[0]).toMatchObject({ msg: "lease renewed" });
    expect(cluster.holds[0].expiresAt.getTime()).toBeGreaterThan(first + 3600_000);

    // rs0's lease expired; rs1 opened and cleared it, then closed and started the balancer.
    cluster.holds[0].expiresAt = new Date(0);
    window(cluster, "open", "rs1");
    window(cluster, "close", "rs1");
    expect(cluster.mode).toBe("full");
    const reopened = window(cluster, "renew", "rs0");
    expect(reopened.logs[0]).toMatchObject({ level: "warning", stopped: true });
    expect(cluster.mode).toBe("off");
    window(cluster, "close", "rs0");
    expect(cluster.mode).toBe("full");
  });

  it("takes the lock of a window that died holding it, once it has expired, and waits for a live one", () => {
    const cluster = new StandInCluster();
    cluster.holds.push({ _id: "lock", holder: "dead", expiresAt: new Date(0) });
    window(cluster, "open", "rs0");
    expect(cluster.holds.map((h) => h._id)).toEqual(["rs0"]);
    cluster.holds.push({ _id: "lock", holder: "busy", expiresAt: new Date(Date.now() + 3600_000) });
    expect(() => window(cluster, "close", "rs0", { BALANCER_TIMEOUT_SECONDS: "0.001" })).toThrow(/held the balancer lock/);
    expect(cluster.mode).toBe("off");
  });

  it("is refused by the stand-in without the role's privileges, as mongos refuses it", () => {
    // nyrkioBalancerWindow without update on config.settings: balancerStop needs it
    // (cluster_control_balancer_cmd.cpp). The built-in backup role would grant it (builtin_roles.yml:
    // insert, update on config.settings), so this user holds nyrkioBalancerWindow alone.
    const noUpdateRole = { ...balancerWindowRole(), privileges: [{ resource: { db: "config", collection: "settings" }, actions: ["find"] }, balancerWindowRole().privileges[1]] };
    const noUpdate = new StandInCluster(undefined, { users: { backup: { pwd: "pw", roles: [{ role: noUpdateRole.role, db: "admin" }] } }, customRoles: [noUpdateRole] });
    expect(() => window(noUpdate, "open", "rs0")).toThrow(/balancerStop failed.*Unauthorized/);
    const wrongPassword = new StandInCluster(undefined, { users: { backup: { pwd: "other", roles: CLUSTER_BACKUP_ROLES } } });
    expect(() => window(wrongPassword, "open", "rs0")).toThrow(/Authentication failed/);
  });

  it("the backup user of a plain replica set (no nyrkioBalancerWindow) cannot take a lease: backup grants no insert on nyrkio_ops", () => {
    const cluster = new StandInCluster(undefined, { users: { backup: { pwd: "pw", roles: [{ role: "backup", db: "admin" }, { role: replSetConfigRole().role, db: "admin" }] } } });
    expect(() => window(cluster, "open", "rs0")).toThrow(/not authorized on nyrkio_ops/);
    expect(cluster.holds).toEqual([]);
  });

  it("the application's user is refused the balancer commands; root needs its own password", () => {
    const app = new StandInCluster(undefined, { users: { app: { pwd: "pw", roles: [{ role: "readWrite", db: "nyrkio" }] } } });
    expect(() => window(app, "open", "rs0", {}, { user: "app", pwd: "pw" })).toThrow(/not authorized on nyrkio_ops/);
    expect(app.mode).toBe("full");
    expect(() => window(new StandInCluster(), "open", "rs0", {}, { user: "root", pwd: "pw" })).toThrow(/Authentication failed/);
    const asRoot = new StandInCluster();
    window(asRoot, "open", "rs0", {}, { user: "root", pwd: "root-secret" });
    expect(asRoot.mode).toBe("off");
  });

  it("refuses an unknown action and a window without a name", () => {
    expect(() => window(new StandInCluster(), "pause", "rs0")).toThrow(/BALANCER_ACTION must be "open", "renew" or "close"/);
    expect(() => window(new StandInCluster(), "open", "")).toThrow(/BALANCER_HOLDER/);
  });
});
