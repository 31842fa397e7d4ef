import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "dist/", "cdktf.out/", "coverage/", "**/*.d.ts"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: "readonly", console: "readonly", require: "readonly", module: "writable", __dirname: "readonly" } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-require-imports": "off",
    },
  },
  {
    // Tests reshape configs and JSON documents freely.
    files: ["test/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    // mongosh scripts run inside pods, where mongosh provides these globals.
    files: ["**/mongosh/**/*.js"],
    languageOptions: {
      globals: { db: "readonly", rs: "readonly", print: "readonly", printjson: "readonly", sleep: "readonly", Mongo: "readonly", connect: "readonly", quit: "readonly", Timestamp: "readonly", ISODate: "readonly", NumberLong: "readonly", fs: "readonly" },
    },
  },
);
