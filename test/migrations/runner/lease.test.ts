import {
  LOCK_ID,
  acquireFilter,
  acquireUpdate,
  describeHolder,
  fenceRefusal,
  fenceUpdate,
  heldByFilter,
  isLeaseExpired,
  leaseState,
  releaseFilter,
  renewIntervalMs,
  renewUpdate,
  type LockDocument,
} from "../../../migrations/runner/lease";

const t = (s: number) => new Date(Date.UTC(2025, 0, 1, 12, 0, s));
const A = { owner: "ci-runner-1:4711:aaaa1111", token: 7 };

function lock(over: Partial<LockDocument> = {}): LockDocument {
  return { _id: LOCK_ID, owner: A.owner, token: A.token, command: "up", acquiredAt: t(0), renewedAt: t(0), expiresAt: t(60), ...over };
}

describe("lease decisions (server time given)", () => {
  it("a lease is expired exactly when the server's time reaches its end", () => {
    expect(isLeaseExpired(lock(), t(59))).toBe(false);
    expect(isLeaseExpired(lock(), t(60))).toBe(true);
    expect(isLeaseExpired(lock(), t(61))).toBe(true);
    expect(isLeaseExpired({ expiresAt: undefined }, t(0))).toBe(true);
  });

  it("tells free, expired, held by another run, and ours", () => {
    expect(leaseState(null, t(0))).toBe("free");
    expect(leaseState(lock({ owner: null }), t(0))).toBe("free");
    expect(leaseState(lock(), t(10))).toBe("held");
    expect(leaseState(lock(), t(10), A)).toBe("ours");
    // Same owner string, older token: a takeover happened in between; the lease is not ours.
    expect(leaseState(lock({ token: 8 }), t(10), A)).toBe("held");
    expect(leaseState(lock(), t(60), A)).toBe("expired");
  });

  it("renews well inside the lease", () => {
    expect(renewIntervalMs(60_000)).toBe(20_000);
    expect(renewIntervalMs(1_000)).toBe(333);
    expect(renewIntervalMs(300)).toBe(200);
  });
});

describe("lock documents and filters", () => {
  it("acquires only a free or expired lock, judged by the server's $$NOW", () => {
    expect(acquireFilter()).toEqual({ _id: LOCK_ID, $or: [{ owner: null }, { $expr: { $lte: ["$expiresAt", "$$NOW"] } }] });
  });

  it("stamps the lease with server time and bumps the fencing token on every acquisition", () => {
    const [stage] = acquireUpdate("$host:1:x", "up", 60_000);
    expect(stage.$set).toEqual({
      owner: { $literal: "$host:1:x" },
      command: { $literal: "up" },
      token: { $add: [{ $ifNull: ["$token", 0] }, 1] },
      acquiredAt: "$$NOW",
      renewedAt: "$$NOW",
      expiresAt: { $add: ["$$NOW", 60_000] },
    });
  });

  it("fences on owner, token and an unexpired lease, all in one filter", () => {
    expect(heldByFilter(A)).toEqual({ _id: LOCK_ID, owner: A.owner, token: 7, $expr: { $gt: ["$expiresAt", "$$NOW"] } });
    expect(fenceUpdate()).toEqual([{ $set: { fencedAt: "$$NOW" } }]);
    expect(renewUpdate(30_000)).toEqual([{ $set: { renewedAt: "$$NOW", expiresAt: { $add: ["$$NOW", 30_000] } } }]);
  });

  it("releases only its own acquisition, even when expired", () => {
    expect(releaseFilter(A)).toEqual({ _id: LOCK_ID, owner: A.owner, token: 7 });
  });
});

describe("fencing: why a write was refused", () => {
  it("after a takeover, the old holder is told who took over", () => {
    const now = lock({ owner: "ci-runner-2:99:bbbb2222", token: 8, acquiredAt: t(70), expiresAt: t(130) });
    expect(fenceRefusal(now, A, t(75))).toBe("ci-runner-2:99:bbbb2222 took the lock over (token 8, this run had 7)");
  });

  it("an expired but not yet taken-over lease is still refused", () => {
    expect(fenceRefusal(lock(), A, t(61))).toMatch(/^the lease expired at 2025-01-01T12:01:00.000Z \(server time now 2025-01-01T12:01:01.000Z\)/);
  });

  it("a released lock or a missing document refuses too", () => {
    expect(fenceRefusal(lock({ owner: null, token: 7 }), A, t(10))).toBe("the lock was released (token 7)");
    expect(fenceRefusal(null, A, t(10))).toBe("the lock document is gone");
  });

  it("the fence refuses exactly when the lease is not ours (same rule as leaseState)", () => {
    const cases: [LockDocument | null, Date][] = [
      [lock(), t(10)],
      [lock(), t(60)],
      [lock({ token: 8 }), t(10)],
      [lock({ owner: null }), t(10)],
      [null, t(10)],
    ];
    for (const [doc, now] of cases) {
      const refused = !fenceRefusal(doc, A, now).startsWith("the lease was still held");
      expect(refused).toBe(leaseState(doc, now, A) !== "ours");
    }
  });
});

describe("the message a blocked run prints", () => {
  it("names the holder, its command and when the lease ends", () => {
    expect(describeHolder(lock(), t(18))).toBe(
      "the migration lock is held by ci-runner-1:4711:aaaa1111 running `up` since 2025-01-01T12:00:00.000Z (token 7); its lease ends in 42 s unless renewed",
    );
  });

  it("says when the lock is free again or expired", () => {
    expect(describeHolder(null, t(0))).toMatch(/just released; run again/);
    expect(describeHolder(lock(), t(61))).toMatch(/has expired; run again to take it over/);
  });
});
