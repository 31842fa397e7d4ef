import { memberStatesFromStatus } from "../../replicaset/member-states";

// replSetGetStatus members as MongoDB 7/8 returns them (the fields this reads, plus some it ignores).
const at = (s: number) => new Date(Date.UTC(2025, 0, 1, 12, 0, s));
const status = {
  set: "rs0",
  myState: 1,
  members: [
    { _id: 0, name: "a:27017", health: 1, state: 1, stateStr: "PRIMARY", optimeDate: at(30), self: true },
    { _id: 1, name: "b:27017", health: 1, state: 2, stateStr: "SECONDARY", optimeDate: at(25), syncSourceHost: "a:27017" },
    { _id: 2, name: "c:27017", health: 1, state: 2, stateStr: "SECONDARY", optimeDate: at(0) },
    { _id: 3, name: "d:27017", health: 1, state: 5, stateStr: "STARTUP2", optimeDate: at(0) },
    { _id: 100, name: "e:27017", health: 1, state: 7, stateStr: "ARBITER" },
    { _id: 4, name: "f:27017", health: 0, state: 8, stateStr: "(not reachable/healthy)", optimeDate: new Date(0) },
  ],
};

test("state, lag behind the primary, and caught up within the allowance", () => {
  expect(memberStatesFromStatus(status, 10)).toEqual([
    { host: "a:27017", stateStr: "PRIMARY", caughtUp: true, lagSeconds: 0 },
    { host: "b:27017", stateStr: "SECONDARY", caughtUp: true, lagSeconds: 5 },
    { host: "c:27017", stateStr: "SECONDARY", caughtUp: false, lagSeconds: 30 },
    { host: "d:27017", stateStr: "STARTUP2", caughtUp: false, lagSeconds: 30 },
    { host: "e:27017", stateStr: "ARBITER", caughtUp: false },
    { host: "f:27017", stateStr: "(not reachable/healthy)", caughtUp: false },
  ]);
});

test("the allowance decides", () => {
  expect(memberStatesFromStatus(status, 30)[2].caughtUp).toBe(true);
  expect(memberStatesFromStatus(status, 4)[1].caughtUp).toBe(false);
});

test("without a primary no secondary counts as caught up", () => {
  const noPrimary = { members: status.members.filter((m) => m.stateStr !== "PRIMARY") };
  expect(memberStatesFromStatus(noPrimary, 10).some((s) => s.caughtUp)).toBe(false);
  expect(memberStatesFromStatus({}, 10)).toEqual([]);
});
