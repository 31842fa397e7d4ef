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
export const DASHBOARD_FILE = "nyrkio-db.json";

const RUNBOOK_PREFIX = "runbook_url: docs/runbooks/";

/** The rules file, with runbook URLs under runbookBaseUrl when set. */
export function rulesFileText(monitoring: Pick<MonitoringConfig, "runbookBaseUrl">): string {
  const text = readEmbeddedFile(path.join(MONITORING_DIR, "rules", RULES_FILE));
  if (!monitoring.runbookBaseUrl) return text;
  return text.split(RUNBOOK_PREFIX).join(`runbook_url: ${monitoring.runbookBaseUrl.replace(/\/+$/, "")}/`);
}

export function dashboardText(): string {
  return readEmbeddedFile(path.join(MONITORING_DIR, "dashboards", DASHBOARD_FILE));
}
