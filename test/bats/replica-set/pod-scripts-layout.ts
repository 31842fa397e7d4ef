// Lays out the member pods' scripts as the pod gets them (stacks/constructs/pod-scripts.ts: each
// with the pure functions put in front of it), so that the bats tests run exactly that text.
// Bundled with esbuild by helpers.bash; run as: node pod-scripts-layout.js <stacks/scripts> <out dir>.
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { POD_SCRIPTS, podScriptTextFrom } from "../../../stacks/constructs/pod-scripts";

const [source, out] = process.argv.slice(2);
if (!source || !out) throw new Error("usage: pod-scripts-layout.js <stacks/scripts> <out dir>");
for (const script of POD_SCRIPTS) {
  const file = join(out, script);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, podScriptTextFrom(source, script));
  // As the ConfigMap volume's defaultMode 0555 (member-pod.ts).
  chmodSync(file, 0o555);
}
