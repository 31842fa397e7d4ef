// Unit tests run by default (`npm test`); integration tests need a real mongod and skip themselves
// with one line when none is available. swc transpiles only: `npm run typecheck` type-checks.
const transform = { "^.+\\.ts$": ["@swc/jest", { jsc: { target: "es2022" } }] };
// jest-runtime with V8's code cache: a worker compiles each module once, not once per suite.
const runtime = "<rootDir>/test/support/code-cache-runtime.js";
// Jest's 5 s default fails the first test of a suite that loads mongosh's async rewriter (Babel)
// or synthesizes several stacks when the 2-core machine is busy: the limit only catches hangs.
// Jest reads it from the top-level (global) config, not from a project's.
const testTimeout = 30000;
// One directory per run for every project: its temp files, and one synthesis per config shared by
// every suite (test/support/run-scope-setup.ts, synth-cache.ts).
const runScope = { globalSetup: "<rootDir>/test/support/run-scope-setup.ts", globalTeardown: "<rootDir>/test/support/run-scope-teardown.ts" };
// Suites that run the real tools or the built app as processes (terraform, promtool, shellcheck,
// bash, mongosh, the e2e stand-in binaries, node dist/main.js and the restore runner; the kubectl
// stand-in, the mongosh --nodb stand-in, action-validator): each start costs
// far more than an in-process test, so they are a project of their own ("tools") and the unit
// project keeps to its 30 s target. `npm test` runs both (docs/testing.md).
const toolSuites = [
  "test/app/main.test.ts",
  "test/backup/mongosh/manifest-and-prune.test.ts",
  "test/backup/mongosh/run-mongosh-script.test.ts",
  "test/backup/process-runner.test.ts",
  "test/docs/runbooks.test.ts",
  "test/e2e/manifests.test.ts",
  "test/e2e/stand-ins.test.ts",
  "test/e2e/workflow.test.ts",
  "test/monitoring/backup-job-alerts.test.ts",
  "test/monitoring/rules.test.ts",
  "test/monitoring/sharding-balancer-rules.test.ts",
  "test/ops/wait-job-cli.test.ts",
  "test/sharding/image-order.test.ts",
  "test/stacks/arbiter-removal-guard.test.ts",
  "test/stacks/namespace-handover.test.ts",
  "test/stacks/namespace-pod-security.test.ts",
  "test/stacks/terraform-text.test.ts",
  "test/stacks/tls-jump-guard.test.ts",
  "test/terraform-check/terraform-check.test.ts",
  "test/terraform-check/tls.test.ts",
].map((f) => `<rootDir>/${f}`);

module.exports = {
  // Jest's default is one worker per core less one: a single worker on a 2-core machine.
  maxWorkers: 2,
  testTimeout,
  projects: [
    {
      displayName: "unit",
      testEnvironment: "node",
      transform,
      runtime,
      // Not cdktf's Testing.setupJest: its matchers were used by no test, and loading cdktf for
      // them cost every suite about 0.17 s of CPU, most of which never synthesize.
      setupFilesAfterEnv: ["<rootDir>/test/support/setup-unit.ts"],
      ...runScope,
      testMatch: ["<rootDir>/test/**/*.test.ts"],
      testPathIgnorePatterns: ["/node_modules/", "<rootDir>/test/integration/", "<rootDir>/test/pod-scripts.test.ts", "<rootDir>/test/mongosh/", ...toolSuites],
    },
    {
      displayName: "tools",
      testEnvironment: "node",
      transform,
      runtime,
      setupFilesAfterEnv: ["<rootDir>/test/support/setup-unit.ts"],
      ...runScope,
      testMatch: toolSuites,
    },
    {
      // The pod scripts as they run: shell scripts under bats with stand-in binaries on PATH, and
      // every mongosh script in the real MongoDB Shell (no server: up to the first connection).
      displayName: "pod-scripts",
      testEnvironment: "node",
      transform,
      runtime,
      ...runScope,
      testMatch: ["<rootDir>/test/pod-scripts.test.ts", "<rootDir>/test/mongosh/**/*.test.ts"],
    },
    {
      displayName: "integration",
      testEnvironment: "node",
      transform,
      runtime,
      ...runScope,
      testMatch: ["<rootDir>/test/integration/**/*.test.ts"],
    },
  ],
};
