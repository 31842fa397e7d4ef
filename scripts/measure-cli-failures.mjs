// How fast each CLI fails: on a bad argument (must be within 2 s) and against an unreachable
// server (within the connection string's serverSelectionTimeoutMS + 2 s). A timed script, not a
// timed test: `node scripts/build.mjs && node scripts/measure-cli-failures.mjs`. It prints one
// line per case and exits 1 when a case misses its bound. Nothing listens on 127.0.0.1:1, so
// every connection is refused at once and server selection waits the full timeout.
import { spawn, spawnSync } from "node:child_process";
import { setTimeout } from "node:timers";

const BIN = "dist/cli/nyrkio-db.js";
const SELECTION_MS = 2000;
const UNREACHABLE = `mongodb://127.0.0.1:1/nyrkio?serverSelectionTimeoutMS=${SELECTION_MS}`;

const cases = [
  ["bad argument", ["migrate", "up", "--to", "x"], {}, 2, 2000],
  ["bad argument", ["migrate", "up", "--to", "99"], { MONGODB_URI: UNREACHABLE }, 2, 2000],
  ["bad argument", ["migrate", "status", "--json", "--json"], {}, 2, 2000],
  ["bad connection string", ["migrate", "status"], { MONGODB_URI: "mongodb://migrator:S3cr@tP4ss@db:27017/" }, 2, 2000],
  ["bad argument", ["check-queries", "--max-ratio", "0"], {}, 2, 2000],
  ["bad argument", ["restore", "plan", "--bogus"], {}, 2, 2000],
  ["bad argument", ["bogus-command"], {}, 2, 2000],
  ["unreachable", ["migrate", "status", "--json"], { MONGODB_URI: UNREACHABLE }, 1, SELECTION_MS + 2000],
  ["unreachable", ["migrate", "up", "--json"], { MONGODB_URI: UNREACHABLE }, 1, SELECTION_MS + 2000],
  ["unreachable", ["migrate", "plan", "--json"], { MONGODB_URI: UNREACHABLE }, 1, SELECTION_MS + 2000],
  ["unreachable", ["check-queries", "--json"], { MONGODB_URI: UNREACHABLE }, 1, SELECTION_MS + 2000],
];

let missed = 0;
for (const [kind, argv, env, expectedCode, boundMs] of cases) {
  const runs = [];
  let code;
  for (let i = 0; i < 3; i++) {
    const started = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [BIN, ...argv], { env: { PATH: process.env.PATH, ...env }, encoding: "utf8" });
    runs.push(Number(process.hrtime.bigint() - started) / 1e6);
    code = r.status;
  }
  const worst = Math.max(...runs);
  const ok = code === expectedCode && worst <= boundMs;
  if (!ok) missed += 1;
  console.log(`${ok ? "ok  " : "MISS"} ${kind.padEnd(21)} nyrkio-db ${argv.join(" ").padEnd(34)} exit ${code} (want ${expectedCode}), worst of 3 ${worst.toFixed(0)} ms (bound ${boundMs} ms), runs ${runs.map((t) => t.toFixed(0)).join("/")} ms`);
}
// A signal while the CLI waits for an unreachable server (selection timeout 60 s): the process
// itself must stop at once with 128 + the signal's number.
for (const [signal, expected] of [["SIGINT", 130], ["SIGTERM", 143]]) {
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [BIN, "migrate", "up", "--json"], {
    env: { PATH: process.env.PATH, MONGODB_URI: "mongodb://127.0.0.1:1/nyrkio?serverSelectionTimeoutMS=60000" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  child.stdout.on("data", (d) => (stdout += d));
  // Give the process time to start and install its handlers (startup is ~0.6 s here).
  setTimeout(() => child.kill(signal), 1500);
  const code = await new Promise((resolve) => child.on("exit", (c) => resolve(c)));
  const afterSignal = Number(process.hrtime.bigint() - started) / 1e6 - 1500;
  const ok = code === expected && afterSignal <= 2000 && /"interrupted"/.test(stdout);
  if (!ok) missed += 1;
  console.log(`${ok ? "ok  " : "MISS"} ${signal.padEnd(21)} nyrkio-db migrate up --json (connecting)   exit ${code} (want ${expected}), ${afterSignal.toFixed(0)} ms after the signal (bound 2000 ms)`);
}
process.exitCode = missed === 0 ? 0 : 1;
