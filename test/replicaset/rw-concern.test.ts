import { dev } from "../../config/environments/dev";
import type { PlatformConfig } from "../../config/platform-config";
import { defaultRWConcernNeedsUpdate, renderDefaultRWConcernCommand, writeConcernW } from "../../replicaset/rw-concern";

const withRW = (rw: PlatformConfig["readWriteConcern"]): PlatformConfig => ({ ...dev, readWriteConcern: rw });

describe("renderDefaultRWConcernCommand", () => {
  test("dev: majority with a 10 s wtimeout, read concern local", () => {
    expect(renderDefaultRWConcernCommand(dev)).toEqual({
      setDefaultRWConcern: 1,
      defaultWriteConcern: { w: "majority", wtimeout: 10000 },
      defaultReadConcern: { level: "local" },
    });
  });

  test("a digit string becomes a number, as MongoDB needs for a member count", () => {
    const cmd = renderDefaultRWConcernCommand(withRW({ write: { w: "2", wtimeoutMS: 0 }, read: "majority" }));
    expect(cmd.defaultWriteConcern).toEqual({ w: 2, wtimeout: 0 });
    expect(cmd.defaultReadConcern).toEqual({ level: "majority" });
    expect(writeConcernW("majority")).toBe("majority");
    expect(writeConcernW("1")).toBe(1);
  });
});

describe("defaultRWConcernNeedsUpdate (getDefaultRWConcern as MongoDB 7/8 returns it)", () => {
  const cmd = renderDefaultRWConcernCommand(dev);
  const implicit = {
    defaultReadConcern: { level: "local" },
    defaultWriteConcern: { w: "majority" as const, wtimeout: 0 },
    defaultWriteConcernSource: "implicit" as const,
    defaultReadConcernSource: "implicit" as const,
  };
  const set = { ...implicit, defaultWriteConcern: { w: "majority" as const, wtimeout: 10000 }, defaultWriteConcernSource: "global" as const, defaultReadConcernSource: "global" as const };

  test("a fresh set (implicit defaults, even if equal-looking) needs it", () => {
    expect(defaultRWConcernNeedsUpdate(implicit, cmd)).toBe(true);
    expect(defaultRWConcernNeedsUpdate({}, cmd)).toBe(true);
  });
  test("exactly these explicit defaults: nothing to do", () => {
    expect(defaultRWConcernNeedsUpdate(set, cmd)).toBe(false);
  });
  test("a different w, wtimeout, read level or an implicit read concern: update", () => {
    expect(defaultRWConcernNeedsUpdate({ ...set, defaultWriteConcern: { w: 1, wtimeout: 10000 } }, cmd)).toBe(true);
    expect(defaultRWConcernNeedsUpdate({ ...set, defaultWriteConcern: { w: "majority", wtimeout: 0 } }, cmd)).toBe(true);
    expect(defaultRWConcernNeedsUpdate({ ...set, defaultReadConcern: { level: "majority" } }, cmd)).toBe(true);
    expect(defaultRWConcernNeedsUpdate({ ...set, defaultReadConcernSource: "implicit" }, cmd)).toBe(true);
  });
});
