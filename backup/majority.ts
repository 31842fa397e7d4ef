/* istanbul ignore file -- majorityVerdict and confirmationProblem are embedded as text by toString(): coverage counters would break the embedded copies */
// Issue 10 item 5: a full dump bases a chain only once the set's majority commit point has passed
// its lastTs, with the same term at that entry. A dump ends at the newest oplog entry of its source
// (mongodump --oplog); on the primary fallback of a degraded two-data-member set that entry can be
// one the set later rolls back, and slices, which join dumps by timestamp, would then continue a
// history that never happened.
//
// What the server gives us:
//  - An oplog entry carries its optime as `ts` (Timestamp) and `t` (the term, a long)
//    (src/mongo/db/repl/oplog_entry.idl, OpTimeBase: "ts" and "t").
//  - `hello.lastWrite.majorityOpTime` is the member's committed snapshot, an optime {ts, t} in its
//    own oplog (src/mongo/db/repl/replication_coordinator_impl.cpp _makeIsMasterResponse:
//    setLastMajorityWrite(_currentCommittedSnapshot->opTime)); replSetGetStatus reports the commit
//    point as `optimes.lastCommittedOpTime: {ts, t}` (docs: replSetGetStatus, optimes). The jobs use
//    hello (the backup user lacks clusterMonitor); a secondary's committed snapshot never passes its
//    own applied point, so an entry at or before it is in the member's oplog and majority-committed.
//  - Raft's log matching, as MongoDB's protocol keeps it: one primary per term, each appending to
//    its own log. If the commit point {ts_c, T} is in the dump's term T and ts_c >= lastTs, the
//    dump's entry and the committed entry were written by the same primary in order, so the dump's
//    entry is in the committed prefix. In another term the entry must be looked up: present with
//    the same term means committed; absent (while the oplog still covers lastTs) or with another
//    term means rolled back.
//
// majorityVerdict is SELF-CONTAINED (no imports, no module-level helpers): the backup pod's mongosh
// script gets it as text (backup/retention/embeddable-pruner.ts), so the pod and the tests run the
// same function.

import type { Timestamp } from "./timestamp";

export interface OpTime {
  ts: Timestamp;
  /** The term. */
  t: number;
}

export interface DumpEnd {
  lastTs: Timestamp;
  /** The term of the dump's last oplog entry (manifest lastTerm); undefined in manifests of earlier releases. */
  lastTerm?: number;
}

export interface MajorityObservation {
  /** The member's committed snapshot: hello.lastWrite.majorityOpTime {ts, t}. */
  majority: OpTime;
  /** The oldest entry still in that member's oplog. */
  oldest: Timestamp;
  /**
   * That member's oplog entry at the dump's lastTs ({ts, t}), null when it holds none there,
   * undefined when not looked up yet (the verdict then says "lookup" if it needs it).
   */
  entryAtLastTs?: OpTime | null;
}

export type MajorityState =
  /** The majority commit point passed lastTs and the entry there is the dump's: a chain base. */
  | "confirmed"
  /** The commit point has not reached lastTs yet: ask again later. */
  | "pending"
  /** The commit point is past lastTs in another term: look up the entry at lastTs, then ask again. */
  | "lookup"
  /** The set's committed history holds another entry, or none, at lastTs: the dump's end was rolled back. */
  | "rolled-back"
  /** Cannot be decided any more (no term recorded, or the oplog rolled over past lastTs and the terms differ). */
  | "unprovable";

export interface MajorityVerdict {
  state: MajorityState;
  reason: string;
}

export function majorityVerdict(dump: DumpEnd, obs: MajorityObservation): MajorityVerdict {
  function cmp(a: Timestamp, b: Timestamp): number {
    return a.t !== b.t ? a.t - b.t : a.i - b.i;
  }
  function text(ts: Timestamp): string {
    return ts.t + ":" + ts.i;
  }
  const at = text(dump.lastTs);
  if (dump.lastTerm === undefined || !Number.isInteger(dump.lastTerm) || dump.lastTerm < 0) {
    return { state: "unprovable", reason: "the manifest records no term for the entry at lastTs " + at };
  }
  const majority = obs.majority;
  if (cmp(majority.ts, dump.lastTs) < 0) {
    return { state: "pending", reason: "the majority commit point " + text(majority.ts) + " (term " + majority.t + ") has not reached lastTs " + at };
  }
  if (majority.t === dump.lastTerm) {
    return { state: "confirmed", reason: "the majority commit point " + text(majority.ts) + " is at or after lastTs " + at + " in the same term " + majority.t };
  }
  const entry = obs.entryAtLastTs;
  if (entry === undefined) return { state: "lookup", reason: "the commit point is in another term (" + majority.t + "): the entry at lastTs " + at + " must be read" };
  if (entry && cmp(entry.ts, dump.lastTs) === 0) {
    if (entry.t === dump.lastTerm) {
      return { state: "confirmed", reason: "the committed oplog holds the dump's entry at lastTs " + at + " in its term " + entry.t + " (commit point " + text(majority.ts) + ", term " + majority.t + ")" };
    }
    return { state: "rolled-back", reason: "the committed oplog holds another entry at lastTs " + at + " (term " + entry.t + ", the dump's is term " + dump.lastTerm + "): the dump's end was rolled back" };
  }
  if (cmp(obs.oldest, dump.lastTs) <= 0) {
    return { state: "rolled-back", reason: "the committed oplog, which still reaches back to " + text(obs.oldest) + ", holds no entry at lastTs " + at + ": the dump's end was rolled back" };
  }
  return { state: "unprovable", reason: "the oplog rolled over past lastTs " + at + " (oldest " + text(obs.oldest) + ") and the commit point is in another term: the dump can no longer be confirmed" };
}

/** Whether a manifest may base a chain: the same rule analyzeChain (restore/chain.ts) applies. */
export function isChainBase(m: { kind: string; majorityCommit?: string; confirmed?: boolean }): boolean {
  return m.kind === "full" && (m.majorityCommit !== "unconfirmed" || m.confirmed === true);
}

/** The confirmation record beside an unconfirmed dump's manifest: `<name>.confirmed.json`, written once. */
export interface MajorityConfirmation {
  kind: "majority-confirmation";
  schemaVersion: 1;
  /** The manifest it confirms, relative to the directory that holds both. */
  manifest: string;
  lastTs: Timestamp;
  lastTerm: number;
  /** The committed snapshot the job saw. */
  majority: OpTime;
  /** The member it asked. */
  member: string;
  confirmedAt: string;
}

export const CONFIRMATION_SUFFIX = ".confirmed.json";

/** The confirmation record's name for a manifest's name ("x.manifest.json" → "x.confirmed.json"). */
export function confirmationName(manifestName: string): string {
  return manifestName.replace(/\.manifest\.json$/, "").replace(/^manifest\.json$/, "manifest") + CONFIRMATION_SUFFIX;
}

/**
 * Whether a confirmation record confirms this manifest (same file, lastTs and term); why not
 * otherwise. SELF-CONTAINED like majorityVerdict: the pod's catalog.js runs this very function,
 * embedded as text into the pruner module (backup/retention/embeddable-pruner.ts).
 */
export function confirmationProblem(record: unknown, manifest: { lastTs: Timestamp; lastTerm?: number }, manifestName: string): string | undefined {
  const r = record as Partial<MajorityConfirmation> | null;
  if (!r || typeof r !== "object" || Array.isArray(r)) return "is not a JSON object";
  if (r.kind !== "majority-confirmation" || r.schemaVersion !== 1) return 'must have kind "majority-confirmation" and schemaVersion 1';
  if (r.manifest !== manifestName) return `names ${JSON.stringify(r.manifest)}, not ${JSON.stringify(manifestName)}`;
  const ts = r.lastTs;
  if (!ts || ts.t !== manifest.lastTs.t || ts.i !== manifest.lastTs.i) return "its lastTs differs from the manifest's";
  if (manifest.lastTerm === undefined || r.lastTerm !== manifest.lastTerm) return "its lastTerm differs from the manifest's";
  const m = r.majority;
  if (!m || !m.ts || !Number.isInteger(m.t) || m.ts.t < ts.t || (m.ts.t === ts.t && m.ts.i < ts.i)) return "its majority commit point is not at or after lastTs";
  return undefined;
}
