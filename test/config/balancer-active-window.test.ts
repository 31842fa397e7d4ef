// The balancer's activeWindow against the 02:00 full dumps (issue 13, item 9).
import { sharded } from "../../config/environments/sharded";
import { activeWindowFindings, dailyStarts } from "../../config/balancer-active-window";
import { validateConfig } from "../../config/validate";

const withWindow = (start: string, stop: string, schedule = sharded.backup.full.schedule) => {
  const config = structuredClone(sharded);
  config.sharding.balancerActiveWindow = { start, stop };
  config.backup.full.schedule = schedule;
  return validateConfig(config);
};
const warningsOf = (r: ReturnType<typeof validateConfig>) => (r.ok ? r.warnings.filter((w) => w.path === "sharding.balancerActiveWindow") : []);

describe("the balancer's activeWindow and the full dumps", () => {
  it("warns when an off-hours window (00:00-06:00) overlaps the 02:00 dumps, naming both", () => {
    expect(sharded.backup.full.schedule).toBe("0 2 * * *");
    const w = warningsOf(withWindow("00:00", "06:00"));
    expect(w).toHaveLength(1);
    expect(w[0].rule).toContain("00:00-06:00 overlaps the full dumps (02:00");
    expect(w[0].rule).toContain("180 of its 360 minutes");
  });

  it("says the balancer never runs when the window lies inside the dumps", () => {
    expect(warningsOf(withWindow("02:30", "04:00"))[0].rule).toContain("never runs");
  });

  it("accepts a window apart from the dumps, across midnight too (the runbook's suggestion: 19:00-01:30)", () => {
    expect(warningsOf(withWindow("19:00", "01:30"))).toEqual([]);
    expect(warningsOf(withWindow("06:00", "08:00"))).toEqual([]);
    expect(warningsOf(withWindow("23:00", "02:30"))).toHaveLength(1);
  });

  it("follows the schedule, and refuses an empty window and a malformed time", () => {
    expect(warningsOf(withWindow("00:00", "06:00", "30 20 * * *"))).toEqual([]);
    expect(withWindow("03:00", "03:00")).toMatchObject({ ok: false, problems: [{ path: "sharding.balancerActiveWindow.stop" }] });
    expect(withWindow("3:00", "05:00")).toMatchObject({ ok: false, problems: [{ path: "sharding.balancerActiveWindow.start" }] });
  });

  it("reads simple schedules only, and stays quiet on others", () => {
    expect(dailyStarts("0 2 * * *")).toEqual([120]);
    expect(dailyStarts("15 1,13 * * *")).toEqual([75, 795]);
    expect(dailyStarts("*/30 * * * *")).toBeUndefined();
    expect(activeWindowFindings({ start: "00:00", stop: "06:00" }, "*/30 * * * *", "p")).toEqual([]);
  });
});
