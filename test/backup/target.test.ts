import { describeTarget, parseTarget, RestoreTarget } from "../../backup/restore/target";
import { formatTs, UINT32_MAX } from "../../backup/timestamp";

const S = 1714558444; // 2024-05-01T10:14:04Z

function ok(mode: "to" | "before", input: string): RestoreTarget {
  const r = parseTarget(mode, input);
  if (!r.ok) throw new Error(r.error);
  return r.target;
}
function error(mode: "to" | "before", input: string): string {
  const r = parseTarget(mode, input);
  if (r.ok) throw new Error(`${input} was accepted`);
  return r.error;
}

describe("restore targets", () => {
  it("--to S:I is inclusive: the limit is the next ordinal", () => {
    const t = ok("to", `${S}:3`);
    expect(t.lastIncluded).toEqual({ t: S, i: 3 });
    expect(formatTs(t.limit)).toBe(`${S}:4`);
  });

  it("--to S:<last ordinal> carries over into the next second", () => {
    expect(formatTs(ok("to", `${S}:${UINT32_MAX}`).limit)).toBe(`${S + 1}:0`);
  });

  it("--to ISO includes every operation of that second", () => {
    const t = ok("to", "2024-05-01T10:14:04Z");
    expect(t.lastIncluded).toEqual({ t: S, i: UINT32_MAX });
    expect(formatTs(t.limit)).toBe(`${S + 1}:0`);
  });

  it("--before S:I is exclusive: the limit is S:I itself", () => {
    const t = ok("before", `${S}:3`);
    expect(formatTs(t.limit)).toBe(`${S}:3`);
    expect(t.lastIncluded).toEqual({ t: S, i: 2 });
    expect(ok("before", `${S}:0`).lastIncluded).toEqual({ t: S - 1, i: UINT32_MAX });
  });

  it("--before ISO excludes the whole second", () => {
    const t = ok("before", "2024-05-01T10:14:04Z");
    expect(formatTs(t.limit)).toBe(`${S}:0`);
    expect(t.lastIncluded).toEqual({ t: S - 1, i: UINT32_MAX });
  });

  it("applies explicit offsets, with or without a colon", () => {
    expect(ok("to", "2024-05-01T13:14:04+03:00").limit).toEqual({ t: S + 1, i: 0 });
    expect(ok("to", "2024-05-01T13:14:04+0300").limit).toEqual({ t: S + 1, i: 0 });
    expect(ok("to", "2024-05-01T05:44:04-04:30").limit).toEqual({ t: S + 1, i: 0 });
    expect(ok("before", "2024-05-01T10:14:04+00:00").limit).toEqual({ t: S, i: 0 });
  });

  it("keeps the input as typed and describes the target", () => {
    const t = ok("to", "2024-05-01T10:14:04Z");
    expect(t.input).toBe("2024-05-01T10:14:04Z");
    expect(describeTarget(t)).toBe(`--to 2024-05-01T10:14:04Z: everything up to and including 2024-05-01T10:14:04Z (every operation in that second); oplogLimit ${S + 1}:0`);
    expect(describeTarget(ok("to", `${S}:3`))).toContain(`up to and including ${S}:3 (2024-05-01T10:14:04Z)`);
  });

  it.each([
    ["2024-05-01T10:14:04", /no zone: add "Z"/],
    ["2024-05-01 10:14", /no zone/],
    ["2024-05-01T10:14:04.123Z", /fractional seconds are not accepted.*2024-05-01T10:14:04Z/],
    ["2024-05-01T10:14:04,5+02:00", /fractional seconds.*2024-05-01T10:14:04\+02:00/],
    ["2024-05-01 10:14:04Z", /separate date and time with "T"/],
    ["2024-05-01T10:14Z", /give the seconds too/],
    ["2024-05-01", /a date alone is ambiguous/],
    ["1714558444", /bare number is ambiguous: write "1714558444:0"/],
    ["10:14:04", /needs a date and a zone/],
    ["2024-02-30T10:14:04Z", /day 30 does not exist in 2024-02/],
    ["2023-02-29T10:14:04Z", /day 29 does not exist/],
    ["2024-13-01T10:14:04Z", /month 13 does not exist/],
    ["2024-05-01T24:00:00Z", /hour 24/],
    ["2024-05-01T10:60:00Z", /minute 60/],
    ["2016-12-31T23:59:60Z", /leap seconds/],
    ["2024-05-01T10:14:04+24:00", /not a valid UTC offset/],
    ["1960-01-01T00:00:00Z", /before the epoch/],
    ["0070-01-01T00:00:00Z", /before the epoch/],
    ["2106-02-07T06:28:16Z", /beyond what a BSON timestamp can hold/],
    ["4294967296:0", /at most 4294967295/],
    ["yesterday", /is not a restore point: use ISO 8601/],
    ["", /is not a restore point/],
  ])("--to %j is refused with a clear message", (input, message) => {
    const e = error("to", input);
    expect(e).toMatch(message);
    expect(e.startsWith(`--to ${JSON.stringify(input)}: `)).toBe(true);
  });

  it("leap day exists in leap years", () => {
    expect(ok("to", "2024-02-29T00:00:00Z").limit.t).toBe(Date.UTC(2024, 1, 29) / 1000 + 1);
  });

  it("refuses the ends of the timestamp range", () => {
    expect(error("to", `${UINT32_MAX}:${UINT32_MAX}`)).toMatch(/no limit after it/);
    expect(error("before", "0:0")).toMatch(/nothing comes before 0:0/);
    expect(error("before", "1970-01-01T00:00:00Z")).toMatch(/nothing comes before the epoch/);
    expect(ok("before", "0:1").lastIncluded).toEqual({ t: 0, i: 0 });
    expect(ok("to", "2106-02-07T06:28:14Z").limit).toEqual({ t: UINT32_MAX, i: 0 });
    expect(error("to", "2106-02-07T06:28:15Z")).toMatch(/beyond/);
    expect(ok("before", "2106-02-07T06:28:15Z").limit).toEqual({ t: UINT32_MAX, i: 0 });
  });
});
