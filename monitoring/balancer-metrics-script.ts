// The balancer metrics' push script (issue 13): run by one CronJob of a sharded cluster as
// `mongosh --quiet <MONGOS_URI> --file balancer-metrics.js`, the way balancer-window.sh runs
// balancer.js. It authenticates as the cluster's backup user, whose nyrkioBalancerWindow role
// grants find on config.settings and on the leases collection (replicaset/users.ts
// balancerWindowRole), reads the balancer's settings document and every lease, computes the
// metrics with the function the tests exercise (monitoring/balancer-metrics.ts, embedded by
// Function.prototype.toString), and PUTs them to the Pushgateway's group
// job="nyrkio-balancer", cluster=<cluster>. One JSON log line. Exit 0 pushed, 1 failed; when mongos
// cannot be reached mongosh itself exits 1 before the script runs, nothing is pushed, and the
// group's push_time_seconds stops advancing (the stale clause of MongoBalancerMetricsMissing).
//
// Environment: PUSHGATEWAY_URL, BALANCER_METRICS_CLUSTER, BALANCER_USERNAME_FILE,
// BALANCER_PASSWORD_FILE, BALANCER_HOLDS_DB (default nyrkio_ops).

import { renderExposition } from "./backup-metrics";
import { BALANCER_METRIC_HELP, computeBalancerMetrics } from "./balancer-metrics";
import { BALANCER_WINDOWS_COLLECTION, BALANCER_WINDOWS_DB } from "../replicaset/users";

export const BALANCER_PUSH_JOB = "nyrkio-balancer";

export function balancerMetricsScript(): string {
  return `// Generated at synth time from monitoring/balancer-metrics-script.ts: do not edit in the cluster.
const fs = require("fs");
const computeBalancerMetrics = (${computeBalancerMetrics.toString()});
const renderExposition = (${renderExposition.toString()});
const HELP = ${JSON.stringify(BALANCER_METRIC_HELP)};
const env = process.env;
const started = Date.now();
function log(fields) {
  print(JSON.stringify(Object.assign({ time: new Date().toISOString(), job: "balancer-metrics", cluster: env.BALANCER_METRICS_CLUSTER }, fields, { durationMs: Date.now() - started })));
}
const readSecret = (p) => fs.readFileSync(p, "utf8").replace(/\\r?\\n$/, "");
(async () => {
  try {
    for (const name of ["PUSHGATEWAY_URL", "BALANCER_METRICS_CLUSTER", "BALANCER_USERNAME_FILE", "BALANCER_PASSWORD_FILE"])
      if (!env[name]) throw new Error(name + " is not set");
    db.getSiblingDB("admin").auth(readSecret(env.BALANCER_USERNAME_FILE), readSecret(env.BALANCER_PASSWORD_FILE));
    // config.settings is read through mongos, as the config server holds it (find: nyrkioBalancerWindow).
    const settings = db.getSiblingDB("config").getCollection("settings").findOne({ _id: "balancer" });
    const leases = db.getSiblingDB(env.BALANCER_HOLDS_DB || ${JSON.stringify(BALANCER_WINDOWS_DB)}).getCollection(${JSON.stringify(BALANCER_WINDOWS_COLLECTION)}).find({}).toArray();
    const samples = computeBalancerMetrics({ settings, leases, now: new Date() });
    const url = env.PUSHGATEWAY_URL.replace(/\\/+$/, "") + "/metrics/job/${BALANCER_PUSH_JOB}/cluster/" + encodeURIComponent(env.BALANCER_METRICS_CLUSTER);
    const response = await fetch(url, { method: "PUT", headers: { "Content-Type": "text/plain; version=0.0.4" }, body: renderExposition(samples, HELP) });
    if (response.status !== 200 && response.status !== 202) throw new Error("the Pushgateway answered " + response.status + ": " + (await response.text()).slice(0, 300));
    log({ step: "push", status: "ok", enabled: samples[0].value, liveWindows: samples[1].value, to: url });
  } catch (e) {
    log({ step: "push", status: "failed", error: e && e.message ? e.message : String(e), exitCode: 1 });
    quit(1);
  }
})();
`;
}
