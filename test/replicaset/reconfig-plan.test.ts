import { Long } from "mongodb";
import { implicitDefaultWriteConcern, MemberState, planReconfig, ReconfigPlan, ReconfigPlanInput, ReconfigStep, reconfigTargetProblems } from "../../replicaset/reconfig-plan";
import { desiredConfig, healthy, host, liveConfig, managed, MemberShape, psa, replay } from "./fixtures";

function plan(input: Partial<ReconfigPlanInput> & Pick<ReconfigPlanInput, "live" | "desired">): ReconfigPlan {
  return planReconfig({ memberStates: healthy(input.live), defaultWriteConcernIsExplicit: true, ...input });
}

function stepsOf(result: ReconfigPlan): ReconfigStep[] {
  if (!result.ok) throw new Error(`plan refused: ${result.error}`);
  return result.steps;
}

/** A readable outline of a plan: "reconfig: priorities: member 0 ... " lines. */
const outline = (steps: ReconfigStep[]) => steps.map((s) => `${s.kind}: ${s.reason}`);

describe("planReconfig: nothing to do", () => {
  test("the live PSA set equals the designed one: an empty plan", () => {
    const live = liveConfig(psa(), { version: 3, term: 7 });
    expect(plan({ live, desired: desiredConfig(psa()) })).toEqual({ ok: true, steps: [] });
  });

  test("unmanaged fields (tags, hidden 0-priority members, delays) do not count as changes", () => {
    const members: MemberShape[] = [
      { id: 0, priority: 2, tags: { zone: "a" } },
      { id: 1, priority: 1, tags: { zone: "b" } },
      { id: 2, priority: 0, hidden: true, secondaryDelaySecs: 3600 },
    ];
    expect(stepsOf(plan({ live: liveConfig(members), desired: desiredConfig(members) }))).toEqual([]);
  });
});

describe("planReconfig: priority changes", () => {
  test("swapping priorities is one reconfig whose document is the live config with version + 1", () => {
    const live = liveConfig(psa(), { version: 4, term: 9 });
    live.members[0].tags = { zone: "a" };
    const steps = stepsOf(plan({ live, desired: desiredConfig([{ id: 0, priority: 1 }, { id: 1, priority: 2 }, { id: 100, priority: 0, arbiter: true }]) }));
    expect(steps).toHaveLength(1);
    const [step] = steps;
    expect(step.kind).toBe("reconfig");
    if (step.kind !== "reconfig") return;
    expect(step.reason).toBe("priorities: member 0 (mongodb-rs0-0) 2 → 1, member 1 (mongodb-rs0-1) 1 → 2");
    // The exact document: live fields in live order, term dropped, members' other fields untouched.
    expect(Object.keys(step.config)).toEqual(["_id", "version", "members", "protocolVersion", "writeConcernMajorityJournalDefault", "settings"]);
    expect(step.config).toEqual({
      _id: "rs0",
      version: 5,
      members: [
        { ...live.members[0], priority: 1 },
        { ...live.members[1], priority: 2 },
        live.members[2],
      ],
      protocolVersion: live.protocolVersion,
      writeConcernMajorityJournalDefault: true,
      settings: live.settings,
    });
    // BSON values are passed through as they are (a JSON round trip would break replicaSetId).
    expect(step.config.settings).toBe(live.settings);
    expect(step.config.protocolVersion).toBe(live.protocolVersion);
    expect(step.config.members[0].secondaryDelaySecs).toBe(live.members[0].secondaryDelaySecs);
    expect(step.config.members[0].tags).toEqual({ zone: "a" });
    expect(live.members[0].priority).toBe(2); // the live document is not modified
  });

  test("raising a priority from 0 on a caught-up secondary needs no wait", () => {
    const live = liveConfig([{ id: 0, priority: 2 }, { id: 1, priority: 0 }, { id: 2, priority: 1 }]);
    const steps = stepsOf(plan({ live, desired: desiredConfig([{ id: 0, priority: 2 }, { id: 1, priority: 1 }, { id: 2, priority: 1 }]) }));
    expect(outline(steps)).toEqual(["reconfig: priorities: member 1 (mongodb-rs0-1) 0 → 1"]);
  });

  test("raising a priority from 0 on a member still syncing waits until it is SECONDARY", () => {
    const live = liveConfig([{ id: 0, priority: 2 }, { id: 1, priority: 0 }, { id: 2, priority: 1 }]);
    const states: MemberState[] = healthy(live).map((s) => (s.host === host(1) ? { host: s.host, stateStr: "STARTUP2", caughtUp: false } : s));
    const steps = stepsOf(plan({ live, memberStates: states, desired: desiredConfig([{ id: 0, priority: 3 }, { id: 1, priority: 1 }, { id: 2, priority: 1 }]) }));
    expect(outline(steps)).toEqual([
      "reconfig: priorities: member 0 (mongodb-rs0-0) 2 → 3",
      "waitForSecondary: member 1 (mongodb-rs0-1) must be SECONDARY and caught up before it gets priority 1",
      "reconfig: priorities: member 1 (mongodb-rs0-1) 0 → 1",
    ]);
    replay(live, steps, states);
  });

  test("a lowering that would leave no electable member waits for the member being raised", () => {
    const live = liveConfig([{ id: 0, priority: 2 }, { id: 1, priority: 0 }, { id: 100, priority: 0, arbiter: true }]);
    const states: MemberState[] = healthy(live).map((s) => (s.host === host(1) ? { ...s, caughtUp: false } : s));
    const desired = desiredConfig([{ id: 0, priority: 0 }, { id: 1, priority: 1 }, { id: 100, priority: 0, arbiter: true }]);
    const steps = stepsOf(plan({ live, memberStates: states, desired }));
    expect(outline(steps)).toEqual([
      "waitForSecondary: member 1 (mongodb-rs0-1) must be SECONDARY and caught up before it gets priority 1",
      "stepDownIfPrimary: member 0 (mongodb-rs0-0) is about to get priority 0",
      "reconfig: priorities: member 0 (mongodb-rs0-0) 2 → 0, member 1 (mongodb-rs0-1) 0 → 1",
    ]);
    expect(managed(replay(live, steps, states))).toEqual(managed(desired));
  });
});

describe("planReconfig: adding members", () => {
  test("a data member added to a PSA set joins with votes 1 and priority 0, gets its priority once SECONDARY, then the arbiter leaves", () => {
    const live = liveConfig(psa(), { version: 2 });
    const desired = desiredConfig([{ id: 0, priority: 2 }, { id: 1, priority: 1 }, { id: 2, priority: 1 }]);
    const steps = stepsOf(plan({ live, desired }));
    expect(outline(steps)).toEqual([
      "reconfig: add member 2 (mongodb-rs0-2) (voting, priority 0 until it is caught up)",
      "waitForSecondary: member 2 (mongodb-rs0-2) must be SECONDARY and caught up before it gets priority 1",
      "reconfig: priorities: member 2 (mongodb-rs0-2) 0 → 1",
      "reconfig: remove member 100 (mongodb-rs0-arbiter-0)",
    ]);
    const [add, , raise, remove] = steps;
    if (add.kind !== "reconfig" || raise.kind !== "reconfig" || remove.kind !== "reconfig") throw new Error("expected reconfigs");
    expect(add.config.version).toBe(3);
    expect(add.config.members[3]).toEqual({ _id: 2, host: host(2), priority: 0, votes: 1 });
    expect(raise.config.version).toBe(4);
    expect(remove.config.version).toBe(5);
    // PSA and PSSA default to w:1; PSS to majority: the last step changes the implicit default.
    expect(add.implicitWriteConcernChange).toBeUndefined();
    expect(remove.implicitWriteConcernChange).toBe("w:1 → majority");
    expect(managed(replay(live, steps))).toEqual(managed(desired));
  });

  test("a set the bootstrap initiated with member 0 alone gets member 1 and the arbiter, one reconfig each", () => {
    const live = liveConfig([{ id: 0, priority: 2 }]);
    const desired = desiredConfig(psa());
    const steps = stepsOf(plan({ live, desired }));
    expect(outline(steps)).toEqual([
      "reconfig: add member 1 (mongodb-rs0-1) (voting, priority 0 until it is caught up)",
      "reconfig: add member 100 (mongodb-rs0-arbiter-0) (arbiter)",
      "waitForSecondary: member 1 (mongodb-rs0-1) must be SECONDARY and caught up before it gets priority 1",
      "reconfig: priorities: member 1 (mongodb-rs0-1) 0 → 1",
    ]);
    const arbiterStep = steps[1];
    if (arbiterStep.kind !== "reconfig") throw new Error("expected a reconfig");
    expect(arbiterStep.config.members[2]).toEqual({ _id: 100, host: host("arbiter"), arbiterOnly: true, priority: 0, votes: 1 });
    expect(arbiterStep.implicitWriteConcernChange).toBe("majority → w:1");
    expect(managed(replay(live, steps))).toEqual(managed(desired));
  });

  test("two new members are added one per reconfig, waited for, and raised together", () => {
    const live = liveConfig(psa());
    const desired = desiredConfig([...psa().filter((m) => !m.arbiter), { id: 2, priority: 1 }, { id: 3, priority: 1 }, { id: 100, priority: 0, arbiter: true }]);
    const steps = stepsOf(plan({ live, desired }));
    expect(steps.map((s) => s.kind)).toEqual(["reconfig", "reconfig", "waitForSecondary", "waitForSecondary", "reconfig"]);
    expect(steps[4].reason).toBe("priorities: member 2 (mongodb-rs0-2) 0 → 1, member 3 (mongodb-rs0-3) 0 → 1");
    expect(managed(replay(live, steps))).toEqual(managed(desired));
  });

  test("a non-voting member is added with votes 0 and priority 0 and needs no wait", () => {
    const live = liveConfig(psa());
    const desired = desiredConfig([...psa(), { id: 2, priority: 0, votes: 0 }]);
    const steps = stepsOf(plan({ live, desired }));
    expect(outline(steps)).toEqual(["reconfig: add member 2 (mongodb-rs0-2) (non-voting)"]);
    if (steps[0].kind === "reconfig") expect(steps[0].config.members[3]).toEqual({ _id: 2, host: host(2), priority: 0, votes: 0 });
  });

  test("an arbiter added to a two-member set is one reconfig, and is refused while the default write concern is implicit", () => {
    const live = liveConfig([{ id: 0, priority: 2 }, { id: 1, priority: 1 }]);
    const desired = desiredConfig(psa());
    expect(outline(stepsOf(plan({ live, desired })))).toEqual(["reconfig: add member 100 (mongodb-rs0-arbiter-0) (arbiter)"]);
    const refused = plan({ live, desired, defaultWriteConcernIsExplicit: false });
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error).toMatch(/implicit default write concern \(majority → w:1\).*setDefaultRWConcern/);
  });

  test("at seven voters, a voter leaves before the new one joins", () => {
    const seven: MemberShape[] = [...[0, 1, 2, 3, 4, 5].map((id) => ({ id, priority: id === 0 ? 2 : 1 })), { id: 100, priority: 0, arbiter: true }];
    const live = liveConfig(seven);
    const desired = desiredConfig([0, 1, 2, 3, 4, 5, 6].map((id) => ({ id, priority: id === 0 ? 2 : 1 })));
    const steps = stepsOf(plan({ live, desired }));
    expect(outline(steps)[0]).toBe("reconfig: remove member 100 (mongodb-rs0-arbiter-0)");
    expect(managed(replay(live, steps))).toEqual(managed(desired));
  });
});

describe("planReconfig: removing members and votes", () => {
  test("two data members are removed one at a time, after a step-down (if one is primary) and their priorities dropping to 0 together", () => {
    const live = liveConfig([0, 1, 2, 3, 4].map((id) => ({ id, priority: id === 0 ? 2 : 1 })));
    const desired = desiredConfig([{ id: 0, priority: 2 }, { id: 1, priority: 1 }, { id: 2, priority: 1 }]);
    const steps = stepsOf(plan({ live, desired }));
    expect(outline(steps)).toEqual([
      "stepDownIfPrimary: member 3 (mongodb-rs0-3), member 4 (mongodb-rs0-4) are about to get priority 0",
      "reconfig: priorities: member 3 (mongodb-rs0-3) 1 → 0, member 4 (mongodb-rs0-4) 1 → 0",
      "reconfig: remove member 3 (mongodb-rs0-3)",
      "reconfig: remove member 4 (mongodb-rs0-4)",
    ]);
    expect(managed(replay(live, steps))).toEqual(managed(desired));
  });

  test("the second deploy of runbooks/remove-arbiter.md: a caught-up non-voting member gets its vote and priority, then the arbiter goes", () => {
    const live = liveConfig([...psa(), { id: 2, priority: 0, votes: 0 }]);
    const desired = desiredConfig([{ id: 0, priority: 2 }, { id: 1, priority: 1 }, { id: 2, priority: 1 }]);
    const steps = stepsOf(plan({ live, desired }));
    expect(outline(steps)).toEqual([
      "reconfig: votes: member 2 (mongodb-rs0-2) 0 → 1 (priority 0 until it is caught up)",
      "reconfig: priorities: member 2 (mongodb-rs0-2) 0 → 1",
      "reconfig: remove member 100 (mongodb-rs0-arbiter-0)",
    ]);
    expect(managed(replay(live, steps))).toEqual(managed(desired));
  });

  test("removing the arbiter needs no step-down", () => {
    const live = liveConfig(psa());
    const desired = desiredConfig([{ id: 0, priority: 2 }, { id: 1, priority: 1 }]);
    expect(outline(stepsOf(plan({ live, desired })))).toEqual(["reconfig: remove member 100 (mongodb-rs0-arbiter-0)"]);
  });

  test("a member losing its vote steps down if primary, drops its priority to 0, then its vote (PSA mitigation)", () => {
    const live = liveConfig(psa());
    const desired = desiredConfig([{ id: 0, priority: 2 }, { id: 1, priority: 0, votes: 0 }, { id: 100, priority: 0, arbiter: true }]);
    const steps = stepsOf(plan({ live, desired }));
    expect(outline(steps)).toEqual([
      "stepDownIfPrimary: member 1 (mongodb-rs0-1) is about to get priority 0",
      "reconfig: priorities: member 1 (mongodb-rs0-1) 1 → 0",
      "reconfig: votes: member 1 (mongodb-rs0-1) 1 → 0",
    ]);
    expect(steps[0]).toEqual({ kind: "stepDownIfPrimary", reason: expect.any(String), memberIds: [1], hosts: [host(1)] });
    const votes = steps[2];
    if (votes.kind !== "reconfig") throw new Error("expected a reconfig");
    expect(votes.config.members[1]).toMatchObject({ _id: 1, priority: 0, votes: 0 });
    expect(votes.config.version).toBe(3);
    // P + non-voting S + A: one data-bearing voter, at most the majority of two: w:1 stays w:1.
    expect(votes.implicitWriteConcernChange).toBeUndefined();
    expect(managed(replay(live, steps))).toEqual(managed(desired));
  });

  test("a member regaining its vote gets votes 1 with priority 0 first, then its priority", () => {
    const members = psa().map((m) => (m.id === 1 ? { ...m, priority: 0, votes: 0 } : m));
    const live = liveConfig(members);
    const desired = desiredConfig(psa());
    const steps = stepsOf(plan({ live, desired }));
    expect(outline(steps)).toEqual(["reconfig: votes: member 1 (mongodb-rs0-1) 0 → 1 (priority 0 until it is caught up)", "reconfig: priorities: member 1 (mongodb-rs0-1) 0 → 1"]);
    expect(managed(replay(live, steps))).toEqual(managed(desired));
  });

  test("a lagging member regaining its vote is waited for before it gets its priority", () => {
    const members = psa().map((m) => (m.id === 1 ? { ...m, priority: 0, votes: 0 } : m));
    const live = liveConfig(members);
    const states = healthy(live).map((s) => (s.host === host(1) ? { ...s, stateStr: "RECOVERING", caughtUp: false } : s));
    const steps = stepsOf(plan({ live, memberStates: states, desired: desiredConfig(psa()) }));
    expect(steps.map((s) => s.kind)).toEqual(["reconfig", "waitForSecondary", "reconfig"]);
  });

  test("a live member's internal newlyAdded flag is never sent back", () => {
    const live = liveConfig(psa());
    live.members[1].newlyAdded = true;
    const steps = stepsOf(plan({ live, desired: desiredConfig([{ id: 0, priority: 3 }, { id: 1, priority: 1 }, { id: 100, priority: 0, arbiter: true }]) }));
    if (steps[0].kind !== "reconfig") throw new Error("expected a reconfig");
    expect(steps[0].config.members[1]).not.toHaveProperty("newlyAdded");
  });
});

describe("planReconfig: refusals", () => {
  const live = liveConfig(psa());
  const refusal = (desired: ReturnType<typeof desiredConfig>) => {
    const result = plan({ live, desired });
    if (result.ok) throw new Error("expected a refusal");
    return result.error;
  };

  test("a new set name", () => {
    expect(refusal({ ...desiredConfig(psa()), _id: "rs1" })).toMatch(/name would change from "rs0" to "rs1"/);
  });
  test("no electable member", () => {
    expect(refusal(desiredConfig([{ id: 0, priority: 0 }, { id: 1, priority: 0 }, { id: 100, priority: 0, arbiter: true }]))).toMatch(/no electable member/);
  });
  test("votes 0 with a priority", () => {
    expect(refusal(desiredConfig([{ id: 0, priority: 2 }, { id: 1, priority: 1, votes: 0 }]))).toMatch(/member 1 .*votes 0 must have priority 0/);
  });
  test("more than seven voters", () => {
    expect(refusal(desiredConfig([0, 1, 2, 3, 4, 5, 6, 7].map((id) => ({ id, priority: 1 }))))).toMatch(/8 voting members/);
  });
  test("a member moving to another host", () => {
    const desired = desiredConfig(psa());
    desired.members[1] = { ...desired.members[1], host: "elsewhere:27017" };
    expect(refusal(desired)).toMatch(/host would change/);
  });
  test("a priority for a member hidden by hand", () => {
    const hiddenLive = liveConfig([{ id: 0, priority: 2 }, { id: 1, priority: 0, hidden: true }, { id: 100, priority: 0, arbiter: true }]);
    const result = plan({ live: hiddenLive, desired: desiredConfig(psa()) });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(/hidden or delayed/);
  });
  test("an arbiter turned into a data member", () => {
    const desired = desiredConfig(psa());
    desired.members[2] = { _id: 100, host: host("arbiter"), priority: 1, votes: 1 };
    expect(refusal(desired)).toMatch(/between arbiter and data member/);
  });
  test("a config server flag that changes", () => {
    expect(refusal({ ...desiredConfig(psa()), configsvr: true })).toMatch(/configsvr would change/);
  });
  test("every problem is named, not just the first", () => {
    expect(reconfigTargetProblems(live, { _id: "other", members: [] })).toHaveLength(2);
  });
});

describe("implicitDefaultWriteConcern (MongoDB 5.0+ formula)", () => {
  const m = (votes: number, arbiterOnly = false) => ({ votes, arbiterOnly });
  test.each([
    { name: "PSA", members: [m(1), m(1), m(1, true)], expected: "w:1" },
    { name: "PSS", members: [m(1), m(1), m(1)], expected: "majority" },
    { name: "PSSAA", members: [m(1), m(1), m(1), m(1, true), m(1, true)], expected: "w:1" },
    { name: "PSSSA", members: [m(1), m(1), m(1), m(1), m(1, true)], expected: "majority" },
    { name: "P + non-voting S + A", members: [m(1), m(0), m(1, true)], expected: "w:1" },
    { name: "PS", members: [m(1), m(1)], expected: "majority" },
  ])("$name → $expected", ({ members, expected }) => {
    expect(implicitDefaultWriteConcern(members)).toBe(expected);
  });
});

describe("planReconfig over many live/designed pairs", () => {
  // A small deterministic generator: 1-4 data members (priorities 0-2, some non-voting) and an
  // optional arbiter, on both sides. Every valid pair must plan, obey MongoDB's reconfig rules at
  // every step (replay), and arrive exactly at the designed config.
  let seed = 20240611;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const randomMembers = (): MemberShape[] => {
    const count = 1 + random(4);
    const members: MemberShape[] = [];
    for (let id = 0; id < 5 && members.length < count; id++) {
      if (id > 0 && random(4) === 0) continue; // leave gaps so ids differ between sides
      const votes = id === 0 || random(5) > 0 ? 1 : 0;
      members.push({ id, priority: votes === 0 ? 0 : id === 0 ? 1 + random(2) : random(3), votes });
    }
    if (random(2) === 0) members.push({ id: 100, priority: 0, arbiter: true });
    return members;
  };

  test("300 pairs", () => {
    let planned = 0;
    for (let i = 0; i < 300; i++) {
      const live = liveConfig(randomMembers(), { version: 1 + random(50) });
      const desired = desiredConfig(randomMembers());
      if (reconfigTargetProblems(live, desired).length > 0 || !live.members.some((m) => m.priority! > 0 && m.votes === 1)) continue;
      const states = healthy(live).map((s) => (random(3) === 0 ? { ...s, caughtUp: false } : s));
      const result = planReconfig({ live, desired, memberStates: states, defaultWriteConcernIsExplicit: true });
      if (!result.ok) throw new Error(`pair ${i} refused: ${result.error}\n${JSON.stringify(managed(live))}\n${JSON.stringify(managed(desired))}`);
      expect(managed(replay(live, result.steps, states))).toEqual(managed(desired));
      planned++;
    }
    expect(planned).toBeGreaterThan(100);
  });
});

test("Long values in the live config (secondaryDelaySecs) are read as numbers", () => {
  const live = liveConfig([{ id: 0, priority: 2 }, { id: 1, priority: 0, secondaryDelaySecs: 3600 }]);
  expect(live.members[1].secondaryDelaySecs).toBeInstanceOf(Long);
  const result = plan({ live, desired: desiredConfig([{ id: 0, priority: 2 }, { id: 1, priority: 1 }]) });
  expect(result.ok).toBe(false);
  if (!result.ok) expect(result.error).toMatch(/member 1 .*hidden or delayed/);
});
