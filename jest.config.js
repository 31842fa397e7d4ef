// Unit tests run by default (`npm test`); integration tests need a real mongod and skip themselves
// with one line when none is available. swc transpiles only: `npm run typecheck` type-checks.
const transform = { "^.+\\.ts$": ["@swc/jest", { jsc: { target: "es2022" } }] };

module.exports = {
  projects: [
    {
      displayName: "unit",
      testEnvironment: "node",
      transform,
      setupFilesAfterEnv: ["<rootDir>/test/setup.ts"],
      testMatch: ["<rootDir>/test/**/*.test.ts"],
      testPathIgnorePatterns: ["/node_modules/", "<rootDir>/test/integration/"],
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
