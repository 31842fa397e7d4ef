// The mongodb_exporter v0.53.0 metrics the rules and the dashboard use, each with where the
// pinned tag makes it. The exporter derives most names at run time from server output
// (exporter/metrics.go: prometheusize() shortens "serverStatus." to "ss_", "serverStatus.wiredTiger."
// to "ss_wt_", replaces other characters with "_" and prefixes "mongodb_"; nodeToPDMetrics turns
// some sub-documents into one metric with a label), so the list is derived from that source, not
// from a scrape. A test holds every name the rules and the dashboard query to this list, the
// backup metrics (monitoring/backup-metrics.ts) and the recording rules.

export interface ExporterMetric {
  name: string;
  labels: string[];
  /** File and function of github.com/percona/mongodb_exporter at v0.53.0, or the server field it comes from. */
  source: string;
}

/** Labels every collector with topology info adds (exporter/topology_info.go: loadLabels). */
const TOPOLOGY = ["cl_role", "cl_id", "rs_nm", "rs_state"];

export const EXPORTER_METRICS: readonly ExporterMetric[] = [
  { name: "mongodb_up", labels: ["cluster_role"], source: "exporter/general_collector.go mongodbUpMetric: 1 when a ping succeeds" },
  { name: "mongodb_myState", labels: TOPOLOGY, source: "exporter/replset_status_collector.go: replSetGetStatus.myState (replset_status_collector_test.go)" },
  { name: "mongodb_members_state", labels: [...TOPOLOGY, "member_idx", "member_state"], source: "replSetGetStatus.members[].state; metrics.go processSlice labels member_idx (name/host) and member_state (stateStr)" },
  { name: "mongodb_members_health", labels: [...TOPOLOGY, "member_idx", "member_state"], source: "replSetGetStatus.members[].health, as above" },
  { name: "mongodb_rs_cfg_members_priority", labels: [...TOPOLOGY, "member_idx"], source: "exporter/replset_config_collector.go: makeMetrics(\"rs_cfg\", replSetGetConfig.config); members[].priority, member_idx from host" },
  { name: "mongodb_rs_cfg_members_votes", labels: [...TOPOLOGY, "member_idx"], source: "replSetGetConfig.config.members[].votes, as above" },
  { name: "mongodb_mongod_replset_member_replication_lag", labels: ["name", "state", "set", "self"], source: "exporter/v1_compatibility.go replSetMetrics (--compatible-mode): seconds behind the primary's optimeDate" },
  { name: "mongodb_mongod_replset_oplog_head_timestamp", labels: [], source: "exporter/v1_compatibility.go oplogStatus (--compatible-mode): newest local.oplog.rs ts, seconds" },
  { name: "mongodb_mongod_replset_oplog_tail_timestamp", labels: [], source: "exporter/v1_compatibility.go oplogStatus (--compatible-mode): oldest local.oplog.rs ts, seconds" },
  { name: "mongodb_ss_connections", labels: [...TOPOLOGY, "conn_type"], source: "getDiagnosticData serverStatus.connections.*; metrics.go nodeToPDMetrics conn_type" },
  { name: "mongodb_ss_opcounters", labels: [...TOPOLOGY, "legacy_op_type"], source: "getDiagnosticData serverStatus.opcounters.*; metrics.go nodeToPDMetrics legacy_op_type" },
  { name: "mongodb_ss_wt_cache_bytes_currently_in_the_cache", labels: TOPOLOGY, source: "getDiagnosticData serverStatus.wiredTiger.cache[\"bytes currently in the cache\"]" },
  { name: "mongodb_ss_wt_cache_maximum_bytes_configured", labels: TOPOLOGY, source: "getDiagnosticData serverStatus.wiredTiger.cache[\"maximum bytes configured\"] (also v1_compatibility.go newName)" },
];

/** Series from kube-state-metrics and the kubelet that the rules and the dashboard use. */
export const KUBERNETES_METRICS: readonly string[] = [
  "kube_cronjob_created",
  "kube_cronjob_status_last_successful_time",
  "kube_cronjob_status_last_schedule_time",
  "kube_cronjob_status_active",
  "kube_job_status_failed",
  "kube_pod_container_status_restarts_total",
  "kube_pod_container_status_last_terminated_reason",
  "kubelet_volume_stats_used_bytes",
  "kubelet_volume_stats_capacity_bytes",
];
