// The balancer metrics push script (monitoring/balancer-metrics-script.ts) in the REAL MongoDB
// Shell, as the production build emits it (esbuild, node20: the embedded function's text is
// esbuild's). No mongos exists here, so it runs as far as it can without one:
//  - as the CronJob runs it (URI positional, like balancer-window.sh) against a closed port:
//    mongosh exits 1 with the connection error before the script, and nothing is pushed;
//  - with --nodb: the script parses, checks its environment, and fails at its first read with a
//    JSON log line and exit 1, pushing nothing (a push of made-up values would hide the failure).
// The decision itself is unit-tested in test/monitoring/balancer-metrics.test.ts; the PUT and the
// exposition text are the backup metrics' own, tested against a Pushgateway stand-in in
// backup-metrics-push.test.ts.
import { buildSync } from "esbuild";
import { createServer, type Server } from "node:http";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { closedPort, hasMongosh, MONGOSH, removeTempDirs, runProgram, tempDir } from "./real-shell";

function productionScript(): string {
  const dir = tempDir("nyrkio-balancer-metrics-build-");
  const out = join(dir, "script.js");
  buildSync({ entryPoints: [join(__dirname, "..", "..", "monitoring", "balancer-metrics-script.ts")], bundle: true, platform: "node", target: "node20", format: "cjs", outfile: out, logLevel: "error" });
  const script = join(dir, "balancer-metrics.js");
  writeFileSync(script, require(out).balancerMetricsScript());
  return script;
}

/** Counts every request: none may arrive. */
function listener(): Promise<{ server: Server; url: string; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    res.writeHead(200).end();
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => {
    const a = server.address();
    resolve({ server, url: `http://127.0.0.1:${typeof a === "object" && a ? a.port : 0}/`, requests });
  }));
}

const BROKEN_SCRIPT = /SyntaxError|ReferenceError|TypeError|is not a function|is not defined|Unexpected token/;

(hasMongosh() ? describe : describe.skip)("the balancer metrics push script in mongosh", () => {
  afterAll(removeTempDirs);

  function env(url: string): Record<string, string> {
    const secrets = tempDir("nyrkio-balancer-metrics-user-");
    writeFileSync(join(secrets, "username"), "backup\n");
    writeFileSync(join(secrets, "password"), "not-a-real-password\n");
    return { HOME: tempDir("nyrkio-balancer-metrics-home-"), PUSHGATEWAY_URL: url, BALANCER_METRICS_CLUSTER: "nyrkio-db-sharded", BALANCER_USERNAME_FILE: join(secrets, "username"), BALANCER_PASSWORD_FILE: join(secrets, "password") };
  }

  test("as the CronJob runs it, mongos unreachable: exit 1 with the connection error, nothing pushed", async () => {
    const gw = await listener();
    try {
      const port = await closedPort();
      const run = await runProgram([MONGOSH, "--quiet", `mongodb://127.0.0.1:${port}/admin?serverSelectionTimeoutMS=2000`, "--file", productionScript()], { env: env(gw.url), timeoutMs: 60_000 });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/ECONNREFUSED|MongoServerSelectionError|MongoNetworkError/);
      expect(`${run.stdout}\n${run.stderr}`).not.toMatch(BROKEN_SCRIPT);
      expect(gw.requests).toEqual([]);
    } finally {
      gw.server.close();
    }
  }, 90_000);

  test("the script parses and runs: without a database it fails at its first read, logs it, pushes nothing", async () => {
    const gw = await listener();
    try {
      const run = await runProgram([MONGOSH, "--nodb", "--quiet", "--file", productionScript()], { env: env(gw.url), timeoutMs: 60_000 });
      expect(run.code).toBe(1);
      expect(`${run.stdout}\n${run.stderr}`).not.toMatch(BROKEN_SCRIPT);
      const line = JSON.parse(run.stdout.trim().split("\n").pop()!);
      expect(line).toMatchObject({ job: "balancer-metrics", cluster: "nyrkio-db-sharded", step: "push", status: "failed", exitCode: 1, error: expect.stringMatching(/No connected database/) });
      expect(gw.requests).toEqual([]);
      const bare = await runProgram([MONGOSH, "--nodb", "--quiet", "--file", productionScript()], { env: { ...env(gw.url), PUSHGATEWAY_URL: "" }, timeoutMs: 60_000 });
      expect(bare.code).toBe(1);
      expect(JSON.parse(bare.stdout.trim().split("\n").pop()!)).toMatchObject({ status: "failed", error: "PUSHGATEWAY_URL is not set" });
    } finally {
      gw.server.close();
    }
  }, 120_000);
});
