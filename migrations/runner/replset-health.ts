// Whether a replica set can finish what `up`/`down` send, judged before anything is sent.
//
// Why: createIndexes goes with commitQuorum "votingMembers", and such a build commits only when
// every data-bearing voting member has built it; while one is down the build waits, and the server
// puts no time limit on that wait (docs: "Index Builds on Populated Collections", commit quorum;
// /work/shared/guide/MONGODB-FACTS.md). A fenced `{w: "majority"}` write likewise waits for a
// majority. So the run refuses (exit 1, with the reason) unless every data-bearing member is
// healthy, PRIMARY or SECONDARY, and caught up with the primary.
//
// Inputs, as the server reports them:
// - `replSetGetStatus` members: `name`, `health` (1 up, 0 down), `state` (1 PRIMARY, 2 SECONDARY,
//   7 ARBITER, 8 DOWN, ...), `stateStr`, `optimeDate` (replSetGetStatus reference page,
//   https://www.mongodb.com/docs/manual/reference/command/replSetGetStatus/);
// - `hello.arbiters`: the arbiters of the config, known even while one is unreachable (a down
//   member's replSetGetStatus state is 8 whatever it is).
// replSetGetStatus does not give a member's votes (that is replSetGetConfig, which the migrator's
// role does not hold): every member that is not an arbiter counts as a data-bearing voting member.
// A non-voting member that is down therefore also stops the run; that is stricter, never looser.
import type { Document } from "mongodb";

export const DEFAULT_MAX_LAG_SECONDS = 10;

export interface HealthVerdict {
  ok: boolean;
  /** One sentence per member that is not fit, naming it. */
  problems: string[];
}

const PRIMARY = 1;
const SECONDARY = 2;
const ARBITER = 7;

function toMillis(value: unknown): number | undefined {
  if (value instanceof Date) return value.getTime();
  if (typeof value === "string" || typeof value === "number") {
    const t = new Date(value).getTime();
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}

export function assessReplSetHealth(status: Document, hello: Document, maxLagSeconds = DEFAULT_MAX_LAG_SECONDS): HealthVerdict {
  const arbiters = new Set<string>(Array.isArray(hello.arbiters) ? hello.arbiters.map(String) : []);
  const members = (Array.isArray(status.members) ? status.members : []) as Document[];
  const problems: string[] = [];
  const primary = members.find((m) => m.state === PRIMARY);
  if (!primary) problems.push(`replica set ${String(status.set ?? "?")} has no primary`);
  const primaryOptime = primary ? toMillis(primary.optimeDate) : undefined;
  for (const m of members) {
    const name = String(m.name);
    if (m.state === ARBITER || arbiters.has(name)) continue;
    if (m.health !== 1 && m.health !== 1.0) {
      problems.push(`member ${name} is not reachable (${String(m.stateStr ?? "state " + m.state)})`);
      continue;
    }
    if (m.state !== PRIMARY && m.state !== SECONDARY) {
      problems.push(`member ${name} is ${String(m.stateStr ?? "in state " + m.state)}, not PRIMARY or SECONDARY`);
      continue;
    }
    const optime = toMillis(m.optimeDate);
    if (primaryOptime !== undefined && optime !== undefined && primaryOptime - optime > maxLagSeconds * 1000) {
      problems.push(`member ${name} is ${Math.round((primaryOptime - optime) / 1000)} s behind the primary (at most ${maxLagSeconds} s)`);
    }
  }
  return { ok: problems.length === 0, problems };
}

/** The refusal's message: why nothing was sent. */
export function describeUnhealthy(verdict: HealthVerdict): string {
  return `the replica set is not healthy enough to migrate, nothing was sent: ${verdict.problems.join("; ")}. An index build (commitQuorum "votingMembers") and a majority write would wait for the missing members without a time limit`;
}
