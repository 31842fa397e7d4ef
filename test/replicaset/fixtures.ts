// Live replica-set shapes as MongoDB 7/8 returns them through mongosh: rs.conf() with every
// member field (secondaryDelaySecs and protocolVersion as Long, replicaSetId as an ObjectId),
// replSetGetStatus members, getDefaultRWConcern.

import { Long, ObjectId } from "mongodb";
import type { DesiredReplicaSetConfig, LiveMember, LiveReplicaSetConfig, MemberState, ReconfigStep } from "../../replicaset/reconfig-plan";
import { rsIsElectable, rsPriority, rsVotes } from "../../replicaset/reconfig-plan";

export const host = (i: number | "arbiter") =>
  i === "arbiter" ? "mongodb-rs0-arbiter-0.mongodb-rs0.nyrkio-db-dev.svc.cluster.local:27017" : `mongodb-rs0-${i}.mongodb-rs0.nyrkio-db-dev.svc.cluster.local:27017`;

export interface MemberShape {
  id: number;
  priority: number;
  votes?: number;
  arbiter?: boolean;
  hidden?: boolean;
  tags?: Record<string, string>;
  secondaryDelaySecs?: number;
}

export function liveMember(m: MemberShape): LiveMember {
  return {
    _id: m.id,
    host: m.arbiter ? host("arbiter") : host(m.id),
    arbiterOnly: m.arbiter ?? false,
    buildIndexes: true,
    hidden: m.hidden ?? false,
    priority: m.priority,
    tags: m.tags ?? {},
    secondaryDelaySecs: Long.fromNumber(m.secondaryDelaySecs ?? 0),
    votes: m.votes ?? 1,
  };
}

export function liveConfig(members: MemberShape[], opts: { version?: number; term?: number } = {}): LiveReplicaSetConfig {
  return {
    _id: "rs0",
    version: opts.version ?? 1,
    term: opts.term ?? 1,
    members: members.map(liveMember),
    protocolVersion: Long.fromNumber(1),
    writeConcernMajorityJournalDefault: true,
    settings: {
      chainingAllowed: true,
      heartbeatIntervalMillis: 2000,
      heartbeatTimeoutSecs: 10,
      electionTimeoutMillis: 10000,
      catchUpTimeoutMillis: -1,
      catchUpTakeoverDelayMillis: 30000,
      getLastErrorModes: {},
      getLastErrorDefaults: { w: 1, wtimeout: 0 },
      replicaSetId: new ObjectId("61e01edb1fe58b0d69833497"),
    },
  };
}

/** The dev environment's live PSA set, as the bootstrap initiates it: 0 (p2), 1 (p1), arbiter. */
export const psa = (): MemberShape[] => [
  { id: 0, priority: 2 },
  { id: 1, priority: 1 },
  { id: 100, priority: 0, arbiter: true },
];

export function desiredConfig(members: { id: number; priority: number; votes?: number; arbiter?: boolean }[]): DesiredReplicaSetConfig {
  return {
    _id: "rs0",
    members: members.map((m) =>
      m.arbiter
        ? { _id: m.id, host: host("arbiter"), arbiterOnly: true, priority: 0, votes: 1 }
        : { _id: m.id, host: host(m.id), priority: m.priority, votes: m.votes ?? 1 },
    ),
  };
}

/** Every live member SECONDARY and caught up, member 0 PRIMARY. */
export function healthy(config: LiveReplicaSetConfig): MemberState[] {
  return config.members.map((m) => ({ host: m.host, stateStr: m.arbiterOnly ? "ARBITER" : m._id === 0 ? "PRIMARY" : "SECONDARY", caughtUp: !m.arbiterOnly }));
}

/**
 * Replays a plan against MongoDB's reconfig rules and returns the config it ends with. Throws on
 * the first broken rule: version + 1, one voting member changed at most, votes 0 ⇒ priority 0,
 * an electable member, a step-down before a member gets priority 0, settings/protocolVersion carried over, no term, a rise from priority 0
 * only after a wait for that member, unmanaged member fields kept.
 */
export function replay(live: LiveReplicaSetConfig, steps: ReconfigStep[], states: MemberState[] = healthy(live)): LiveReplicaSetConfig {
  let current = live;
  const waited = new Set<number>();
  let steppedDown = new Set<string>(); // hosts covered by a step-down since the last reconfig
  const ready = (h: string) => states.some((s) => s.host === h && s.caughtUp && (s.stateStr === "SECONDARY" || s.stateStr === "PRIMARY"));
  for (const step of steps) {
    if (step.kind === "waitForSecondary") {
      waited.add(step.memberId);
      continue;
    }
    if (step.kind === "stepDownIfPrimary") {
      steppedDown = new Set([...steppedDown, ...step.hosts]);
      continue;
    }
    const next = step.config;
    const fail = (rule: string) => {
      throw new Error(`step "${step.reason}": ${rule}`);
    };
    if (next.version !== current.version + 1) fail(`version ${next.version} after ${current.version}`);
    if (next._id !== live._id) fail("set name changed");
    if (next.settings !== live.settings) fail("settings not carried over");
    if (next.protocolVersion !== live.protocolVersion) fail("protocolVersion not carried over");
    if (next.writeConcernMajorityJournalDefault !== live.writeConcernMajorityJournalDefault) fail("writeConcernMajorityJournalDefault not carried over");
    if ("term" in next) fail("term sent");
    const voteOf = (c: LiveReplicaSetConfig, id: number) => {
      const m = c.members.find((x) => x._id === id);
      return m ? rsVotes(m) : 0;
    };
    const ids = new Set([...current.members, ...next.members].map((m) => m._id));
    const voterChanges = [...ids].filter((id) => (voteOf(current, id) > 0) !== (voteOf(next, id) > 0)).length;
    if (voterChanges > 1) fail(`${voterChanges} voting members changed in one reconfig`);
    if (next.members.filter((m) => rsVotes(m) > 0).length > 7) fail("more than 7 voters");
    if (!next.members.some(rsIsElectable)) fail("no electable member");
    for (const m of next.members) {
      if (rsVotes(m) === 0 && rsPriority(m) !== 0) fail(`member ${m._id} has votes 0 and priority ${m.priority}`);
      if ("newlyAdded" in m) fail("newlyAdded sent");
      const before = current.members.find((x) => x._id === m._id);
      if (!before) {
        if (rsVotes(m) > 0 && rsPriority(m) !== 0) fail(`member ${m._id} added as a voter with priority ${m.priority}`);
        continue;
      }
      if (rsVotes(before) === 0 && rsVotes(m) === 1 && rsPriority(m) !== 0) fail(`member ${m._id} gained a vote with priority ${m.priority}`);
      if (rsPriority(before) > 0 && rsPriority(m) === 0 && !m.arbiterOnly && !steppedDown.has(m.host))
        fail(`member ${m._id} gets priority 0 without a step-down first (MongoDB refuses to make the primary unelectable)`);
      const originallyLive = live.members.find((x) => x._id === m._id);
      if (rsPriority(before) === 0 && rsPriority(m) > 0 && !waited.has(m._id) && !(originallyLive && ready(m.host)))
        fail(`member ${m._id} got priority ${m.priority} without waiting until it is SECONDARY`);
      if (originallyLive) {
        for (const key of ["tags", "hidden", "buildIndexes", "secondaryDelaySecs", "arbiterOnly", "host"])
          if (m[key] !== originallyLive[key]) fail(`member ${m._id} field ${key} not carried over`);
      }
    }
    current = next;
    steppedDown = new Set();
  }
  return current;
}

/** The managed fields of a config, for comparing with a designed one. */
export function managed(config: { members: { _id: number; host: string; priority?: number; votes?: number; arbiterOnly?: boolean }[] }) {
  return config.members
    .map((m) => ({ _id: m._id, host: m.host, priority: rsPriority(m), votes: rsVotes(m), arbiterOnly: Boolean(m.arbiterOnly) }))
    .sort((a, b) => a._id - b._id);
}
