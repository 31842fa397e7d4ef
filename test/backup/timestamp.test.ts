import { compareTs, describeTs, formatTs, isTimestamp, parseTs, tsAfter, tsBefore, UINT32_MAX } from "../../backup/timestamp";

describe("BSON timestamps", () => {
  it("orders by seconds, then by ordinal", () => {
    expect(compareTs({ t: 1, i: 9 }, { t: 2, i: 0 })).toBeLessThan(0);
    expect(compareTs({ t: 2, i: 1 }, { t: 2, i: 0 })).toBeGreaterThan(0);
    expect(compareTs({ t: 2, i: 1 }, { t: 2, i: 1 })).toBe(0);
  });

  it("steps over the ordinal's 32-bit limit into the next second and back", () => {
    expect(tsAfter({ t: 5, i: 7 })).toEqual({ t: 5, i: 8 });
    expect(tsAfter({ t: 5, i: UINT32_MAX })).toEqual({ t: 6, i: 0 });
    expect(tsAfter({ t: UINT32_MAX, i: UINT32_MAX })).toBeUndefined();
    expect(tsBefore({ t: 6, i: 0 })).toEqual({ t: 5, i: UINT32_MAX });
    expect(tsBefore({ t: 6, i: 3 })).toEqual({ t: 6, i: 2 });
    expect(tsBefore({ t: 0, i: 0 })).toBeUndefined();
  });

  it("formats and parses the canonical <seconds>:<ordinal>", () => {
    expect(formatTs({ t: 1714558444, i: 3 })).toBe("1714558444:3");
    expect(parseTs("1714558444:3")).toEqual({ t: 1714558444, i: 3 });
    expect(parseTs("4294967295:4294967295")).toEqual({ t: UINT32_MAX, i: UINT32_MAX });
    for (const bad of ["4294967296:0", "1:4294967296", "-1:0", "1.5:0", "1:", ":1", "1", " 1:2", "0x10:1"]) expect(parseTs(bad)).toBeUndefined();
  });

  it("validates the {t, i} shape as unsigned 32-bit integers", () => {
    expect(isTimestamp({ t: 0, i: 0 })).toBe(true);
    expect(isTimestamp({ t: -1, i: 0 })).toBe(false);
    expect(isTimestamp({ t: 1, i: 0.5 })).toBe(false);
    expect(isTimestamp({ t: 1 })).toBe(false);
    expect(isTimestamp(null)).toBe(false);
  });

  it("describes a timestamp in both forms", () => {
    expect(describeTs({ t: 1714558444, i: 3 })).toBe("2024-05-01T10:14:04Z (1714558444:3)");
  });
});
