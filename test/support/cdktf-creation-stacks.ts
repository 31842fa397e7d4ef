// cdktf records an unbounded stack trace as the "creation stack" of every Lazy, intrinsic and
// ComplexResolvable it makes (cdktf/lib/tokens/private/stack-trace.js captureStackTrace, called
// from complex-computed-list.js, lazy.js and intrinsic.js: one per nested block of every provider
// resource). Under Jest each of those traces is formatted through Jest's source-map-aware
// Error.prepareStackTrace, which reads and decodes cdktf's inline source maps: about a third of
// the CPU of a suite that builds stacks. The traces appear only in the message of a token that
// fails to resolve (cdktf/lib/tokens/resolvable.js, errors.js), never in the Terraform JSON
// (test/support/cdktf-creation-stacks.test.ts compares the sharded environment's stacks both ways).
//
// The hook below answers "" for exactly those captures, so cdktf records an empty creation stack
// (its captureStackTrace returns [] for an empty stack): a capture onto a plain object (not an
// Error) whose first frame is in cdktf's own lib/. Every Error, and every other capture, is
// formatted by the hook that was there before: the suite realm's, else the one Jest installs on
// the worker's own Error, which Node consults for every realm without one of its own
// (lib/internal/errors.js maybeOverridePrepareStackTrace).

import { AssertionError } from "node:assert";

const CDKTF_LIB = /[\\/]node_modules[\\/]cdktf[\\/]lib[\\/]/;
/** The worker's Error (Node's core modules live in its realm, not in the suite's). */
const WorkerError = Object.getPrototypeOf(AssertionError.prototype).constructor as ErrorConstructor;

type Prepare = NonNullable<ErrorConstructor["prepareStackTrace"]>;

/** The hook, wrapping `previous` (the environment's own); installed by the setup file. */
export function skippingCdktfCreationStacks(previous: ErrorConstructor["prepareStackTrace"]): Prepare {
  const skip: Prepare = (target, frames) => {
    if (!isError(target) && frames.length > 0 && CDKTF_LIB.test(frames[0].getFileName() ?? "")) return "";
    const next = previous ?? (WorkerError !== Error ? WorkerError.prepareStackTrace : undefined);
    return next ? next(target, frames) : defaultFormat(target, frames);
  };
  return Object.assign(skip, { previous });
}

/** An Error of any realm (a suite's realm has its own Error). */
function isError(value: unknown): value is Error {
  return Object.prototype.toString.call(value) === "[object Error]";
}

/** V8's own format, for a realm without a hook: "Error: message" then one "    at frame" a line. */
function defaultFormat(target: Error, frames: NodeJS.CallSite[]): string {
  const head = isError(target) ? `${target.name}: ${target.message}` : String(target);
  return [head, ...frames.map((f) => `    at ${String(f)}`)].join("\n");
}

type Capture = (below?: unknown) => string[];

/**
 * cdktf's captureStackTrace itself (the exports of cdktf/lib/tokens/private/stack-trace.js, which
 * its callers read at each call), answering [] at once where the hook would make it return []:
 * V8 collecting every frame of a deep stack is most of a capture's cost even when the hook formats
 * nothing. Every caller in cdktf passes no `below` (terraform-dynamic-block.js,
 * terraform-dynamic-expression.js, lazy.js, intrinsic.js, complex-computed-list.js), so the first
 * frame is the caller's constructor in cdktf's lib/, the case the hook answers with "". Any other
 * call, and every call while the hook is removed (withCreationStacks), captures as before.
 */
export function skipCdktfCaptures(stackTrace: { captureStackTrace: Capture }): void {
  const capture = stackTrace.captureStackTrace;
  stackTrace.captureStackTrace = (below?: unknown) => (below === undefined && isInstalled() ? [] : capture(below));
}

/** Whether the current hook is ours. */
export function isInstalled(): boolean {
  return Error.prepareStackTrace !== undefined && "previous" in Error.prepareStackTrace;
}

/** The hook installed before ours. */
function previousHook(): ErrorConstructor["prepareStackTrace"] | undefined {
  return (Error.prepareStackTrace as { previous?: ErrorConstructor["prepareStackTrace"] } | undefined)?.previous;
}

/** Runs `f` with cdktf's creation stacks recorded as usual (the hook removed meanwhile). */
export function withCreationStacks<T>(f: () => T): T {
  const hookable = Error as { prepareStackTrace?: ErrorConstructor["prepareStackTrace"] };
  const ours = hookable.prepareStackTrace;
  hookable.prepareStackTrace = previousHook();
  try {
    return f();
  } finally {
    hookable.prepareStackTrace = ours;
  }
}
