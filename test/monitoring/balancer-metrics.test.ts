// The balancer metrics' decision (monitoring/balancer-metrics.ts): settings + leases + now → the
// two gauges the balancer alert reads. The settings cases are those of the server's own tests of
// BalancerSettingsType::fromBSON (src/mongo/s/balancer_configuration_test.cpp: Defaults,
// BalancerDisabledThroughStoppedOption, AllValidBalancerModeOptions).
import { BALANCER_METRIC_NAMES, computeBalancerMetrics } from "../../monitoring/balancer-metrics";
import { renderExposition } from "../../monitoring/backup-metrics";
import { modeOf } from "../sharding/stand-in-balancer";

const now = new Date("2026-12-06T02:00:00Z");
const at = (offsetSeconds: number) => new Date(now.getTime() + offsetSeconds * 1000);
const values = (settings: Record<string, unknown> | null, leases: { _id: unknown; expiresAt?: unknown }[] = []) =>
  Object.fromEntries(computeBalancerMetrics({ settings, leases, now }).map((s) => [s.name, s.value]));

describe("computeBalancerMetrics", () => {
  test.each<[string, Record<string, unknown> | null, number]>([
    ["never written: full", null, 1],
    ["empty document: full", { _id: "balancer" }, 1],
    ["mode full", { _id: "balancer", mode: "full" }, 1],
    ["mode off", { _id: "balancer", mode: "off" }, 0],
    ["stopped true wins over mode full", { _id: "balancer", stopped: true, mode: "full" }, 0],
    ["stopped false, mode off: off", { _id: "balancer", stopped: false, mode: "off" }, 0],
    ["stopped false alone: full", { _id: "balancer", stopped: false }, 1],
    ["as balancerStop writes it", { _id: "balancer", stopped: true, mode: "off" }, 0],
    ["as balancerStart writes it", { _id: "balancer", stopped: false, mode: "full" }, 1],
    ["a mode the server refuses: off, so someone looks", { _id: "balancer", mode: "autoSplitOnly" }, 0],
  ])("%s", (_why, settings, enabled) => {
    expect(values(settings).nyrkio_balancer_enabled).toBe(enabled);
  });

  test("agrees with the balancer stand-in's reading of the settings (test/sharding/stand-in-balancer.ts modeOf)", () => {
    for (const s of [null, {}, { mode: "off" }, { stopped: true }, { stopped: true, mode: "full" }, { stopped: false, mode: "off" }, { mode: "bogus" }]) {
      expect(values(s).nyrkio_balancer_enabled).toBe(modeOf(s) === "full" ? 1 : 0);
    }
  });

  test("counts leases that expire after now; not the lock, not an expired lease, not one without a date", () => {
    const leases = [
      { _id: "full-rs0-abc", expiresAt: at(3600), since: at(-60), restart: true },
      { _id: "full-rs1-def", expiresAt: at(1), since: at(-60), restart: false },
      { _id: "full-cfg-old", expiresAt: at(-1), since: at(-30000), restart: false },
      { _id: "full-rs2-now", expiresAt: at(0), since: at(-60), restart: false },
      { _id: "lock", holder: "full-rs0-abc", expiresAt: at(600) },
      { _id: "broken", expiresAt: "2099-01-01" },
    ];
    expect(values({ stopped: true, mode: "off" }, leases)).toEqual({ nyrkio_balancer_enabled: 0, nyrkio_balancer_live_windows: 2 });
    expect(values(null, [])).toEqual({ nyrkio_balancer_enabled: 1, nyrkio_balancer_live_windows: 0 });
  });

  test("yields exactly the names the rules read, unlabelled (the Pushgateway group adds cluster)", () => {
    const samples = computeBalancerMetrics({ settings: null, leases: [], now });
    expect(samples.map((s) => s.name)).toEqual([...BALANCER_METRIC_NAMES]);
    expect(samples.every((s) => Object.keys(s.labels).length === 0)).toBe(true);
    expect(renderExposition(samples, {})).toBe("# HELP nyrkio_balancer_enabled nyrkio_balancer_enabled\n# TYPE nyrkio_balancer_enabled gauge\nnyrkio_balancer_enabled{} 1\n# HELP nyrkio_balancer_live_windows nyrkio_balancer_live_windows\n# TYPE nyrkio_balancer_live_windows gauge\nnyrkio_balancer_live_windows{} 0\n");
  });
});
