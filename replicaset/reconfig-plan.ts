// The reconfig planner: from the live replica-set config (as replSetGetConfig returns it), the
// members' states (replSetGetStatus) and the designed config, the ordered steps that take the set
// there following MongoDB's safe procedures, also for sets with an arbiter (PSA):
//   - at most one voting member is added, removed, or has its vote changed per reconfig;
//   - a member that gains a vote (new or existing) first gets {votes: 1, priority: 0}, and its
//     priority only once it is SECONDARY and caught up (a wait step, then a reconfig);
//   - a member that loses its vote (or leaves) first drops to priority 0, and only then loses the
//     vote (MongoDB requires priority 0 for votes 0);
//   - MongoDB refuses to make the primary unelectable: a reconfig that sets priority 0 on members
//     is preceded by a step-down of whichever of them is primary at that moment;
//   - all priority-only changes go in one reconfig; removals go one at a time;
//   - every reconfig carries over the live settings, protocolVersion and the fields this project
//     does not manage (tags, hidden, secondaryDelaySecs, buildIndexes, ...), with version + 1;
//   - a reconfig that changes the implicit default write concern is refused unless the
//     cluster-wide default is explicit (the reconcile script sets it first, always).
// A plan that would rename the set or leave no electable member is refused with a reason.
//
// EMBEDDED: these functions are copied into the reconcile job's mongosh script with
// Function.prototype.toString() (see reconcile-script.ts), so there is one implementation. They
// must stay self-contained: no imports, no module constants, only each other (all listed in
// RECONFIG_PLAN_FUNCTIONS), and only syntax that Node 20 runs natively (no helper emitted).
/* istanbul ignore file -- coverage instrumentation would rewrite the embedded function bodies */

/** A number as mongosh returns it: a JS number, or a BSON Long (protocolVersion, secondaryDelaySecs). */
export type NumberLike = number | { toNumber(): number };

/** One member as replSetGetConfig returns it; unknown fields are carried over untouched. */
export interface LiveMember {
  _id: number;
  host: string;
  arbiterOnly?: boolean;
  buildIndexes?: boolean;
  hidden?: boolean;
  priority?: number;
  tags?: Record<string, string>;
  secondaryDelaySecs?: NumberLike;
  votes?: number;
  [field: string]: unknown;
}

/** The live config as replSetGetConfig returns it (`term` is dropped from what we send: the primary sets it). */
export interface LiveReplicaSetConfig {
  _id: string;
  version: number;
  term?: NumberLike;
  protocolVersion?: NumberLike;
  writeConcernMajorityJournalDefault?: boolean;
  configsvr?: boolean;
  members: LiveMember[];
  settings?: Record<string, unknown>;
  [field: string]: unknown;
}

/** The designed config (renderReplicaSetConfig's output, read back from replicaset.json). */
export interface DesiredReplicaSetConfig {
  _id: string;
  configsvr?: boolean;
  members: { _id: number; host: string; arbiterOnly?: boolean; priority: number; votes: number }[];
}

/** A member's state from replSetGetStatus (see member-states.ts). */
export interface MemberState {
  host: string;
  stateStr: string;
  /** SECONDARY or PRIMARY and within the allowed replication lag of the primary. */
  caughtUp: boolean;
}

export interface ReconfigPlanInput {
  live: LiveReplicaSetConfig;
  desired: DesiredReplicaSetConfig;
  memberStates: MemberState[];
  /** getDefaultRWConcern's defaultWriteConcernSource is "global" (set with setDefaultRWConcern). */
  defaultWriteConcernIsExplicit: boolean;
}

export type ReconfigStep =
  | {
      kind: "reconfig";
      reason: string;
      /** The complete document for replSetReconfig. */
      config: LiveReplicaSetConfig;
      /** The implicit default write concern before → after, when it changes ("w:1" or "majority"). */
      implicitWriteConcernChange?: string;
    }
  | { kind: "waitForSecondary"; reason: string; memberId: number; host: string }
  /** While the primary is one of `hosts`, step it down (it cannot be given priority 0 while primary). */
  | { kind: "stepDownIfPrimary"; reason: string; memberIds: number[]; hosts: string[] };

export type ReconfigPlan = { ok: true; steps: ReconfigStep[] } | { ok: false; error: string };

/** A possibly-BSON number as a JS number; undefined when absent. */
export function rsNumber(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "number") return value;
  const withToNumber = value as { toNumber?: () => number };
  if (typeof withToNumber.toNumber === "function") return withToNumber.toNumber();
  return Number(value);
}

/** A member's priority, with MongoDB's defaults (1, or 0 for an arbiter). */
export function rsPriority(member: { priority?: unknown; arbiterOnly?: boolean }): number {
  const priority = rsNumber(member.priority);
  return priority === undefined ? (member.arbiterOnly ? 0 : 1) : priority;
}

export function rsVotes(member: { votes?: unknown }): number {
  const votes = rsNumber(member.votes);
  return votes === undefined ? 1 : votes;
}

/** Can this member become primary? A data member with a vote, priority > 0, not hidden, not delayed. */
export function rsIsElectable(member: LiveMember | DesiredReplicaSetConfig["members"][number]): boolean {
  const delay = rsNumber((member as LiveMember).secondaryDelaySecs);
  return !member.arbiterOnly && rsVotes(member) > 0 && rsPriority(member) > 0 && !(member as LiveMember).hidden && !(delay !== undefined && delay > 0);
}

export function rsVotingCount(members: { votes?: unknown }[]): number {
  return members.filter((m) => rsVotes(m) > 0).length;
}

/**
 * MongoDB's implicit default write concern for a member list (5.0+): {w: 1} when there is an
 * arbiter and the data-bearing voting members are no more than the voting majority, else majority.
 */
export function implicitDefaultWriteConcern(members: { arbiterOnly?: boolean; votes?: unknown }[]): "w:1" | "majority" {
  const voting = members.filter((m) => rsVotes(m) > 0);
  const arbiters = members.filter((m) => m.arbiterOnly).length;
  const dataVoting = voting.filter((m) => !m.arbiterOnly).length;
  const votingMajority = Math.floor(voting.length / 2) + 1;
  return arbiters > 0 && dataVoting <= votingMajority ? "w:1" : "majority";
}

/** Short member label for log lines: "member 1 (mongodb-rs0-1)". */
export function rsMemberLabel(member: { _id: number; host: string }): string {
  return `member ${member._id} (${member.host.split(".")[0].split(":")[0]})`;
}

/** Problems with the designed config on its own, or with how it relates to the live one. */
export function reconfigTargetProblems(live: LiveReplicaSetConfig, desired: DesiredReplicaSetConfig): string[] {
  const problems: string[] = [];
  if (desired._id !== live._id) problems.push(`the replica set name would change from "${live._id}" to "${desired._id}": a replica set cannot be renamed`);
  if (Boolean(desired.configsvr) !== Boolean(live.configsvr))
    problems.push(`configsvr would change from ${Boolean(live.configsvr)} to ${Boolean(desired.configsvr)}: a replica set cannot change its role`);
  const ids = desired.members.map((m) => m._id);
  const hosts = desired.members.map((m) => m.host);
  desired.members.forEach((m, i) => {
    const label = rsMemberLabel(m);
    if (ids.indexOf(m._id) !== i) problems.push(`${label}: _id ${m._id} is used twice`);
    if (hosts.indexOf(m.host) !== i) problems.push(`${label}: host ${m.host} is used twice`);
    if (m.votes !== 0 && m.votes !== 1) problems.push(`${label}: votes must be 0 or 1, got ${m.votes}`);
    if (m.votes === 0 && m.priority !== 0) problems.push(`${label}: a member with votes 0 must have priority 0, got ${m.priority}`);
    if (m.arbiterOnly && (m.priority !== 0 || m.votes !== 1)) problems.push(`${label}: an arbiter must have priority 0 and votes 1`);
  });
  const voting = rsVotingCount(desired.members);
  if (voting > 7) problems.push(`the designed config has ${voting} voting members; MongoDB allows at most 7`);
  if (desired.members.length > 50) problems.push(`the designed config has ${desired.members.length} members; MongoDB allows at most 50`);
  if (!desired.members.some((m) => rsIsElectable(m))) problems.push("the designed config has no electable member (a data member with votes 1 and priority above 0): no member could become primary");

  for (const m of desired.members) {
    const byId = live.members.find((l) => l._id === m._id);
    const byHost = live.members.find((l) => l.host === m.host);
    if (byId && byId.host !== m.host)
      problems.push(`${rsMemberLabel(m)}: its host would change from ${byId.host} to ${m.host}; moving a member to a new host is a manual procedure, not a reconfig this job makes`);
    else if (byHost && byHost._id !== m._id) problems.push(`${rsMemberLabel(m)}: host ${m.host} is member ${byHost._id} in the live config; a member's _id cannot change`);
    if (byId && Boolean(byId.arbiterOnly) !== Boolean(m.arbiterOnly))
      problems.push(`${rsMemberLabel(m)}: would change between arbiter and data member; remove it and add a new member instead`);
    const delay = byId ? rsNumber(byId.secondaryDelaySecs) : undefined;
    if (byId && m.priority > 0 && (byId.hidden || (delay !== undefined && delay > 0)))
      problems.push(`${rsMemberLabel(m)}: is hidden or delayed in the live config (set by hand), so its priority must stay 0, designed ${m.priority}`);
  }
  return problems;
}

/** The complete replSetReconfig document: the live config's fields in their order, with new members and version. */
export function rsConfigDocument(live: LiveReplicaSetConfig, members: LiveMember[], version: number): LiveReplicaSetConfig {
  const doc: Record<string, unknown> = {};
  for (const key of Object.keys(live)) {
    if (key === "term") continue; // the primary ignores a user-provided term and sets its own
    doc[key] = key === "version" ? version : key === "members" ? members : live[key];
  }
  if (!("version" in doc)) doc.version = version;
  if (!("members" in doc)) doc.members = members;
  return doc as LiveReplicaSetConfig;
}

/** A live member with new managed values; its other fields (and their order) stay as they are. */
export function rsWithValues(member: LiveMember, values: { priority?: number; votes?: number }): LiveMember {
  const copy: LiveMember = { ...member };
  delete copy.newlyAdded; // internal to MongoDB; replSetReconfig refuses it
  if (values.priority !== undefined) copy.priority = values.priority;
  if (values.votes !== undefined) copy.votes = values.votes;
  return copy;
}

/** The ordered steps from the live config to the designed one, or why there are none. */
export function planReconfig(input: ReconfigPlanInput): ReconfigPlan {
  const { live, desired } = input;
  const problems = reconfigTargetProblems(live, desired);
  if (problems.length > 0) return { ok: false, error: problems.join("; ") };

  const steps: ReconfigStep[] = [];
  let current: LiveMember[] = live.members.map((m) => rsWithValues(m, {}));
  let version = rsNumber(live.version) as number;
  const want = (id: number) => desired.members.find((m) => m._id === id);
  const now = (id: number) => current.find((m) => m._id === id) as LiveMember;
  const wasLive = (id: number) => live.members.some((m) => m._id === id);
  const ready = (host: string) => input.memberStates.some((s) => s.host === host && (s.stateStr === "SECONDARY" || s.stateStr === "PRIMARY") && s.caughtUp);

  // One reconfig to `members`; returns a reason to refuse the whole plan, if any.
  const reconfig = (reason: string, members: LiveMember[]): string | undefined => {
    if (!members.some((m) => rsIsElectable(m))) return `step "${reason}" would leave no electable member`;
    if (rsVotingCount(members) > 7) return `step "${reason}" would make more than 7 voting members`;
    const before = implicitDefaultWriteConcern(current);
    const after = implicitDefaultWriteConcern(members);
    if (before !== after && !input.defaultWriteConcernIsExplicit)
      return `step "${reason}" changes the implicit default write concern (${before} → ${after}), which MongoDB refuses while the cluster-wide default is not set explicitly (setDefaultRWConcern)`;
    version += 1;
    steps.push({ kind: "reconfig", reason, config: rsConfigDocument(live, members, version), ...(before !== after ? { implicitWriteConcernChange: `${before} → ${after}` } : {}) });
    current = members;
    return undefined;
  };
  // Members about to get priority 0 must not be primary: MongoDB refuses to make the primary unelectable.
  const stepDownBeforeLowering = (lowered: LiveMember[]) => {
    const data = lowered.filter((m) => !m.arbiterOnly);
    if (data.length > 0)
      steps.push({
        kind: "stepDownIfPrimary",
        reason: `${data.map(rsMemberLabel).join(", ")} ${data.length === 1 ? "is" : "are"} about to get priority 0`,
        memberIds: data.map((m) => m._id),
        hosts: data.map((m) => m.host),
      });
  };
  // All pending priority changes in one reconfig; `which` selects the members it may change.
  const setPriorities = (which: (m: LiveMember, target: number) => boolean, targetOf: (m: LiveMember) => number | undefined): string | undefined => {
    const changes: string[] = [];
    const lowered: LiveMember[] = [];
    const members = current.map((m) => {
      const target = targetOf(m);
      if (target === undefined || target === rsPriority(m) || !which(m, target)) return m;
      changes.push(`${rsMemberLabel(m)} ${rsPriority(m)} → ${target}`);
      if (target === 0) lowered.push(m);
      return rsWithValues(m, { priority: target });
    });
    if (changes.length === 0) return undefined;
    stepDownBeforeLowering(lowered);
    return reconfig(`priorities: ${changes.join(", ")}`, members);
  };
  const leaving = live.members.filter((m) => !want(m._id)).map((m) => m._id);
  const losingVote = live.members.filter((m) => want(m._id) && rsVotes(m) > 0 && (want(m._id) as { votes: number }).votes === 0).map((m) => m._id);
  const gainingVote = live.members.filter((m) => want(m._id) && rsVotes(m) === 0 && (want(m._id) as { votes: number }).votes === 1).map((m) => m._id);
  const adding = desired.members.filter((m) => !wasLive(m._id));

  // Phase 1: priority changes that can be made now. Members about to lose their vote or leave go
  // to 0; a raise from 0 waits for members not yet SECONDARY and caught up (phase 4). If lowering
  // would leave no electable member before the raises, the lowering waits for them too.
  const earlyTarget = (m: LiveMember): number | undefined => {
    if (leaving.includes(m._id) || losingVote.includes(m._id)) return 0;
    if (gainingVote.includes(m._id)) return undefined;
    const target = (want(m._id) as { priority: number }).priority;
    return rsPriority(m) === 0 && target > 0 && !ready(m.host) ? undefined : target;
  };
  const lowersToZero = (m: LiveMember, target: number) => target === 0 && rsPriority(m) > 0;
  const all = () => true;
  const wouldBeElectable = current.some((m) => {
    const target = earlyTarget(m);
    return rsIsElectable(target === undefined ? m : rsWithValues(m, { priority: target }));
  });
  let refusal = setPriorities(wouldBeElectable ? all : (m, target) => !lowersToZero(m, target), earlyTarget);
  if (refusal) return { ok: false, error: refusal };

  // Takes one voting member out of the vote (losing its vote, or leaving): priority 0 first (after
  // a step-down if it is primary), then the vote. A member at priority 0 can never be primary.
  const dropOneVoter = (): string | undefined => {
    const id = [...losingVote, ...leaving].find((i) => current.some((m) => m._id === i && rsVotes(m) > 0));
    if (id === undefined) return undefined;
    const member = now(id);
    if (rsPriority(member) > 0) {
      stepDownBeforeLowering([member]);
      const lowered = reconfig(`priorities: ${rsMemberLabel(member)} ${rsPriority(member)} → 0`, current.map((m) => (m._id === id ? rsWithValues(m, { priority: 0 }) : m)));
      if (lowered) return lowered;
    }
    if (losingVote.includes(id)) return reconfig(`votes: ${rsMemberLabel(member)} 1 → 0`, current.map((m) => (m._id === id ? rsWithValues(m, { votes: 0 }) : m)));
    return reconfig(`remove ${rsMemberLabel(member)}`, current.filter((m) => m._id !== id));
  };
  const roomForOneVoter = (): string | undefined => (rsVotingCount(current) >= 7 ? dropOneVoter() : undefined);

  // Phase 2: existing members gaining a vote, one per reconfig, with priority 0.
  for (const id of gainingVote) {
    refusal = roomForOneVoter() ?? reconfig(`votes: ${rsMemberLabel(now(id))} 0 → 1 (priority 0 until it is caught up)`, current.map((m) => (m._id === id ? rsWithValues(m, { votes: 1, priority: 0 }) : m)));
    if (refusal) return { ok: false, error: refusal };
  }

  // Phase 3: new members, one per reconfig; voters join with priority 0.
  for (const m of adding) {
    const member: LiveMember = m.arbiterOnly
      ? { _id: m._id, host: m.host, arbiterOnly: true, priority: 0, votes: 1 }
      : { _id: m._id, host: m.host, priority: 0, votes: m.votes };
    const note = m.arbiterOnly ? "arbiter" : m.votes === 1 && m.priority > 0 ? "voting, priority 0 until it is caught up" : m.votes === 1 ? "voting" : "non-voting";
    refusal = (m.votes === 1 ? roomForOneVoter() : undefined) ?? reconfig(`add ${rsMemberLabel(m)} (${note})`, [...current, member]);
    if (refusal) return { ok: false, error: refusal };
  }

  // Phase 4: wait until every member whose priority rises from 0 is SECONDARY and caught up, then
  // set all remaining priorities (raises, and lowerings deferred in phase 1) in one reconfig.
  const finalTarget = (m: LiveMember): number | undefined => {
    if (leaving.includes(m._id) || losingVote.includes(m._id)) return 0;
    return (want(m._id) as { priority: number }).priority;
  };
  for (const m of current) {
    const target = finalTarget(m);
    if (target !== undefined && target > 0 && rsPriority(m) === 0 && !(wasLive(m._id) && ready(m.host)))
      steps.push({ kind: "waitForSecondary", reason: `${rsMemberLabel(m)} must be SECONDARY and caught up before it gets priority ${target}`, memberId: m._id, host: m.host });
  }
  refusal = setPriorities(all, finalTarget);
  if (refusal) return { ok: false, error: refusal };

  // Phases 5 and 6: votes lost, then members removed, one per reconfig.
  while ([...losingVote, ...leaving].some((id) => current.some((m) => m._id === id && rsVotes(m) > 0))) {
    refusal = dropOneVoter();
    if (refusal) return { ok: false, error: refusal };
  }
  for (const id of leaving) {
    if (!current.some((m) => m._id === id)) continue;
    refusal = reconfig(`remove ${rsMemberLabel(now(id))}`, current.filter((m) => m._id !== id));
    if (refusal) return { ok: false, error: refusal };
  }

  // The simulation must have arrived exactly at the designed config; anything else is a planner bug.
  const arrived =
    current.length === desired.members.length &&
    desired.members.every((d) => {
      const m = current.find((c) => c._id === d._id);
      return m !== undefined && m.host === d.host && rsPriority(m) === d.priority && rsVotes(m) === d.votes && Boolean(m.arbiterOnly) === Boolean(d.arbiterOnly);
    });
  if (!arrived) return { ok: false, error: "internal error: the plan does not arrive at the designed config" };
  return { ok: true, steps };
}

/** Everything the reconcile script embeds from this file, in dependency-free order. */
export const RECONFIG_PLAN_FUNCTIONS: readonly ((...args: never[]) => unknown)[] = [
  rsNumber,
  rsPriority,
  rsVotes,
  rsIsElectable,
  rsVotingCount,
  implicitDefaultWriteConcern,
  rsMemberLabel,
  reconfigTargetProblems,
  rsConfigDocument,
  rsWithValues,
  planReconfig,
];
