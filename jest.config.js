// Unit tests run by default (`npm test`); integration tests need a real mongod and skip themselves
// with one line when none is available. swc transpiles only: `npm run typecheck` type-checks.
const transform = { "^.+\\.ts$": ["@swc/jest", { jsc: { target: "es2022" } }] };
// Jest's 5 s default fails the first test of a suite that loads mongosh's async rewriter (Babel)
// or synthesizes several stacks when the 2-core machine is busy: the limit only catches hangs.
// Jest reads it from the top-level (global) config, not from a project's.
const testTimeout = 30000;

module.exports = {
  // Jest's default is one worker per core less one: a single worker on a 2-core machine.
  maxWorkers: 2,
  testTimeout,
  projects: [
    {
      displayName: "unit",
      testEnvironment: "node",
      transform,
      setupFilesAfterEnv: ["<rootDir>/test/setup.ts"],
      // One synthesis per config and run, shared by every suite (test/support/synth-cache.ts).
      globalSetup: "<rootDir>/test/support/synth-cache-setup.ts",
      globalTeardown: "<rootDir>/test/support/synth-cache-teardown.ts",
      testMatch: ["<rootDir>/test/**/*.test.ts"],
      testPathIgnorePatterns: ["/node_modules/", "<rootDir>/test/integration/", "<rootDir>/test/pod-scripts.test.ts", "<rootDir>/test/mongosh/"],
    },
    {
      // The pod scripts as they run: shell scripts under bats with stand-in binaries on PATH, and
      // every mongosh script in the real MongoDB Shell (no server: up to the first connection).
      displayName: "pod-scripts",
      testEnvironment: "node",
      transform,
      testMatch: ["<rootDir>/test/pod-scripts.test.ts", "<rootDir>/test/mongosh/**/*.test.ts"],
    },
    {
      displayName: "integration",
      testEnvironment: "node",
      transform,
      setupFilesAfterEnv: ["<rootDir>/test/setup.ts"],
      testMatch: ["<rootDir>/test/integration/**/*.test.ts"],
    },
  ],
};
