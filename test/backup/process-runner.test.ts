// The real runner, and the built CLI as a process with a stand-in mongorestore on PATH.

import { spawn, spawnSync } from "node:child_process";
import { buildSync } from "esbuild";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeProcessRunner, processRunner } from "../../backup/restore/process-runner";
import { writeCatalog } from "./disk-catalog";
import { fullDump, sliceChain, ts } from "./fixtures";

describe("processRunner", () => {
  it("streams stdout and stderr line by line and returns the exit code", async () => {
    const lines: string[] = [];
    const exit = await processRunner([process.execPath, "-e", "console.log('one\\ntwo'); console.error('three'); process.stdout.write('partial'); process.exit(3)"], (l) => lines.push(l));
    expect(exit).toEqual({ code: 3, signal: null });
    expect(lines.sort()).toEqual(["one", "partial", "three", "two"]);
  });

  it("reports a binary that cannot start", async () => {
    const exit = await processRunner(["/nonexistent/mongorestore", "--version"], () => {});
    expect(exit.code).toBeNull();
    expect(exit.spawnError).toMatch(/ENOENT/);
  });

  it("reports a signal", async () => {
    const exit = await processRunner([process.execPath, "-e", "process.kill(process.pid, 'SIGTERM')"], () => {});
    expect(exit).toEqual({ code: null, signal: "SIGTERM" });
  });

  it("on stop, sends SIGTERM, then SIGKILL to a child that ignores it, and resolves only once the child is gone", async () => {
    const stop = new AbortController();
    const lines: string[] = [];
    const started = Date.now();
    const running = makeProcessRunner(400)([process.execPath, "-e", "process.on('SIGTERM', () => console.log('ignoring SIGTERM')); console.log('ready'); setInterval(() => {}, 1000)"], (l) => {
      lines.push(l);
      if (l === "ready") stop.abort();
    }, stop.signal);
    const exit = await running;
    expect(exit).toEqual({ code: null, signal: "SIGKILL" });
    expect(lines).toContain("ignoring SIGTERM");
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
  });
});

describe("restore-cli as a process", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "restore-cli-e2e-"));
    buildSync({ entryPoints: ["backup/restore/restore-cli.ts"], bundle: true, outfile: join(dir, "restore-cli.js"), platform: "node", target: "node20", format: "cjs", logLevel: "silent" });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("--version works like the other CLIs (runAsProcess), also as JSON", () => {
    const version = JSON.parse(readFileSync("package.json", "utf8")).version as string;
    // packageVersion() reads package.json above the bundle, as it does above dist/.
    mkdirSync(join(dir, "v", "bin"), { recursive: true });
    writeFileSync(join(dir, "v", "package.json"), JSON.stringify({ name: "nyrkio-db-platform", version }));
    buildSync({ entryPoints: ["backup/restore/restore-cli.ts"], bundle: true, outfile: join(dir, "v", "bin", "restore-cli.js"), platform: "node", target: "node20", format: "cjs", logLevel: "silent" });
    const text = spawnSync(process.execPath, [join(dir, "v", "bin", "restore-cli.js"), "--version"], { encoding: "utf8" });
    expect([text.status, text.stdout]).toEqual([0, `restore ${version}\n`]);
    const json = spawnSync(process.execPath, [join(dir, "v", "bin", "restore-cli.js"), "--version", "--json"], { encoding: "utf8" });
    expect(JSON.parse(json.stdout)).toEqual({ ok: true, command: "restore", version });
  });

  describe.each([
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const)("%s during run (issue 12 item 14)", (signal, exitCode) => {
    it(`stops the running mongorestore (no orphan), removes the private directory holding the password, and exits ${exitCode}`, async () => {
      const T0 = 1714528800;
      const catalog = writeCatalog([fullDump(ts(T0, 1)), ...sliceChain(ts(T0, 1), [ts(T0 + 300, 1)])]);
      const bundle = join(dir, "restore-empty-target.js");
      if (!existsSync(bundle)) buildSync({ entryPoints: ["test/backup/support/restore-entry-empty-target.ts"], bundle: true, outfile: bundle, platform: "node", target: "node20", format: "cjs", logLevel: "silent" });
      const tmp = join(dir, `tmp-${signal}`);
      mkdirSync(tmp);
      const record = join(dir, `pid-${signal}`);
      // A stand-in mongorestore that records its pid and the config file it was handed, then
      // restores for a long time; it dies on SIGTERM as a process without a handler does.
      const fake = join(dir, `mongorestore-slow-${signal}`);
      writeFileSync(
        fake,
        `#!${process.execPath}\n` +
          `const config = process.argv.find((a) => a.startsWith("--config=")).slice(9);\n` +
          // Written whole, then renamed: the test never reads a half-written record.
          `require("fs").writeFileSync(${JSON.stringify(record + ".part")}, JSON.stringify({ pid: process.pid, config }));\n` +
          `require("fs").renameSync(${JSON.stringify(record + ".part")}, ${JSON.stringify(record)});\n` +
          `console.error("restoring...");\n` +
          `setInterval(() => {}, 1000);\n`,
      );
      chmodSync(fake, 0o755);
      writeFileSync(join(dir, "uri-slow"), "mongodb://restore:s3cr3t@db:27017/?replicaSet=rs0\n");
      try {
        const child = spawn(process.execPath, [bundle, "run", "--catalog", catalog.dir, "--to", `${T0 + 200}:0`, "--uri-file", join(dir, "uri-slow"), "--mongorestore", fake, "--yes"], {
          env: { ...process.env, TMPDIR: tmp },
          stdio: ["ignore", "pipe", "pipe"],
        });
        let stderr = "";
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        const exited = new Promise<number | null>((res) => child.on("exit", (code) => res(code)));
        // Up to 60 s: on a loaded machine two node starts (the CLI, then the stand-in) take seconds.
        for (let i = 0; i < 1200 && !existsSync(record); i++) await new Promise((r) => setTimeout(r, 50));
        const { pid, config } = JSON.parse(readFileSync(record, "utf8")) as { pid: number; config: string };
        expect(readFileSync(config, "utf8")).toContain("s3cr3t");
        expect(config.startsWith(tmp)).toBe(true);
        child.kill(signal);
        expect(await exited).toBe(exitCode);
        expect(stderr).toMatch(new RegExp(`received ${signal}: stopping`));
        expect(stderr).toMatch(/FAILED at step 3\/3 .*killed by SIGTERM/);
        // No orphan: the stand-in is gone (kill -0 says ESRCH), and nothing of the run is left.
        expect(() => process.kill(pid, 0)).toThrow(expect.objectContaining({ code: "ESRCH" }));
        expect(readdirSync(tmp)).toEqual([]);
      } finally {
        catalog.cleanup();
      }
    }, 20_000);
  });

  it("checks the target before anything runs: one it cannot reach fails with exit 1 and mongorestore is never started", () => {
    // The whole run through the real runner is covered in-process (restore-cli.test.ts, with a
    // probe stand-in) and against a real server (test/integration/backup-restore.test.ts).
    const T0 = 1714528800;
    const catalog = writeCatalog([fullDump(ts(T0, 1)), ...sliceChain(ts(T0, 1), [ts(T0 + 300, 1)])]);
    try {
      const record = join(dir, "calls-unreachable.jsonl");
      const fake = join(dir, "mongorestore-unreachable");
      writeFileSync(fake, `#!${process.execPath}\nrequire("fs").appendFileSync(${JSON.stringify(record)}, "called\\n");\n`);
      chmodSync(fake, 0o755);
      writeFileSync(join(dir, "uri-unreachable"), "mongodb://restore:s3cr3t@127.0.0.1:9/?serverSelectionTimeoutMS=300\n");
      const r = spawnSync(process.execPath, [join(dir, "restore-cli.js"), "run", "--catalog", catalog.dir, "--to", `${T0 + 200}:0`, "--uri-file", join(dir, "uri-unreachable"), "--mongorestore", fake, "--yes"], { encoding: "utf8" });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/cannot check the target mongodb:\/\/<credentials>@127\.0\.0\.1:9\/.* before restoring: .*Nothing was written\./);
      expect(r.stderr).not.toContain("s3cr3t");
      expect(existsSync(record)).toBe(false);
    } finally {
      catalog.cleanup();
    }
  });

  it.skip("runs a plan through a stand-in mongorestore, which gets the credentials only from its --config file (needs a target the probe can reach: see the integration test)", () => {
    const T0 = 1714528800;
    const catalog = writeCatalog([fullDump(ts(T0, 1)), ...sliceChain(ts(T0, 1), [ts(T0 + 300, 1), ts(T0 + 600, 1)])]);
    try {
      const record = join(dir, "calls.jsonl");
      const fake = join(dir, "mongorestore");
      writeFileSync(
        fake,
        `#!${process.execPath}\n` +
          `const fs = require("fs");\n` +
          `const config = process.argv.find((a) => a.startsWith("--config=")).slice(9);\n` +
          `fs.appendFileSync(${JSON.stringify(record)}, JSON.stringify({ argv: process.argv.slice(2), config: fs.readFileSync(config, "utf8") }) + "\\n");\n` +
          `console.error("2024-05-01T10:00:00.000+0000\\tdone");\n` +
          `console.error("5 document(s) restored successfully. 0 document(s) failed to restore.");\n`,
      );
      chmodSync(fake, 0o755);
      writeFileSync(join(dir, "uri"), "mongodb://restore:s3cr3t@db:27017/?replicaSet=rs0\n");
      const r = spawnSync(process.execPath, [join(dir, "restore-cli.js"), "run", "--catalog", catalog.dir, "--to", `${T0 + 450}:0`, "--uri-file", join(dir, "uri"), "--mongorestore", fake, "--yes"], { encoding: "utf8" });
      expect(r.stderr).toMatch(/step 3\/3 done in/);
      expect(r.status).toBe(0);
      const calls = readFileSync(record, "utf8").trim().split("\n").map((l) => JSON.parse(l));
      expect(calls).toHaveLength(3);
      for (const c of calls) {
        expect(c.config).toBe("uri: 'mongodb://restore:s3cr3t@db:27017/?replicaSet=rs0'\n");
        expect(c.argv.join(" ")).not.toContain("s3cr3t");
      }
      expect(r.stderr).toMatch(/ {2}\| 5 document\(s\) restored successfully/);
      expect(r.stdout).toMatch(/^restored rs0 to --to 1714529250:0/);
    } finally {
      catalog.cleanup();
    }
  });

  it("exits 4 with the message on stderr for an unreachable target, and 2 for bad usage", () => {
    const catalog = writeCatalog([fullDump(ts(1714528800, 1))]);
    try {
      const cli = (...args: string[]) => spawnSync(process.execPath, [join(dir, "restore-cli.js"), ...args], { encoding: "utf8" });
      const refused = cli("plan", "--catalog", catalog.dir, "--to", "2024-05-01T03:00:00Z", "--json");
      expect([refused.status, refused.stdout]).toEqual([4, ""]);
      expect(refused.stderr).toMatch(/after the newest saved oplog entry/);
      expect(cli("plan", "--catalog", catalog.dir).status).toBe(2);
      expect(cli("--help").stdout).toMatch(/^Usage: npm run --silent restore/);
    } finally {
      catalog.cleanup();
    }
  });
});
