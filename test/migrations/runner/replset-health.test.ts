// Issue 11 defect 2: before sending anything the runner checks the set's health. The replies are
// shaped as the replSetGetStatus reference shows them
// (https://www.mongodb.com/docs/manual/reference/command/replSetGetStatus/#example): `members[]`
// with name, health, state, stateStr, optimeDate; a member that cannot be reached has health 0
// and state 8 "(not reachable/healthy)", whatever its role.
import { assessReplSetHealth, describeUnhealthy } from "../../../migrations/runner/replset-health";

const now = new Date("2026-12-06T01:00:00Z");
const ago = (s: number) => new Date(now.getTime() - s * 1000);
const member = (name: string, state: number, stateStr: string, over: Record<string, unknown> = {}) => ({ name, health: 1, state, stateStr, optimeDate: now, ...over });
const down = (name: string) => ({ name, health: 0, state: 8, stateStr: "(not reachable/healthy)", optimeDate: new Date(0) });

const hello = { setName: "rs0", hosts: ["db-0:27017", "db-1:27017"], arbiters: ["arb:27017"] };

describe("replica set health before a migration", () => {
  it("passes when every data-bearing member is PRIMARY or SECONDARY and caught up", () => {
    const status = { set: "rs0", members: [member("db-0:27017", 1, "PRIMARY"), member("db-1:27017", 2, "SECONDARY", { optimeDate: ago(2) }), member("arb:27017", 7, "ARBITER")] };
    expect(assessReplSetHealth(status, hello)).toEqual({ ok: true, problems: [] });
  });

  it("refuses when a data-bearing member is down: a votingMembers build would wait forever", () => {
    const status = { set: "rs0", members: [member("db-0:27017", 1, "PRIMARY"), down("db-1:27017"), member("arb:27017", 7, "ARBITER")] };
    const verdict = assessReplSetHealth(status, hello);
    expect(verdict.ok).toBe(false);
    expect(verdict.problems).toEqual(["member db-1:27017 is not reachable ((not reachable/healthy))"]);
    expect(describeUnhealthy(verdict)).toMatch(/^the replica set is not healthy enough to migrate, nothing was sent: member db-1:27017/);
  });

  it("ignores a down arbiter (it builds no index), known from hello.arbiters", () => {
    const status = { set: "rs0", members: [member("db-0:27017", 1, "PRIMARY"), member("db-1:27017", 2, "SECONDARY"), down("arb:27017")] };
    expect(assessReplSetHealth(status, hello).ok).toBe(true);
  });

  it("refuses a member that lags, is recovering, or a set without a primary", () => {
    expect(assessReplSetHealth({ set: "rs0", members: [member("db-0:27017", 1, "PRIMARY"), member("db-1:27017", 2, "SECONDARY", { optimeDate: ago(45) })] }, hello).problems).toEqual([
      "member db-1:27017 is 45 s behind the primary (at most 10 s)",
    ]);
    expect(assessReplSetHealth({ set: "rs0", members: [member("db-0:27017", 1, "PRIMARY"), member("db-1:27017", 3, "RECOVERING")] }, hello).problems).toEqual([
      "member db-1:27017 is RECOVERING, not PRIMARY or SECONDARY",
    ]);
    expect(assessReplSetHealth({ set: "rs0", members: [member("db-0:27017", 2, "SECONDARY"), member("db-1:27017", 2, "SECONDARY")] }, hello).problems).toEqual(["replica set rs0 has no primary"]);
  });
});
