// Issue 11 defect 6: an operation starts only when the server confirmed the lease moments ago
// and enough of it is left. Before, `beforeOperation` only read a flag that a failed renewal set:
// a run whose renewals stalled kept sending DDL after another run took the lock over.
import type { Db } from "mongodb";
import { LeaseLostError } from "../../../migrations/runner/errors";
import { LOCK_ID, checkLeaseEvidence, leaseFreshMs, leaseMinRemainingMs, type LockDocument } from "../../../migrations/runner/lease";
import { MigrationLock } from "../../../migrations/runner/lock";

describe("lease evidence (runner's monotonic clock)", () => {
  const leaseMs = 60_000;
  it("accepts a confirmation at most a few seconds old with most of the lease left", () => {
    expect(leaseFreshMs(leaseMs)).toBe(5000);
    expect(leaseMinRemainingMs(leaseMs)).toBe(30_000);
    expect(checkLeaseEvidence({ confirmedSentAtMs: 1000, nowMs: 5000, leaseMs })).toEqual({ ok: true });
  });
  it("calls an older confirmation stale, and never-confirmed stale", () => {
    expect(checkLeaseEvidence({ confirmedSentAtMs: 1000, nowMs: 7000, leaseMs })).toMatchObject({ ok: false, stale: true });
    expect(checkLeaseEvidence({ confirmedSentAtMs: undefined, nowMs: 0, leaseMs })).toMatchObject({ ok: false, stale: true });
  });
  it("refuses when too little of the lease is left, even when fresh (short leases)", () => {
    // A 4 s lease: fresh means at most 1 s old, and 2 s must remain.
    expect(checkLeaseEvidence({ confirmedSentAtMs: 0, nowMs: 900, leaseMs: 4000 })).toEqual({ ok: true });
    expect(checkLeaseEvidence({ confirmedSentAtMs: 0, nowMs: 1100, leaseMs: 4000 })).toMatchObject({ ok: false, stale: true });
  });
});

/**
 * The lock collection as the server evaluates the runner's renewal: `heldByFilter` matches only
 * this owner and token with `expiresAt > $$NOW` (lease.ts); the update sets expiresAt to
 * $$NOW + lease. Server time is `serverNow`; `stalled` makes the write hang like an unreachable primary.
 */
function lockCollection(doc: LockDocument, serverNow: () => number, behaviour: { stalled?: boolean; wtimeout?: boolean } = {}) {
  const calls: string[] = [];
  const collection = {
    async updateOne(filter: { owner: string; token: number }, _update: unknown, options: { writeConcern?: unknown }) {
      calls.push(`updateOne ${JSON.stringify(options.writeConcern)}`);
      if (behaviour.wtimeout) throw Object.assign(new Error("waiting for replication timed out"), { code: 64, errInfo: { wtimeout: true } });
      const matches = doc.owner === filter.owner && doc.token === filter.token && (doc.expiresAt?.getTime() ?? 0) > serverNow();
      if (matches) doc.expiresAt = new Date(serverNow() + 60_000);
      return { matchedCount: matches ? 1 : 0, modifiedCount: matches ? 1 : 0 };
    },
    async findOne() {
      return doc;
    },
  };
  const db = { collection: () => collection, admin: () => ({ command: async () => ({ localTime: new Date(serverNow()) }) }) } as unknown as Db;
  return { db, calls };
}

describe("MigrationLock.ensureFresh before every operation", () => {
  const holder = { owner: "ci:1:a", token: 4 };
  let clock = 0;
  const now = () => clock;

  it("renews first when the last confirmation is stale, then lets the operation start", async () => {
    const doc: LockDocument = { _id: LOCK_ID, owner: holder.owner, token: holder.token, expiresAt: new Date(60_000) };
    const { db, calls } = lockCollection(doc, () => clock);
    const lock = new MigrationLock(db, holder, 60_000);
    clock = 0;
    lock.confirmed(0);
    clock = 3000;
    await lock.ensureFresh(now);
    expect(calls).toEqual([]); // fresh: no round trip
    clock = 20_000;
    await lock.ensureFresh(now);
    expect(calls).toEqual(['updateOne {"w":"majority","wtimeoutMS":60000}']);
  });

  it("refuses when another run took the lock over while this run's renewals stalled", async () => {
    // This run acquired at 0; its renewals stalled; at 70 s its lease had expired and run B took over.
    const doc: LockDocument = { _id: LOCK_ID, owner: "ci:2:b", token: 5, expiresAt: new Date(130_000) };
    const { db } = lockCollection(doc, () => clock);
    const lock = new MigrationLock(db, holder, 60_000);
    lock.confirmed(0);
    clock = 75_000;
    // The old check (assertHeld) saw no failed renewal and let the DDL go.
    expect(() => lock.assertHeld()).not.toThrow();
    await expect(lock.ensureFresh(now)).rejects.toThrow(LeaseLostError);
    await expect(lock.ensureFresh(now)).rejects.toThrow(/no longer holds the migration lock/);
  });

  it("refuses when the renewal's outcome is unknown (wtimeout): the lease is not confirmed", async () => {
    const doc: LockDocument = { _id: LOCK_ID, owner: holder.owner, token: holder.token, expiresAt: new Date(60_000) };
    const { db } = lockCollection(doc, () => clock, { wtimeout: true });
    const lock = new MigrationLock(db, holder, 60_000);
    lock.confirmed(0);
    clock = 10_000;
    await expect(lock.ensureFresh(now)).rejects.toThrow(/refusing to start another operation: the server last confirmed the lease 10.0 s ago/);
  });
});
