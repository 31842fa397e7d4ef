// mongosh's own async rewriter (@mongosh/async-rewriter2, a devDependency) and the marked promises
// its API returns: what the tests that run pod scripts "as mongosh would" share. In mongosh a
// database call returns such a promise, and the rewriter awaits it implicitly where the script
// uses the value; a stand-in must do the same for a test to see a missed await.

export type AsyncRewriter = new () => { process(code: string): string; runtimeSupportCode(): string };

/** The rewriter class, or undefined when the package is missing (the caller skips with one line). */
export function loadAsyncRewriter(): AsyncRewriter | undefined {
  try {
    return require("@mongosh/async-rewriter2").default;
  } catch {
    return undefined;
  }
}

/** How mongosh marks the promises its API returns, so the rewriter awaits them. */
export const MONGOSH_SYNTHETIC_PROMISE = Symbol.for("@@mongosh.syntheticPromise");

/** A promise mongosh's rewriter awaits implicitly, settling on a later tick like a server reply. */
export function syntheticPromise<T>(value: T): Promise<T> {
  return Object.defineProperty(new Promise<T>((resolve) => setImmediate(() => resolve(value))), MONGOSH_SYNTHETIC_PROMISE, { value: true });
}
