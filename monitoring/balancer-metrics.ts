// The balancer's metrics of a sharded cluster (issue 13): what the alert rules of
// monitoring/rules/sharding-balancer.rules.yml read. Pure: from the balancer's settings document
// and the balancer windows' leases as read through mongos, and the time of the reading.
//
//   nyrkio_balancer_enabled       1 when the balancer's mode is "full", else 0
//   nyrkio_balancer_live_windows  leases whose expiresAt is after `now`, the lock not counted
//
// The samples carry no labels: the push script's Pushgateway group adds `cluster` (the rules join
// on it), and client_golang's push.go refuses a pushed sample that carries a grouping label itself.

/* istanbul ignore file -- balancerMode and computeBalancerMetrics are embedded as text by toString() */
import type { Sample } from "./backup-metrics";

export const BALANCER_METRICS = {
  enabled: { name: "nyrkio_balancer_enabled", help: "1 when the balancer's mode (config.settings {_id: \"balancer\"}, as the server reads it) is full, else 0" },
  liveWindows: { name: "nyrkio_balancer_live_windows", help: "Balancer windows (nyrkio_ops.balancer_windows leases) whose expiresAt is in the future, the lock not counted" },
} as const;

export const BALANCER_METRIC_NAMES: readonly string[] = Object.values(BALANCER_METRICS).map((m) => m.name);
/** What the Pushgateway adds to every group itself: the time of its last successful push (Pushgateway README). */
export const PUSHGATEWAY_METRICS: readonly string[] = ["push_time_seconds"];

export const BALANCER_METRIC_HELP: Readonly<Record<string, string>> = Object.fromEntries(Object.values(BALANCER_METRICS).map((m) => [m.name, m.help]));

/** A lease of sharding/mongosh/balancer.js: {_id: holder, since, expiresAt, restart}, or the lock {_id: "lock", holder, expiresAt}. */
export interface BalancerLease {
  _id: unknown;
  expiresAt?: unknown;
}

export interface BalancerMetricsInput {
  /** config.settings {_id: "balancer"}, or null when it was never written. */
  settings: Record<string, unknown> | null;
  /** Every document of the leases collection, the lock included (it is left out here). */
  leases: BalancerLease[];
  /** When they were read. */
  now: Date;
}

/**
 * SELF-CONTAINED (no imports, no module-level names): the push script embeds it as text with
 * Function.prototype.toString (monitoring/balancer-metrics-script.ts), so the pod and the tests run
 * the same code.
 *
 * The mode as the server reads the document (src/mongo/s/balancer_configuration.cpp,
 * BalancerSettingsType::fromBSON, and its tests in balancer_configuration_test.cpp): no document
 * or no field means "full"; `stopped: true` means "off" whatever `mode` says; otherwise `mode`
 * ("full" or "off"). The server refuses any other mode (fromBSON returns an error and the
 * balancer keeps its previous settings): counted as off here, so the alert asks a human to look.
 */
export function computeBalancerMetrics(input: BalancerMetricsInput): Sample[] {
  const s = input.settings;
  let enabled = true;
  if (s && s.stopped === true) enabled = false;
  else if (s && s.mode !== undefined && s.mode !== null) enabled = s.mode === "full";
  const now = input.now.getTime();
  // balancer.js's lock document shares the collection: it is no window.
  const live = input.leases.filter((l) => l._id !== "lock" && l.expiresAt instanceof Date && l.expiresAt.getTime() > now).length;
  return [
    { name: "nyrkio_balancer_enabled", labels: {}, value: enabled ? 1 : 0 },
    { name: "nyrkio_balancer_live_windows", labels: {}, value: live },
  ];
}
