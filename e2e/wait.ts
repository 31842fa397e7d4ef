// Waiting with a deadline (pure apart from the injected clock): every wait of the run goes
// through waitFor, so a pod that never becomes Ready ends in a TimeoutError that says what was
// awaited, for how long, and what was last seen — never in a hang.

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** A probe either has the awaited value, or says what it saw instead (for the timeout message). */
export type Probe<T> = { done: true; value: T } | { done: false; seen: string };

export class TimeoutError extends Error {
  constructor(
    readonly what: string,
    readonly waitedMs: number,
    readonly lastSeen: string,
  ) {
    super(`timed out after ${formatDuration(waitedMs)} waiting for ${what}${lastSeen ? `; last seen: ${lastSeen}` : ""}`);
  }
}

export interface WaitOptions {
  timeoutMs: number;
  intervalMs: number;
  clock: Clock;
}

/**
 * Polls `probe` until it is done or the deadline passes. The probe runs at least once, and once
 * more at the deadline (a condition met in the last interval is not reported as a timeout). A
 * probe that throws ends the wait with its error: failures are not retried into timeouts.
 */
export async function waitFor<T>(what: string, probe: () => Promise<Probe<T>>, opts: WaitOptions): Promise<{ value: T; elapsedMs: number }> {
  const start = opts.clock.now();
  const deadline = start + opts.timeoutMs;
  let seen = "";
  for (;;) {
    const result = await probe();
    const now = opts.clock.now();
    if (result.done) return { value: result.value, elapsedMs: now - start };
    seen = result.seen;
    if (now >= deadline) throw new TimeoutError(what, now - start, seen);
    await opts.clock.sleep(Math.max(0, Math.min(opts.intervalMs, deadline - now)));
  }
}

/** 950 → "950ms", 61_500 → "1m01.5s", 3_723_000 → "62m03.0s". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  const rest = s - m * 60;
  return `${m}m${rest < 10 ? "0" : ""}${rest.toFixed(1)}s`;
}
