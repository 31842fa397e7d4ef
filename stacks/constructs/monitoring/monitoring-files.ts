// The files of monitoring/ that reach the cluster as ConfigMap data: the alert rules and the
// Grafana dashboard, read at synth time like the pod scripts (pod-scripts.ts), so the ConfigMap
// holds the very file promtool checked. The one change: runbook_url's repository-relative prefix
// becomes monitoring.runbookBaseUrl when one is configured.

import * as path from "node:path";
import type { MonitoringConfig } from "../../../config/platform-config";
import { readEmbeddedFile } from "../../../config/embedded-file";

const MONITORING_DIR = path.join(__dirname, "..", "..", "..", "monitoring");

/** ConfigMap keys: the file names Prometheus's rule_files and Grafana's sidecar see. */
export const RULES_FILE = "nyrkio-db.rules.yml";
/** Sharded clusters only: the balancer alerts (issue 13), a file of their own. */
export const SHARDING_RULES_FILE = "sharding-balancer.rules.yml";
export const DASHBOARD_FILE = "nyrkio-db.json";

const RUNBOOK_PREFIX = "runbook_url: docs/runbooks/";

/** The rules file, with runbook URLs under runbookBaseUrl when set. */
export function rulesFileText(monitoring: Pick<MonitoringConfig, "runbookBaseUrl">, file: string = RULES_FILE): string {
  const text = readEmbeddedFile(path.join(MONITORING_DIR, "rules", file));
  if (!monitoring.runbookBaseUrl) return text;
  return text.split(RUNBOOK_PREFIX).join(`runbook_url: ${monitoring.runbookBaseUrl.replace(/\/+$/, "")}/`);
}

/** Every rules file an environment loads, by ConfigMap key: the balancer's only where there is a balancer. */
export function rulesFiles(monitoring: Pick<MonitoringConfig, "runbookBaseUrl">, sharded: boolean): Record<string, string> {
  return Object.fromEntries((sharded ? [RULES_FILE, SHARDING_RULES_FILE] : [RULES_FILE]).map((f) => [f, rulesFileText(monitoring, f)]));
}

export function dashboardText(): string {
  return readEmbeddedFile(path.join(MONITORING_DIR, "dashboards", DASHBOARD_FILE));
}
