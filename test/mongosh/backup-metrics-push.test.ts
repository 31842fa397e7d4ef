// The backup metrics push script in the REAL MongoDB Shell, as the production build emits it
// (esbuild, node20: the embedded functions' text is esbuild's), against a Pushgateway stand-in
// as strict as the real one where the script depends on it: PUT to /metrics/job/<job>/<label>/<value>
// (Pushgateway README, "URL"), the text format 0.0.4 with one HELP/TYPE per family before its
// samples (prometheus/common expfmt text parser: "second TYPE line for metric name"), and no
// sample carrying the job or a grouping label (client_golang prometheus/push/push.go refuses
// such a push: "already contains grouping label").
import { buildSync } from "esbuild";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { loadCatalog } from "../../backup/restore/catalog";
import { backupMetrics } from "../../monitoring/backup-metrics";
import { hasMongosh, MONGOSH, removeTempDirs, runProgram, tempDir } from "./real-shell";
import { writeFileSync } from "node:fs";

const catalogDir = join(__dirname, "..", "monitoring", "fixtures", "catalog-healthy", "rs0");

interface Push {
  method: string;
  path: string;
  contentType: string;
  samples: { name: string; labels: Record<string, string>; value: number }[];
}

function standIn(status = 200): Promise<{ server: Server; url: string; pushes: Push[]; errors: string[] }> {
  const pushes: Push[] = [];
  const errors: string[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      const reject = (code: number, why: string) => {
        errors.push(why);
        res.writeHead(code).end(why);
      };
      const m = /^\/metrics\/job\/([^/]+)((?:\/[^/]+\/[^/]+)*)$/.exec(req.url ?? "");
      if (!m) return reject(404, `no such path ${req.url}`);
      if (req.method !== "PUT" && req.method !== "POST") return reject(405, `method ${req.method}`);
      const contentType = req.headers["content-type"] ?? "";
      if (!/^text\/plain(; *version=0\.0\.4)?$/.test(contentType)) return reject(400, `content type ${contentType}`);
      const grouping = new Set(["job", ...(m[2].split("/").filter(Boolean).filter((_, i) => i % 2 === 0))]);
      const typed = new Set<string>();
      const sampled = new Set<string>();
      const samples: Push["samples"] = [];
      for (const line of body.split("\n")) {
        if (line === "") continue;
        const t = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (gauge|counter|untyped|summary|histogram)$/.exec(line);
        if (t) {
          if (typed.has(t[1]) || sampled.has(t[1])) return reject(400, `second TYPE line for metric name ${t[1]}, or TYPE reported after samples`);
          typed.add(t[1]);
          continue;
        }
        if (/^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*$/.test(line)) continue;
        const s = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (-?[0-9.e+]+)$/.exec(line);
        if (!s) return reject(400, `text format parsing error in line: ${line}`);
        const labels: Record<string, string> = {};
        for (const pair of (s[2] ?? "").split(",").filter(Boolean)) {
          const l = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"$/.exec(pair);
          if (!l) return reject(400, `bad label ${pair}`);
          if (grouping.has(l[1])) return reject(400, `pushed metric ${s[1]} already contains grouping label ${l[1]}`);
          labels[l[1]] = l[2];
        }
        sampled.add(s[1]);
        samples.push({ name: s[1], labels, value: Number(s[3]) });
      }
      pushes.push({ method: req.method, path: req.url ?? "", contentType, samples });
      res.writeHead(status).end();
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => {
    const a = server.address();
    resolve({ server, url: `http://127.0.0.1:${typeof a === "object" && a ? a.port : 0}/`, pushes, errors });
  }));
}

function productionScript(): string {
  const dir = tempDir("nyrkio-metrics-build-");
  const out = join(dir, "script.js");
  buildSync({ entryPoints: [join(__dirname, "..", "..", "monitoring", "backup-metrics-script.ts")], bundle: true, platform: "node", target: "node20", format: "cjs", outfile: out, logLevel: "error" });
  const script = join(dir, "push-metrics.js");
  writeFileSync(script, require(out).backupMetricsScript());
  return script;
}

const env = (url: string) => ({
  HOME: tempDir("nyrkio-metrics-home-"),
  METRICS_CATALOG: catalogDir,
  METRICS_REPLSET: "rs0",
  PUSHGATEWAY_URL: url,
  METRICS_FULL_INTERVAL_SECONDS: "86400",
  METRICS_SLICE_INTERVAL_SECONDS: "300",
  METRICS_VERIFY_INTERVAL_SECONDS: "86400",
});

(hasMongosh() ? describe : describe.skip)("the backup metrics push script in mongosh", () => {
  afterAll(removeTempDirs);

  test("pushes the catalog's metrics, the same as the TypeScript computes, to the replica set's group", async () => {
    const gw = await standIn();
    try {
      const run = await runProgram([MONGOSH, "--nodb", "--quiet", "--file", productionScript()], { env: env(gw.url), timeoutMs: 60_000 });
      expect({ code: run.code, errors: gw.errors, stderr: run.stderr }).toEqual({ code: 0, errors: [], stderr: "" });
      expect(gw.pushes).toHaveLength(1);
      expect(gw.pushes[0]).toMatchObject({ method: "PUT", path: "/metrics/job/nyrkio-backup/rs_nm/rs0", contentType: "text/plain; version=0.0.4" });
      const loaded = await loadCatalog(catalogDir);
      const verify = { succeededAt: "2025-12-06T01:03:20.000Z" };
      const expected = backupMetrics({ replicaSet: "rs0", entries: loaded.entries, verify, fullIntervalSeconds: 86400, sliceIntervalSeconds: 300, verifyIntervalSeconds: 86400 }).map((s) => {
        const { rs_nm: _rs, ...labels } = s.labels;
        return { ...s, labels };
      });
      expect(gw.pushes[0].samples.sort((a, b) => (a.name + JSON.stringify(a.labels)).localeCompare(b.name + JSON.stringify(b.labels)))).toEqual(
        expected.sort((a, b) => (a.name + JSON.stringify(a.labels)).localeCompare(b.name + JSON.stringify(b.labels))),
      );
      const line = JSON.parse(run.stdout.trim().split("\n").pop()!);
      expect(line).toMatchObject({ job: "metrics", replicaSet: "rs0", step: "push", status: "ok", manifests: loaded.entries.length, skipped: 0 });
    } finally {
      gw.server.close();
    }
  }, 90_000);

  test("a Pushgateway that refuses, or none listening: exit 1 with a failed log line", async () => {
    const gw = await standIn(500);
    try {
      const run = await runProgram([MONGOSH, "--nodb", "--quiet", "--file", productionScript()], { env: env(gw.url), timeoutMs: 60_000 });
      expect(run.code).toBe(1);
      expect(JSON.parse(run.stdout.trim().split("\n").pop()!)).toMatchObject({ step: "push", status: "failed", exitCode: 1, error: expect.stringContaining("answered 500") });
    } finally {
      gw.server.close();
    }
    const none = await runProgram([MONGOSH, "--nodb", "--quiet", "--file", productionScript()], { env: { ...env("http://127.0.0.1:1/") }, timeoutMs: 60_000 });
    expect(none.code).toBe(1);
    expect(JSON.parse(none.stdout.trim().split("\n").pop()!)).toMatchObject({ status: "failed", error: expect.stringContaining("fetch failed") });
  }, 120_000);
});
