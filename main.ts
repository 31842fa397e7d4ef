// Entry point of `cdktf synth` / `npm run synth`: the only place that reads the environment.
//   NYRKIO_DB_ENV     built-in environment (dev, prod, prod-pss, sharded); default dev
//   NYRKIO_DB_CONFIG  optional JSON file whose values override the environment's
// A config problem prints one line per problem and exits 1 before any stack is written.

import { App } from "cdktf";
import { readFileSync } from "node:fs";
import { loadConfig } from "./config/load";
import { formatProblem } from "./config/validate";
import { shardKeyRules } from "./sharding";
import { addPlatformStacks } from "./stacks/platform-app";

const result = loadConfig({
  environment: process.env.NYRKIO_DB_ENV,
  overrideFile: process.env.NYRKIO_DB_CONFIG,
  readFile: (path) => readFileSync(path, "utf8"),
  rules: [shardKeyRules],
});

if (!result.ok) {
  process.stderr.write(`nyrkio-db: the config is not valid; nothing was written:\n`);
  for (const p of result.problems) process.stderr.write(`  ${formatProblem(p)}\n`);
  process.exit(1);
}
for (const w of result.warnings) process.stderr.write(`nyrkio-db: warning: ${formatProblem(w)}\n`);

const app = new App();
addPlatformStacks(app, result.config, process.cwd());
app.synth();
