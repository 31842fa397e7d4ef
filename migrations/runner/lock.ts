// The migration lock against a live database: acquire (one atomic upsert), renew on a timer while
// the run lasts, release at the end. The decisions and documents live in lease.ts.
import { hostname } from "node:os";
import { randomUUID } from "node:crypto";
import { MongoServerError, type Db } from "mongodb";
import { performance } from "node:perf_hooks";
import { ensureCollection } from "./ensure-collection";
import { LeaseLostError, LockHeldError } from "./errors";
import { MAJORITY, isWriteConcernTimeout } from "./write-concern";
import type { StopController } from "./stop";
import {
  LOCK_COLLECTION,
  LOCK_ID,
  acquireFilter,
  acquireUpdate,
  checkLeaseEvidence,
  describeHolder,
  fenceRefusal,
  heldByFilter,
  holderDetails,
  releaseFilter,
  releaseUpdate,
  renewIntervalMs,
  renewUpdate,
  type LeaseHolder,
  type LockDocument,
} from "./lease";

export interface AcquireOptions {
  command: string;
  leaseMs: number;
  /** Keep trying this long while another run holds the lock; 0 gives up at once (exit code 3). */
  waitMs: number;
  owner?: string;
  onProgress?: (line: string) => void;
  /** --timeout or a signal while waiting for the lock: stop waiting (nothing was sent). */
  stop?: StopController;
}

const DUPLICATE_KEY = 11000;

export function newOwner(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

/** The server's clock, for messages only: lease decisions are made inside the server's filters. */
export async function serverTime(db: Db): Promise<Date> {
  const hello = await db.admin().command({ hello: 1 });
  return hello.localTime instanceof Date ? hello.localTime : new Date();
}

export async function readLock(db: Db): Promise<LockDocument | null> {
  return db.collection<LockDocument>(LOCK_COLLECTION).findOne({ _id: LOCK_ID });
}

async function tryAcquire(db: Db, owner: string, options: AcquireOptions): Promise<LockDocument | null> {
  try {
    return await db
      .collection<LockDocument>(LOCK_COLLECTION)
      .findOneAndUpdate(acquireFilter(), acquireUpdate(owner, options.command, options.leaseMs), {
        upsert: true,
        returnDocument: "after",
        writeConcern: MAJORITY,
      });
  } catch (error) {
    if (error instanceof MongoServerError && error.code === DUPLICATE_KEY) return null;
    // Outcome unknown: the upsert may have been applied. Re-read before deciding anything.
    if (isWriteConcernTimeout(error)) {
      const lock = await readLock(db);
      if (lock?.owner === owner) return lock;
      return null;
    }
    throw error;
  }
}

export async function acquireMigrationLock(db: Db, options: AcquireOptions): Promise<MigrationLock> {
  const owner = options.owner ?? newOwner();
  // Created explicitly, so that concurrent first runs race on the lock document only.
  await ensureCollection(db, LOCK_COLLECTION);
  const deadline = Date.now() + options.waitMs;
  let announced = false;
  for (;;) {
    const sentAt = performance.now();
    const acquired = await tryAcquire(db, owner, options);
    if (acquired) {
      const lock = new MigrationLock(db, { owner, token: acquired.token }, options.leaseMs);
      lock.confirmed(sentAt);
      return lock;
    }
    const [lock, now] = await Promise.all([readLock(db), serverTime(db)]);
    options.stop?.throwIfStopped(`stopped while waiting for the lock (${describeHolder(lock, now)}); nothing was sent`);
    if (Date.now() >= deadline) throw new LockHeldError(describeHolder(lock, now), holderDetails(lock, now));
    if (!announced) {
      options.onProgress?.(`waiting for the lock: ${describeHolder(lock, now)}`);
      announced = true;
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(1000, Math.max(0, deadline - Date.now()))));
    options.stop?.throwIfStopped("stopped while waiting for the lock; nothing was sent");
  }
}

/**
 * A held lease. Renewal and fenced writes never overlap (they would conflict on the lock
 * document); `exclusive` runs them one after another.
 */
export class MigrationLock {
  private timer?: NodeJS.Timeout;
  private queue: Promise<unknown> = Promise.resolve();
  private lostError?: LeaseLostError;
  private confirmedSentAt?: number;

  constructor(
    private readonly db: Db,
    readonly holder: LeaseHolder,
    readonly leaseMs: number,
  ) {}

  /** Renew on a timer until `release`; a failed renewal is retried at the next tick. */
  startRenewing(onProblem: (line: string) => void): void {
    this.timer = setInterval(() => {
      this.renew().catch((error: unknown) => {
        if (!(error instanceof LeaseLostError)) onProblem(`lock renewal failed (will retry): ${(error as Error).message}`);
      });
    }, renewIntervalMs(this.leaseMs));
    this.timer.unref();
  }

  get lost(): LeaseLostError | undefined {
    return this.lostError;
  }

  /** Throws when an earlier renewal or fenced write found the lease gone. */
  assertHeld(): void {
    if (this.lostError) throw this.lostError;
  }

  /** Records that the server confirmed the lease for a request sent at `sentAt` (performance.now()). */
  confirmed(sentAt: number): void {
    if (this.confirmedSentAt === undefined || sentAt > this.confirmedSentAt) this.confirmedSentAt = sentAt;
  }

  /**
   * Before every operation: the server must have confirmed the lease within the last few seconds,
   * with enough of it left for the operation to start (lease.ts, checkLeaseEvidence). A stale
   * confirmation is refreshed by a renewal first; a lease that cannot be confirmed stops the run.
   */
  async ensureFresh(now: () => number = () => performance.now()): Promise<void> {
    this.assertHeld();
    let check = checkLeaseEvidence({ confirmedSentAtMs: this.confirmedSentAt, nowMs: now(), leaseMs: this.leaseMs });
    if (!check.ok) {
      await this.renew(now);
      check = checkLeaseEvidence({ confirmedSentAtMs: this.confirmedSentAt, nowMs: now(), leaseMs: this.leaseMs });
    }
    if (!check.ok) throw this.leaseLost(`refusing to start another operation: ${check.reason}`);
  }

  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  markLost(error: LeaseLostError): void {
    this.lostError ??= error;
  }

  leaseLost(context: string): LeaseLostError {
    const error = new LeaseLostError(
      `this run no longer holds the migration lock (owner ${this.holder.owner}, token ${this.holder.token}): its lease expired or another run took it over; ${context}`,
      { owner: this.holder.owner, token: this.holder.token },
    );
    this.markLost(error);
    return error;
  }

  /** The lost-lease error with the reason read from the lock document as it is now. */
  async explainLoss(error: LeaseLostError): Promise<LeaseLostError> {
    try {
      const [lock, now] = await Promise.all([readLock(this.db), serverTime(this.db)]);
      const explained = new LeaseLostError(`${error.message} (${fenceRefusal(lock, this.holder, now)})`, { ...error.details, lock: holderDetails(lock, now) });
      this.lostError = explained;
      return explained;
    } catch {
      return error;
    }
  }

  renew(now: () => number = () => performance.now()): Promise<void> {
    return this.exclusive(async () => {
      this.assertHeld();
      const sentAt = now();
      let matched: number;
      try {
        matched = (await this.db.collection<LockDocument>(LOCK_COLLECTION).updateOne(heldByFilter(this.holder), renewUpdate(this.leaseMs), { writeConcern: MAJORITY })).matchedCount;
      } catch (error) {
        // Outcome unknown: not confirmed; the next tick or check tries again, and a lost lease shows then.
        if (isWriteConcernTimeout(error)) return;
        throw error;
      }
      if (matched !== 1) throw await this.explainLoss(this.leaseLost("renewal refused"));
      this.confirmed(sentAt);
    });
  }

  /** Stop renewing and free the lock, unless another run already took it over. */
  async release(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.exclusive(async () => {
      await this.db.collection<LockDocument>(LOCK_COLLECTION).updateOne(releaseFilter(this.holder), releaseUpdate(), { writeConcern: MAJORITY });
    });
  }

  /** Stop renewing without releasing: what a crashed run leaves behind (used by tests). */
  abandon(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
