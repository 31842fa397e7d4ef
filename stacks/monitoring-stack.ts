// The Prometheus Operator's objects for the database: a PrometheusRule with the same rules as the
// plain rules file, and a PodMonitor over the exporters. A stack of its own
// (nyrkio-db-<env>-monitoring), present only with monitoring.prometheusOperator: true, applied
// after the operator is installed: the provider's kubernetes_manifest reads the CRDs from the
// API server at plan time (hashicorp/kubernetes v2.38.0 manifest resource), so the offline
// Terraform check cannot validate these resources and a cluster without the CRDs cannot plan
// them. The database and backup stacks never depend on it.

import { Manifest } from "@cdktf/provider-kubernetes/lib/manifest";
import { Construct } from "constructs";
import { parse } from "yaml";
import { databasePodSelector } from "./constructs/replica-set";
import { EXPORTER_PORT_NAME, METRICS_PATH } from "./constructs/monitoring/exporter";
import { rulesFiles } from "./constructs/monitoring/monitoring-files";
import { commonLabels, monitoringStackName } from "./naming";
import { PlatformStack, PlatformStackProps } from "./platform-stack";

export const PROMETHEUS_RULE_NAME = "nyrkio-db";
export const POD_MONITOR_NAME = "mongodb-exporters";

export class MonitoringStack extends PlatformStack {
  readonly prometheusRule: Manifest;
  readonly podMonitor: Manifest;

  constructor(scope: Construct, props: PlatformStackProps) {
    super(scope, monitoringStackName(props.config), props);
    const config = this.config;
    const namespace = config.kubernetes.namespace;
    const labels = { ...commonLabels(config), "app.kubernetes.io/component": "monitoring", ...(config.monitoring.operatorLabels ?? {}) };

    // The same groups as the ConfigMap's rules files, parsed from them: one source for both.
    const groups = Object.values(rulesFiles(config.monitoring, config.sharding.enabled)).flatMap((text) => (parse(text) as { groups: unknown[] }).groups);
    this.prometheusRule = new Manifest(this, "prometheus-rule", {
      manifest: {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PrometheusRule",
        metadata: { name: PROMETHEUS_RULE_NAME, namespace, labels },
        spec: { groups },
      },
    });
    this.podMonitor = new Manifest(this, "pod-monitor", {
      manifest: {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PodMonitor",
        metadata: { name: POD_MONITOR_NAME, namespace, labels },
        spec: {
          selector: { matchLabels: databasePodSelector(config) },
          // Only containers with the named port: the exporters (the arbiters have none).
          podMetricsEndpoints: [{ port: EXPORTER_PORT_NAME, path: METRICS_PATH, interval: "30s" }],
        },
      },
    });
  }
}
