// The Jest runtime that reuses V8's code cache (test/support/code-cache-runtime.js): every project
// uses it, a second compilation of the same code is served from the cache, changed code is
// compiled anew, and each compilation still gives a function of its own context.
import { createContext, runInContext } from "node:vm";
import { join } from "node:path";

type Compiled = ((...args: unknown[]) => unknown) & { cachedDataProduced?: boolean; cachedDataRejected?: boolean; cachedData?: Buffer };
const runtime = require("./code-cache-runtime.js") as {
  cachingCompile: (executor: unknown, jestCompile: (source: string, filename: string) => unknown) => (source: string, filename: string) => Compiled;
  codeCache: Map<string, { source: string; data: Buffer }>;
};

function executor() {
  const context = createContext({});
  return {
    context,
    environment: { getVmContext: () => context },
    resolution: { isCoreModule: () => false },
    injectedModuleParameters: ["module", "exports"],
    dynamicImport: () => Promise.reject(new Error("no dynamic import here")),
  };
}

describe("the code-cache runtime", () => {
  it("is the runtime of every Jest project", () => {
    const config = require(join(__dirname, "..", "..", "jest.config.js")) as { projects: { displayName: string; runtime?: string }[] };
    expect(config.projects.map((p) => [p.displayName, p.runtime])).toEqual(config.projects.map((p) => [p.displayName, "<rootDir>/test/support/code-cache-runtime.js"]));
  });

  it("compiles a file's code once per worker, then serves it from V8's cache, each time in the suite's own context", () => {
    const file = join(__dirname, `code-cache-probe-${process.pid}.js`);
    const source = "module.exports = { answer: 6 * 7, proto: Object.getPrototypeOf({}) };";
    const jestCompile = jest.fn();
    const first = executor();
    const f1 = runtime.cachingCompile(first, jestCompile)(source, file);
    expect(f1.cachedDataProduced).toBe(true);
    expect(runtime.codeCache.get(file)?.source).toBe(source);
    const second = executor();
    const f2 = runtime.cachingCompile(second, jestCompile)(source, file);
    expect(f2.cachedDataRejected).toBe(false);
    // Each function runs in its own context: the objects it makes belong to that realm.
    const m1 = { exports: {} as { answer?: number; proto?: object } };
    const m2 = { exports: {} as { answer?: number; proto?: object } };
    f1(m1, m1.exports);
    f2(m2, m2.exports);
    expect([m1.exports.answer, m2.exports.answer]).toEqual([42, 42]);
    expect(m1.exports.proto).toBe(runInContext("Object.prototype", first.context));
    expect(m2.exports.proto).toBe(runInContext("Object.prototype", second.context));
    // Changed code (a new transform of the file) is compiled anew, and its cache replaces the old.
    const changed = "module.exports = { answer: 43 };";
    const f3 = runtime.cachingCompile(executor(), jestCompile)(changed, file);
    expect(f3.cachedDataProduced).toBe(true);
    expect(runtime.codeCache.get(file)?.source).toBe(changed);
    expect(jestCompile).not.toHaveBeenCalled();
  });

  it("leaves code that does not compile to Jest's own compile, which reports it", () => {
    const jestCompile = jest.fn(() => {
      throw new SyntaxError("reported by Jest");
    });
    expect(() => runtime.cachingCompile(executor(), jestCompile)("module.exports = ;", join(__dirname, "broken.js"))).toThrow("reported by Jest");
    expect(jestCompile).toHaveBeenCalledTimes(1);
  });
});
