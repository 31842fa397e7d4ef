// What monitoring adds to the database stack in every environment, beside the exporter sidecars
// (exporter.ts, in the member and mongos pods): the alert rules and the Grafana dashboard as
// ConfigMaps, one Service over every exporter with the usual scrape annotations, and a
// NetworkPolicy that lets the configured Prometheus namespaces reach the exporters' port only.

import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import { NetworkPolicyV1 } from "@cdktf/provider-kubernetes/lib/network-policy-v1";
import { ServiceV1 } from "@cdktf/provider-kubernetes/lib/service-v1";
import { Construct } from "constructs";
import type { PlatformConfig } from "../../../config/platform-config";
import { commonLabels } from "../../naming";
import { EXPORTER_PORT, EXPORTER_PORT_NAME, METRICS_PATH } from "./exporter";
import { DASHBOARD_FILE, dashboardText, rulesFiles } from "./monitoring-files";
import { configMapData } from "../../terraform-text";

export const RULES_CONFIG_MAP = "mongodb-prometheus-rules";
export const DASHBOARD_CONFIG_MAP = "mongodb-grafana-dashboard";
export const METRICS_SERVICE = "mongodb-metrics";
/**
 * Grafana's dashboard sidecar (grafana/helm-charts, values.yaml sidecar.dashboards.label) loads
 * every ConfigMap with this label; kube-prometheus-stack uses the same default.
 */
export const GRAFANA_DASHBOARD_LABEL = { grafana_dashboard: "1" } as const;
/** The annotations Prometheus's kubernetes-service-endpoints scrape job reads (prometheus/documentation/examples/prometheus-kubernetes.yml). */
export const SCRAPE_ANNOTATIONS = { "prometheus.io/scrape": "true", "prometheus.io/port": String(EXPORTER_PORT), "prometheus.io/path": METRICS_PATH } as const;

export interface MonitoringProps {
  config: PlatformConfig;
  namespace: string;
  /** Selects every pod of the database (the exporters run in the mongod and mongos pods). */
  databasePods: Record<string, string>;
}

export class Monitoring extends Construct {
  readonly rules: ConfigMapV1;
  readonly dashboard: ConfigMapV1;
  readonly service: ServiceV1;
  /** Absent with no scrapeNamespaces: an ingress rule without `from` would admit every source. */
  readonly networkPolicy?: NetworkPolicyV1;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const { config, namespace } = props;
    const labels = { ...commonLabels(config), "app.kubernetes.io/component": "monitoring" };

    this.rules = new ConfigMapV1(this, "rules", {
      metadata: { name: RULES_CONFIG_MAP, namespace, labels },
      data: configMapData(rulesFiles(config.monitoring, config.sharding.enabled), `ConfigMap ${RULES_CONFIG_MAP}`),
    });
    this.dashboard = new ConfigMapV1(this, "dashboard", {
      metadata: { name: DASHBOARD_CONFIG_MAP, namespace, labels: { ...labels, ...GRAFANA_DASHBOARD_LABEL } },
      data: configMapData({ [DASHBOARD_FILE]: dashboardText() }, `ConfigMap ${DASHBOARD_CONFIG_MAP}`),
    });

    // Headless: Prometheus scrapes each endpoint (each pod) on its own. Pods without the named
    // port (the arbiters) get no endpoint.
    this.service = new ServiceV1(this, "service", {
      metadata: { name: METRICS_SERVICE, namespace, labels, annotations: { ...SCRAPE_ANNOTATIONS } },
      spec: {
        clusterIp: "None",
        selector: props.databasePods,
        port: [{ name: EXPORTER_PORT_NAME, port: EXPORTER_PORT, targetPort: EXPORTER_PORT_NAME, protocol: "TCP" }],
      },
    });

    // NetworkPolicies add up: the members' own policy admits 27017 from the known clients, this
    // one admits the metrics port from the Prometheus namespaces, and nothing else changes.
    if (config.monitoring.scrapeNamespaces.length === 0) return;
    this.networkPolicy = new NetworkPolicyV1(this, "network-policy", {
      metadata: { name: `${METRICS_SERVICE}-ingress`, namespace, labels },
      spec: {
        podSelector: { matchLabels: props.databasePods },
        policyTypes: ["Ingress"],
        ingress: [
          {
            from: config.monitoring.scrapeNamespaces.map((ns) => ({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ns } } })),
            ports: [{ port: String(EXPORTER_PORT), protocol: "TCP" }],
          },
        ],
      },
    });
  }
}
