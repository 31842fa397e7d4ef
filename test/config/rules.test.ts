import { cronRule } from "../../config/cron";
import { knownExploitedIn, mongoImageRule, parseMongoImage } from "../../config/mongo-image";
import { parseQuantity } from "../../config/quantity";

describe("parseQuantity", () => {
  it.each([
    ["10Gi", 10 * 2 ** 30],
    ["512Mi", 512 * 2 ** 20],
    ["500m", 0.5],
    ["1.5", 1.5],
    ["1e3", 1000],
    ["2k", 2000],
    ["1G", 1e9],
  ])("%s = %d", (text, value) => expect(parseQuantity(text)).toBeCloseTo(value));

  it.each(["10GB", "1 Gi", "Gi", "", "ten", "1.2.3Gi", "10gi"])("rejects %j", (text) => expect(parseQuantity(text)).toBeUndefined());
});

describe("cronRule", () => {
  it.each(["*/5 * * * *", "0 2 * * *", "17 3 * * 1-5", "0 0 1 jan,jul *", "0 12 * * sun", "@daily", "@hourly", "0,30 8-18/2 * * *"])("accepts %j", (s) =>
    expect(cronRule(s)).toBeUndefined(),
  );
  it.each([
    ["* * * *", /5 fields/],
    ["60 * * * *", /minute "60" is outside 0-59/],
    ["* * 0 * *", /day of month "0" is outside 1-31/],
    ["* * * 13 *", /month "13"/],
    ["*/0 * * * *", /bad step/],
    ["5-1 * * * *", /runs backwards/],
    ["@sometimes", /5 fields/],
    ["* * * * funday", /day of week "funday"/],
  ])("rejects %j", (s, expected) => expect(cronRule(s)).toMatch(expected));
});

describe("mongoImageRule", () => {
  it.each(["mongo:8.0.17", "mongo:8.0.28", "mongo:7.0.28-jammy", "docker.io/library/mongo:8.0.21", "registry.example.com:5000/mirror/mongo:6.0.27", `mongo:8.0.28@sha256:${"a".repeat(64)}`])(
    "accepts %s",
    (image) => expect(mongoImageRule(image)).toBeUndefined(),
  );
  it.each([
    ["mongo:8.1.0", /rapid release/],
    ["mongo:7.3.4", /rapid release/],
    ["mongo:5.0.30", /6\.0 or newer/],
    ["mongo", /pinned to a full MongoDB version tag/],
    ["mongo:latest", /pinned/],
    ["mongo:8", /pinned/],
    // CVE-2025-14847 (MongoBleed): the last affected release of each LTS line, with the fix named.
    ["mongo:8.0.16", /CVE-2025-14847 .*SERVER-115508.* is fixed in 8\.0\.17, got 8\.0\.16$/],
    ["mongo:8.0.12@sha256:" + "a".repeat(64), /CVE-2025-14847 .* is fixed in 8\.0\.17/],
    ["mongo:7.0.27-jammy", /CVE-2025-14847 .* is fixed in 7\.0\.28/],
    ["registry.example.com:5000/mirror/mongo:6.0.26", /CVE-2025-14847 .* is fixed in 6\.0\.27/],
  ])("rejects %s", (image, expected) => expect(mongoImageRule(image)).toMatch(expected));

  it("finds a vulnerability only in the lines it lists, below the fixed patch", () => {
    const table = [{ cve: "CVE-0000-1", summary: "s", fixedIn: { "7.0": 5 }, advisory: "a" }];
    expect(knownExploitedIn({ major: 7, minor: 0, patch: 4 }, table).map((v) => v.cve)).toEqual(["CVE-0000-1"]);
    expect(knownExploitedIn({ major: 7, minor: 0, patch: 5 }, table)).toEqual([]);
    expect(knownExploitedIn({ major: 8, minor: 0, patch: 0 }, table)).toEqual([]);
  });

  it("reads the digest an image is pinned to", () =>
    expect(parseMongoImage(`mongo:8.0.28@sha256:${"b".repeat(64)}`)).toMatchObject({ tag: "8.0.28", patch: 28, digest: `sha256:${"b".repeat(64)}` }));

  it("parses the version", () => expect(parseMongoImage("mongo:8.0.12-noble")).toMatchObject({ repository: "mongo", major: 8, minor: 0, patch: 12 }));
});
