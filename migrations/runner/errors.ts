// The runner's failures, each carrying the exit code the CLIs document: 1 failure, 2 usage error,
// 3 lock held by another run. A failure is an Error subclass so a stack trace is available in
// debugging, but the CLIs print only the message: it names the file, index or holder concerned.

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
export const EXIT_LOCK_HELD = 3;

export class RunnerError extends Error {
  constructor(
    message: string,
    /** Stable machine-readable code for `--json` output. */
    readonly code: string,
    readonly exitCode: number = EXIT_FAILURE,
    /** Structured details for `--json` output (definitions, holder, file). */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class UsageError extends RunnerError {
  constructor(message: string) {
    super(message, "usage", EXIT_USAGE);
  }
}

export class LockHeldError extends RunnerError {
  constructor(message: string, details: Record<string, unknown>) {
    super(message, "lock-held", EXIT_LOCK_HELD, details);
  }
}

/** This run no longer holds the lease: another run took the lock over. Nothing more may be recorded. */
export class LeaseLostError extends RunnerError {
  constructor(message: string, details?: Record<string, unknown>) {
    super(message, "lease-lost", EXIT_FAILURE, details);
  }
}

export function exitCodeOf(error: unknown): number {
  return error instanceof RunnerError ? error.exitCode : EXIT_FAILURE;
}
