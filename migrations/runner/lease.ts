// The migration lock as data: the lock document, the filters and update pipelines that acquire,
// renew, fence and release it, and the decisions about a lease. Every time comparison happens on
// the server (`$$NOW` inside the filter or the update), so the runner's own clock never decides
// whether a lease is expired; the pure functions below take the server's time as an argument.
import type { Document } from "mongodb";

export const LOCK_COLLECTION = "nyrkio_migration_lock";
/** One lock per database: every run contends for this one document. */
export const LOCK_ID = "migrate";

export const DEFAULT_LEASE_MS = 60_000;
export const MIN_LEASE_MS = 1_000;

export interface LockDocument {
  _id: string;
  /** Who holds the lease (host:pid:random), or null once released. */
  owner: string | null;
  /** Fencing token: grows by one on every acquisition, so a takeover always changes it. */
  token: number;
  /** What the holder runs (`up`, `down`), for the message another run prints. */
  command?: string;
  acquiredAt?: Date;
  renewedAt?: Date;
  /** Server time after which the lease is free to be taken over. */
  expiresAt?: Date;
  /** Server time of the holder's last fenced changelog write. */
  fencedAt?: Date;
  releasedAt?: Date;
}

/** What a run knows about the lease it holds. */
export interface LeaseHolder {
  owner: string;
  token: number;
}

export type LeaseState = "free" | "expired" | "held" | "ours";

/** A lease is expired when the server's time has reached its end; the filters below agree. */
export function isLeaseExpired(lock: Pick<LockDocument, "expiresAt">, serverNow: Date): boolean {
  return lock.expiresAt === undefined || lock.expiresAt.getTime() <= serverNow.getTime();
}

export function leaseState(lock: LockDocument | null, serverNow: Date, self?: LeaseHolder): LeaseState {
  if (lock === null || lock.owner === null || lock.owner === undefined) return "free";
  if (isLeaseExpired(lock, serverNow)) return "expired";
  if (self && lock.owner === self.owner && lock.token === self.token) return "ours";
  return "held";
}

/** Matches the lock document only when nobody holds an unexpired lease. */
export function acquireFilter(): Document {
  return {
    _id: LOCK_ID,
    $or: [{ owner: null }, { $expr: { $lte: ["$expiresAt", "$$NOW"] } }],
  };
}

/**
 * Takes the lease. Used with `upsert: true`: when the document does not exist it is inserted;
 * when it exists but is held, the filter does not match, the upsert tries to insert a second
 * document with the same _id and fails with a duplicate-key error: that error means "held".
 */
export function acquireUpdate(owner: string, command: string, leaseMs: number): Document[] {
  return [
    {
      $set: {
        // $literal: an owner or command starting with "$" must not be read as a field path.
        owner: { $literal: owner },
        command: { $literal: command },
        token: { $add: [{ $ifNull: ["$token", 0] }, 1] },
        acquiredAt: "$$NOW",
        renewedAt: "$$NOW",
        expiresAt: { $add: ["$$NOW", leaseMs] },
      },
    },
  ];
}

/** Matches only while `holder` still holds an unexpired lease (the fencing condition). */
export function heldByFilter(holder: LeaseHolder): Document {
  return {
    _id: LOCK_ID,
    owner: holder.owner,
    token: holder.token,
    $expr: { $gt: ["$expiresAt", "$$NOW"] },
  };
}

export function renewUpdate(leaseMs: number): Document[] {
  return [{ $set: { renewedAt: "$$NOW", expiresAt: { $add: ["$$NOW", leaseMs] } } }];
}

/** Written inside every changelog transaction: the write makes a concurrent takeover conflict. */
export function fenceUpdate(): Document[] {
  return [{ $set: { fencedAt: "$$NOW" } }];
}

/** Release matches the holder even when expired, but never a lease another run took over. */
export function releaseFilter(holder: LeaseHolder): Document {
  return { _id: LOCK_ID, owner: holder.owner, token: holder.token };
}

export function releaseUpdate(): Document[] {
  return [{ $set: { owner: null, command: null, expiresAt: "$$NOW", releasedAt: "$$NOW" } }];
}

/** Renew well before the end, so one slow or failed renewal does not lose the lease. */
export function renewIntervalMs(leaseMs: number): number {
  return Math.max(200, Math.floor(leaseMs / 3));
}

/** One sentence for the run that finds the lock held (exit code 3). */
export function describeHolder(lock: LockDocument | null, serverNow: Date): string {
  const state = leaseState(lock, serverNow);
  if (lock === null || state === "free") return "the migration lock was just released; run again";
  const remaining = Math.max(0, Math.ceil(((lock.expiresAt?.getTime() ?? 0) - serverNow.getTime()) / 1000));
  const what = lock.command ? ` running \`${lock.command}\`` : "";
  const since = lock.acquiredAt ? ` since ${lock.acquiredAt.toISOString()}` : "";
  if (state === "expired") {
    return `the migration lock of ${lock.owner}${what} has expired; run again to take it over`;
  }
  return `the migration lock is held by ${lock.owner}${what}${since} (token ${lock.token}); its lease ends in ${remaining} s unless renewed`;
}

export function holderDetails(lock: LockDocument | null, serverNow: Date): Record<string, unknown> {
  return {
    owner: lock?.owner ?? null,
    token: lock?.token ?? null,
    command: lock?.command ?? null,
    acquiredAt: lock?.acquiredAt?.toISOString() ?? null,
    expiresAt: lock?.expiresAt?.toISOString() ?? null,
    serverTime: serverNow.toISOString(),
  };
}

/**
 * Why a fenced write by `holder` was refused, from the lock document as it is now. The server's
 * filter (heldByFilter) decides; this only explains, with the same rule as leaseState.
 */
export function fenceRefusal(lock: LockDocument | null, holder: LeaseHolder, serverNow: Date): string {
  if (lock === null) return "the lock document is gone";
  if (lock.owner !== holder.owner || lock.token !== holder.token) {
    if (lock.owner === null) return `the lock was released (token ${lock.token})`;
    return `${lock.owner} took the lock over (token ${lock.token}, this run had ${holder.token})`;
  }
  if (isLeaseExpired(lock, serverNow)) {
    return `the lease expired at ${lock.expiresAt?.toISOString() ?? "?"} (server time now ${serverNow.toISOString()}) without being renewed`;
  }
  return "the lease was still held when checked again: the write raced a renewal; run again";
}

/**
 * Whether the lease may be relied on to start an operation now. The runner's only evidence is
 * the server's last confirmation (an acquisition, renewal or fenced write that matched): when its
 * request was SENT, the server's lease still had at least `leaseMs` to run, so by the runner's
 * own monotonic clock the lease lasts at least until sentAt + leaseMs. An operation may start only
 * when that confirmation is recent (at most `freshMs` old) and at least `minRemainingMs` of the
 * lease is left. A check is still a race (a takeover can happen just after it), which is why each
 * step is idempotent and the changelog write is fenced on the server.
 */
export interface LeaseEvidence {
  /** Monotonic ms when the last confirmed request was sent; undefined: never confirmed. */
  confirmedSentAtMs?: number;
  nowMs: number;
  leaseMs: number;
}

export function leaseFreshMs(leaseMs: number): number {
  return Math.min(5_000, Math.floor(leaseMs / 4));
}

export function leaseMinRemainingMs(leaseMs: number): number {
  return Math.floor(leaseMs / 2);
}

export type LeaseCheck = { ok: true } | { ok: false; stale: boolean; reason: string };

export function checkLeaseEvidence(e: LeaseEvidence): LeaseCheck {
  if (e.confirmedSentAtMs === undefined) return { ok: false, stale: true, reason: "the server never confirmed the lease" };
  const age = e.nowMs - e.confirmedSentAtMs;
  const remaining = e.leaseMs - age;
  if (age > leaseFreshMs(e.leaseMs)) return { ok: false, stale: true, reason: `the server last confirmed the lease ${(age / 1000).toFixed(1)} s ago` };
  if (remaining < leaseMinRemainingMs(e.leaseMs)) {
    return { ok: false, stale: false, reason: `only ${(Math.max(0, remaining) / 1000).toFixed(1)} s of the lease are left (an operation starts with at least ${leaseMinRemainingMs(e.leaseMs) / 1000} s)` };
  }
  return { ok: true };
}
