// Reads replSetGetStatus into what the planner and the wait steps need per member: its state
// and whether it has caught up with the primary (within a replication lag allowance).
//
// EMBEDDED into the reconcile script with Function.prototype.toString(): self-contained, see
// reconfig-plan.ts for the rules.
/* istanbul ignore file -- coverage instrumentation would rewrite the embedded function bodies */

import type { MemberState } from "./reconfig-plan";

/** The part of a replSetGetStatus member this project reads. */
export interface StatusMember {
  name: string;
  stateStr: string;
  /** Time of the last applied operation; absent on arbiters. */
  optimeDate?: Date;
  health?: number;
}

export interface MemberStateWithLag extends MemberState {
  /** Seconds behind the primary's last applied operation; undefined without a primary or an optime. */
  lagSeconds?: number;
}

export function memberStatesFromStatus(status: { members?: StatusMember[] }, maxLagSeconds: number): MemberStateWithLag[] {
  const members = status.members ?? [];
  const primary = members.find((m) => m.stateStr === "PRIMARY");
  const primaryTime = primary && primary.optimeDate ? new Date(primary.optimeDate).getTime() : undefined;
  return members.map((m) => {
    // A member without an applied operation yet (initial sync, unreachable) reports the epoch.
    const time = m.optimeDate && new Date(m.optimeDate).getTime() > 0 ? new Date(m.optimeDate).getTime() : undefined;
    const lagSeconds = primaryTime !== undefined && time !== undefined ? Math.max(0, (primaryTime - time) / 1000) : undefined;
    const dataBearingUp = m.stateStr === "PRIMARY" || m.stateStr === "SECONDARY";
    const caughtUp = m.stateStr === "PRIMARY" || (dataBearingUp && lagSeconds !== undefined && lagSeconds <= maxLagSeconds);
    return lagSeconds === undefined ? { host: m.name, stateStr: m.stateStr, caughtUp } : { host: m.name, stateStr: m.stateStr, caughtUp, lagSeconds };
  });
}

export const MEMBER_STATE_FUNCTIONS: readonly ((...args: never[]) => unknown)[] = [memberStatesFromStatus];
