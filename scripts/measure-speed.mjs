// Measures the speed targets named in the issues, outside the test suite (a timed test would flake):
//   npm run synth, warm (every stack of the default environment), target <= 3 s
//   the app itself (node dist/main.js), target well under 1 s
//   the unit suite (jest --selectProjects unit), target <= 30 s
// Usage: node scripts/measure-speed.mjs [runs]   Prints a Markdown table for docs/performance.md.
import { execSync } from "node:child_process";
import { cpus } from "node:os";

const runs = Number(process.argv[2] ?? 5);

function time(cmd) {
  const start = process.hrtime.bigint();
  execSync(cmd, { stdio: "ignore" });
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function stats(cmd, n) {
  const samples = Array.from({ length: n }, () => time(cmd)).sort((a, b) => a - b);
  return { min: samples[0], median: samples[Math.floor(n / 2)], max: samples[n - 1] };
}

time("npm run --silent synth"); // first run: cold caches, not counted
const rows = [
  ["`npm run synth` (build + synth, warm)", stats("npm run --silent synth", runs), runs, "3 s"],
  ["`node dist/main.js` (the app alone)", stats("node dist/main.js", runs), runs, "< 1 s"],
  ["`npx jest --selectProjects unit`", stats("npx jest --selectProjects unit --silent", 1), 1, "30 s"],
];
console.log(`Measured on ${cpus().length} cores (${cpus()[0]?.model ?? "unknown CPU"}), node ${process.version}, ${new Date().toISOString().slice(0, 10)}.\n`);
console.log("| what | runs | min | median | max | target |\n|---|---|---|---|---|---|");
for (const [what, s, n, target] of rows)
  console.log(`| ${what} | ${n} | ${s.min.toFixed(2)} s | ${s.median.toFixed(2)} s | ${s.max.toFixed(2)} s | ${target} |`);
