// Stopping a run: an overall --timeout or a signal (SIGINT from a terminal, SIGTERM from a
// cancelled CI job). Since MongoDB 4.4 an index build outlives the client that started it, so a
// run that stops must not simply walk away: it aborts the builds it started (dropIndexes of their
// names), confirms with $currentOp that they are gone, and only then releases the lock. When that
// cannot be confirmed it keeps the lock (the lease runs out by itself) and exits with its own code.
import { RunnerError } from "./errors";

export const EXIT_TIMEOUT = 4;
export const EXIT_ABORT_UNCONFIRMED = 5;
/** 128 + the signal number, as shells report a process a signal ended. */
export const EXIT_SIGINT = 130;
export const EXIT_SIGTERM = 143;

export const DEFAULT_TIMEOUT_MS = 30 * 60_000;

export type StopReason = "timeout" | "SIGINT" | "SIGTERM";

export function stopExitCode(reason: StopReason): number {
  return reason === "timeout" ? EXIT_TIMEOUT : reason === "SIGINT" ? EXIT_SIGINT : EXIT_SIGTERM;
}

export function describeStop(reason: StopReason, timeoutMs?: number): string {
  return reason === "timeout" ? `the run reached its --timeout of ${Math.round((timeoutMs ?? 0) / 1000)} s` : `the run received ${reason}`;
}

/** The run stopped as asked; its builds (if any) are confirmed aborted and the lock released. */
export class StoppedError extends RunnerError {
  constructor(
    readonly reason: StopReason,
    message: string,
    details?: Record<string, unknown>,
  ) {
    super(message, reason === "timeout" ? "timeout" : "interrupted", stopExitCode(reason), details);
  }
}

/** The run stopped, but its index builds could not be confirmed aborted: the lock is kept. */
export class AbortUnconfirmedError extends RunnerError {
  constructor(message: string, details?: Record<string, unknown>) {
    super(message, "abort-unconfirmed", EXIT_ABORT_UNCONFIRMED, details);
  }
}

/** One stop request per run, observed by whoever is waiting (the executor during a build). */
export class StopController {
  private reasonValue?: StopReason;
  private readonly listeners: ((reason: StopReason) => void)[] = [];
  private timer?: NodeJS.Timeout;
  readonly stopped: Promise<StopReason>;
  private resolveStopped!: (reason: StopReason) => void;

  constructor(readonly timeoutMs?: number) {
    this.stopped = new Promise((resolve) => (this.resolveStopped = resolve));
    if (timeoutMs !== undefined) {
      this.timer = setTimeout(() => this.request("timeout"), timeoutMs);
      this.timer.unref();
    }
  }

  get reason(): StopReason | undefined {
    return this.reasonValue;
  }

  /** The first request wins; later ones are ignored. */
  request(reason: StopReason): void {
    if (this.reasonValue) return;
    this.reasonValue = reason;
    this.resolveStopped(reason);
    for (const listener of this.listeners) listener(reason);
  }

  onStop(listener: (reason: StopReason) => void): void {
    if (this.reasonValue) listener(this.reasonValue);
    else this.listeners.push(listener);
  }

  /** Throws a StoppedError when a stop was requested (between operations: nothing is running). */
  throwIfStopped(context: string): void {
    if (this.reasonValue) throw new StoppedError(this.reasonValue, `${describeStop(this.reasonValue, this.timeoutMs)}; ${context}`);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
  }
}
