// The backup pod's push script (mongosh --nodb): reads one replica set's catalog, computes the
// backup metrics with the very functions the tests exercise (embedded by
// Function.prototype.toString, like the pruner: backup/retention/embeddable-pruner.ts), and PUTs
// them to the Pushgateway's group job="nyrkio-backup", rs_nm=<replica set> (the samples leave out
// rs_nm: the group adds it, and client_golang's push.go refuses a pushed metric that carries a
// grouping label itself). A PUT replaces the
// whole group (Pushgateway README, "PUT method"), so a metric that disappears from the catalog
// disappears from Prometheus too. One JSON log line, like the backup jobs' own.
//
// Environment: METRICS_CATALOG (the catalog directory), METRICS_REPLSET, PUSHGATEWAY_URL,
// METRICS_FULL_INTERVAL_SECONDS, and optionally METRICS_SLICE_INTERVAL_SECONDS,
// METRICS_VERIFY_INTERVAL_SECONDS. Exit 0 pushed, 1 failed.

import { confirmationProblem } from "../backup/majority";
import { analyzeChain } from "../backup/restore/chain";
import { BACKUP_METRIC_HELP, computeBackupMetrics, renderExposition } from "./backup-metrics";

export const PUSH_JOB = "nyrkio-backup";

export function backupMetricsScript(): string {
  return `// Generated at synth time from monitoring/backup-metrics-script.ts: do not edit in the cluster.
const fs = require("fs");
const path = require("path");
const analyzeChain = (${analyzeChain.toString()});
const confirmationProblem = (${confirmationProblem.toString()});
const computeBackupMetrics = (${computeBackupMetrics.toString()});
const renderExposition = (${renderExposition.toString()});
const HELP = ${JSON.stringify(BACKUP_METRIC_HELP)};
const env = process.env;
const started = Date.now();
function log(fields) {
  print(JSON.stringify(Object.assign({ time: new Date().toISOString(), job: "metrics", replicaSet: env.METRICS_REPLSET }, fields, { durationMs: Date.now() - started })));
}
function manifests(dir) {
  let found = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) found = found.concat(manifests(p));
    else if (entry.isFile() && (entry.name === "manifest.json" || entry.name.endsWith(".manifest.json"))) found.push(p);
  }
  return found;
}
const seconds = (name) => (env[name] ? Number(env[name]) : undefined);
(async () => {
  try {
    for (const name of ["METRICS_CATALOG", "METRICS_REPLSET", "PUSHGATEWAY_URL", "METRICS_FULL_INTERVAL_SECONDS"])
      if (!env[name]) throw new Error(name + " is not set");
    const entries = [];
    let skipped = 0;
    for (const file of manifests(env.METRICS_CATALOG)) {
      try {
        const m = JSON.parse(fs.readFileSync(file, "utf8"));
        if (m.replicaSet === env.METRICS_REPLSET && (m.kind === "full" || m.kind === "oplog") && m.lastTs && m.firstTs) {
          // An unconfirmed dump's write-once confirmation record beside it (backup/majority.ts).
          if (m.kind === "full" && m.majorityCommit === "unconfirmed") {
            try {
              const record = JSON.parse(fs.readFileSync(file.replace(/(\\.manifest)?\\.json$/, ".confirmed.json"), "utf8"));
              if (confirmationProblem(record, m, path.basename(file)) === undefined) m.confirmed = true;
            } catch (e) {
              // none yet: still unconfirmed
            }
          }
          entries.push(m);
        }
        else skipped++;
      } catch (e) {
        skipped++;
      }
    }
    let verify;
    try {
      const v = JSON.parse(fs.readFileSync(path.join(env.METRICS_CATALOG, "status", "verify.json"), "utf8"));
      if (v.replicaSet === env.METRICS_REPLSET && typeof v.succeededAt === "string") verify = { succeededAt: v.succeededAt };
    } catch (e) {
      // no verification recorded here (with S3 the job pulls only the manifests)
    }
    const samples = computeBackupMetrics(
      { replicaSet: env.METRICS_REPLSET, entries, verify, fullIntervalSeconds: seconds("METRICS_FULL_INTERVAL_SECONDS"), sliceIntervalSeconds: seconds("METRICS_SLICE_INTERVAL_SECONDS"), verifyIntervalSeconds: seconds("METRICS_VERIFY_INTERVAL_SECONDS") },
      analyzeChain,
    );
    const url = env.PUSHGATEWAY_URL.replace(/\\/+$/, "") + "/metrics/job/${PUSH_JOB}/rs_nm/" + encodeURIComponent(env.METRICS_REPLSET);
    const response = await fetch(url, { method: "PUT", headers: { "Content-Type": "text/plain; version=0.0.4" }, body: renderExposition(samples, HELP, ["rs_nm"]) });
    if (response.status !== 200 && response.status !== 202) throw new Error("the Pushgateway answered " + response.status + ": " + (await response.text()).slice(0, 300));
    log({ step: "push", status: "ok", manifests: entries.length, skipped: skipped, samples: samples.length, to: url });
  } catch (e) {
    log({ step: "push", status: "failed", error: e && e.message ? e.message : String(e), exitCode: 1 });
    quit(1);
  }
})();
`;
}
