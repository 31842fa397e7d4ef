import { formatDuration, TimeoutError, waitFor } from "../../e2e/wait";
import { fakeClock } from "./fake-clock";


describe("waitFor", () => {
  it("returns the value and the time it took once the probe is done", async () => {
    const clock = fakeClock();
    let n = 0;
    const r = await waitFor("three polls", async () => (++n === 3 ? { done: true, value: "x" } : { done: false, seen: `poll ${n}` }), { timeoutMs: 10_000, intervalMs: 1000, clock });
    expect(r).toEqual({ value: "x", elapsedMs: 2000 });
  });

  it("times out naming what it waited for, how long, and what it saw last", async () => {
    const clock = fakeClock();
    const p = waitFor("2 Ready pod(s) app=db in ns", async () => ({ done: false, seen: "0/2 Ready: db-0 Pending" }), { timeoutMs: 5000, intervalMs: 2000, clock });
    await expect(p).rejects.toThrow(new TimeoutError("2 Ready pod(s) app=db in ns", 5000, "0/2 Ready: db-0 Pending"));
    await expect(p).rejects.toThrow("timed out after 5.0s waiting for 2 Ready pod(s) app=db in ns; last seen: 0/2 Ready: db-0 Pending");
    // The last sleep is shortened to the deadline, and the probe runs once more at it.
    expect(clock.slept).toEqual([2000, 2000, 1000]);
  });

  it("reports a condition met exactly at the deadline as done, not as a timeout", async () => {
    const clock = fakeClock();
    let n = 0;
    await expect(waitFor("x", async () => (++n === 3 ? { done: true, value: n } : { done: false, seen: "" }), { timeoutMs: 2000, intervalMs: 1000, clock })).resolves.toEqual({ value: 3, elapsedMs: 2000 });
  });

  it("does not retry a probe that throws: the failure ends the wait at once", async () => {
    const clock = fakeClock();
    let n = 0;
    await expect(
      waitFor("job", async () => {
        n++;
        throw new Error("Job failed: BackoffLimitExceeded");
      }, { timeoutMs: 60_000, intervalMs: 1000, clock }),
    ).rejects.toThrow("Job failed: BackoffLimitExceeded");
    expect(n).toBe(1);
  });

  it("formats durations for the table", () => {
    expect(formatDuration(950)).toBe("950ms");
    expect(formatDuration(12_345)).toBe("12.3s");
    expect(formatDuration(61_500)).toBe("1m01.5s");
    expect(formatDuration(3_723_000)).toBe("62m03.0s");
  });
});
