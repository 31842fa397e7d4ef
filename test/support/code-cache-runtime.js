// Jest `runtime` of every project: jest-runtime with V8 code caching of module compilation.
//
// Every suite has its own module registry, so jest-runtime compiles every module a suite loads
// again (ModuleExecutor.compile: vm.compileFunction in the suite's context), Jest's own expect and
// circus included, and cdktf with the kubernetes provider (its cron-job-v1 structs alone are 5 MB
// of JavaScript) in every suite that builds a stack. That compilation was 10 s of a unit run's
// CPU. A worker runs many suites: it keeps the code cache V8 produced the first time a file's
// code was compiled and hands it to the next compilation of the same code (vm.compileFunction
// `cachedData`, https://nodejs.org/docs/latest-v20.x/api/vm.html#vmcompilefunctioncode-params-options).
// The cache holds compiled bytecode only, never a module's state: each suite still runs every
// module afresh in its own context. V8 checks that the data belongs to the same source and V8
// version and flags (`cachedDataRejected`); a rejected entry is dropped and compiled anew.
//
// Plain JavaScript: jest-runner loads a runtime with require(), untransformed.
"use strict";

const { compileFunction, SyntheticModule } = require("node:vm");
const Runtime = require("jest-runtime").default;

/** filename -> the source compiled and V8's cache for it (per worker process). */
const codeCache = new Map();

/**
 * ModuleExecutor.compile (jest-runtime 30.x) with `cachedData`: the same options otherwise. On an
 * error it defers to Jest's own compile, which throws the error Jest reports for that source.
 */
function cachingCompile(executor, jestCompile) {
  return function compile(scriptSource, filename) {
    const vmContext = executor.environment.getVmContext();
    if (vmContext == null) return null;
    const scriptFilename = executor.resolution.isCoreModule(filename) ? `jest-nodejs-core-${filename}` : filename;
    const known = codeCache.get(scriptFilename);
    const cachedData = known && known.source === scriptSource ? known.data : undefined;
    let fn;
    try {
      fn = compileFunction(scriptSource, executor.injectedModuleParameters, {
        filename: scriptFilename,
        importModuleDynamically: async (specifier, _function, importAttributes, ...rest) => {
          // Jest's own check (jest-runtime's runtimeSupportsVmModules), with its message.
          if (typeof SyntheticModule !== "function") throw new Error("You need to run with a version of node that supports ES Modules in the VM API. See https://jestjs.io/docs/ecmascript-modules");
          return executor.dynamicImport(specifier, scriptFilename, vmContext, importAttributes, rest[0]);
        },
        parsingContext: vmContext,
        cachedData,
        produceCachedData: cachedData === undefined,
      });
    } catch {
      return jestCompile(scriptSource, filename);
    }
    if (cachedData === undefined) {
      if (fn.cachedDataProduced) codeCache.set(scriptFilename, { source: scriptSource, data: fn.cachedData });
    } else if (fn.cachedDataRejected) {
      codeCache.delete(scriptFilename);
    }
    return fn;
  };
}

class CodeCacheRuntime extends Runtime {
  constructor(...args) {
    super(...args);
    if (typeof this.executor?.compile !== "function") throw new Error("code-cache-runtime: jest-runtime has no executor.compile (written for jest-runtime 30.x)");
    this.executor.compile = cachingCompile(this.executor, this.executor.compile.bind(this.executor));
  }
}

module.exports = CodeCacheRuntime;
module.exports.default = CodeCacheRuntime;
// For test/support/code-cache-runtime.test.ts.
module.exports.cachingCompile = cachingCompile;
module.exports.codeCache = codeCache;
