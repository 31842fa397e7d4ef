// Transpiles every source file to dist/ with esbuild (no type-check: `npm run typecheck` does that),
// so `npm run synth`, `migrate` and `restore` start in well under a second.
import { build } from "esbuild";
import { copyFileSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const roots = ["main.ts", "config", "stacks", "replicaset", "migrations", "backup", "sharding", "terraform-check", "ops", "cli", "e2e", "monitoring"];

function collect(path, out) {
  let st;
  try {
    st = statSync(path);
  } catch {
    return out;
  }
  if (st.isDirectory()) {
    for (const entry of readdirSync(path)) collect(join(path, entry), out);
  } else if (path.endsWith(".ts") && !path.endsWith(".d.ts") && !path.endsWith(".test.ts")) {
    out.push(path);
  } else if (/\.(sh|js|json|yml)$/.test(path)) {
    assets.push(path);
  }
  return out;
}

// Pod scripts (.sh, mongosh .js) are read next to the module that embeds them: copy them along.
const assets = [];
const entryPoints = roots.flatMap((r) => collect(r, []));

// Incremental: each file is transpiled on its own (no bundling), so only a file newer than its
// output needs esbuild again; a change to this script rebuilds everything. A warm `npm run synth`
// then costs the app alone (docs/performance.md).
const mtime = (path) => {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -1;
  }
};
const self = mtime(fileURLToPath(import.meta.url));
const stale = (source, output) => {
  const out = mtime(output);
  return out < 0 || out < mtime(source) || out < self;
};
const changed = entryPoints.filter((file) => stale(file, join("dist", file.replace(/\.ts$/, ".js"))));
if (changed.length) {
  await build({
    entryPoints: changed,
    outdir: "dist",
    outbase: ".",
    format: "cjs",
    platform: "node",
    target: "node20",
    sourcemap: "linked",
    logLevel: "warning",
  });
}
for (const asset of assets) {
  const target = join("dist", asset);
  if (!stale(asset, target)) continue;
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(asset, target);
}
