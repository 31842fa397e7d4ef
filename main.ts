// Entry point of `cdktf synth` / `npm run synth`: the only place that reads the environment.
//   NYRKIO_DB_ENV     built-in environment (dev, prod, prod-pss, sharded); default dev
//   NYRKIO_DB_CONFIG  optional JSON file whose values override the environment's
//   KUBECONFIG, HOME  the user's kubeconfig (else ~/.kube/config) for the provider and the state
//                     backend, unless the config names kubernetes.configPath (config/kubeconfig.ts)
//   NYRKIO_DB_DOWNGRADE_DONE  the image a sharded cluster was downgraded to by hand (docs/runbooks/downgrade-sharded.md)
//   CDKTF_OUTDIR      set by the cdktf CLI; the previous synth there tells which image is deployed
// A config problem prints one line per problem and exits 1 before any stack is written.

import { App } from "cdktf";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { deployedImageFromSynth, shardedDowngradeRule } from "./config/image-change";
import { ignoredContextWarning, userKubeconfig } from "./config/kubeconfig";
import { loadConfig } from "./config/load";
import { formatProblem } from "./config/validate";
import { shardKeyRules } from "./sharding";
import { databaseStackName } from "./stacks/naming";
import { addPlatformStacks } from "./stacks/platform-app";

/** The mongod image of the previous synth of the config's database stack, if there is one. */
function previousImage(config: Parameters<typeof databaseStackName>[0]): string | undefined {
  const file = path.join(process.env.CDKTF_OUTDIR ?? "cdktf.out", "stacks", databaseStackName(config), "cdk.tf.json");
  try {
    return deployedImageFromSynth(readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
}

const result = loadConfig({
  environment: process.env.NYRKIO_DB_ENV,
  overrideFile: process.env.NYRKIO_DB_CONFIG,
  readFile: (path) => readFileSync(path, "utf8"),
  rules: [shardKeyRules, shardedDowngradeRule(previousImage, process.env.NYRKIO_DB_DOWNGRADE_DONE)],
});

if (!result.ok) {
  process.stderr.write(`nyrkio-db: the config is not valid; nothing was written:\n`);
  for (const p of result.problems) process.stderr.write(`  ${formatProblem(p)}\n`);
  process.exit(1);
}
for (const w of result.warnings) process.stderr.write(`nyrkio-db: warning: ${formatProblem(w)}\n`);

const kubeconfig = userKubeconfig(process.env, existsSync);
const { configContext, configPath } = result.config.kubernetes;
const ignored = ignoredContextWarning(configContext, configPath, kubeconfig, process.env);
if (ignored) process.stderr.write(`nyrkio-db: warning: ${ignored}\n`);

const app = new App();
addPlatformStacks(app, result.config, process.cwd(), kubeconfig?.paths);
app.synth();
