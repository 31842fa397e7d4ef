// Checks what the synthesized stacks will run inside pods, as embedded in cdktf.out: every
// ConfigMap key ending in .sh passes shellcheck, every .js (mongosh) script parses, every .json
// parses. The sources are checked too, but this checks the exact text Terraform would apply: each
// value as Terraform evaluates the template string (`$${` → `${`, `%%{` → `%{`), which is what the
// pod gets; a value Terraform would interpolate is a failure. Needs dist/ (npm run synth builds it).
// Usage: node scripts/check-synth-output.mjs [cdktf.out]
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import vm from "node:vm";

const { terraformLiteralValue } = createRequire(import.meta.url)("../dist/terraform-check/template-value.js");
const outdir = process.argv[2] ?? "cdktf.out";
const stacksDir = join(outdir, "stacks");
let checked = 0;
const failures = [];

// mongosh reads a file as a script, not a module: a top-level `await` is a SyntaxError there too.
function parsesAsScript(code) {
  new vm.Script(code);
}

for (const stack of readdirSync(stacksDir)) {
  const tf = JSON.parse(readFileSync(join(stacksDir, stack, "cdk.tf.json"), "utf8"));
  for (const [id, cm] of Object.entries(tf.resource?.kubernetes_config_map_v1 ?? {})) {
    for (const [key, template] of Object.entries(cm.data ?? {})) {
      const where = `${stack}: kubernetes_config_map_v1.${id} key ${key}`;
      try {
        const text = terraformLiteralValue(template, where);
        if (key.endsWith(".sh")) execFileSync("shellcheck", ["-s", "bash", "-"], { input: text, stdio: ["pipe", "pipe", "pipe"] });
        else if (key.endsWith(".js")) parsesAsScript(text);
        else if (key.endsWith(".json")) JSON.parse(text);
        else continue;
        checked++;
      } catch (err) {
        failures.push(`${where}: ${err.stdout?.toString() || err.message}`);
      }
    }
  }
}

for (const f of failures) console.error(f);
console.log(`embedded scripts: ${checked} checked, ${failures.length} failed`);
process.exit(failures.length ? 1 : 0);
