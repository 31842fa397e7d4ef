// renovate.json proposes digest and patch updates for every image the stacks run: its regex
// manager must find each pinned image in the files it scans, and its version rule must keep
// mongo on 8.0 patch releases (the config validation refuses rapid releases).
// Renovate's regex manager applies `matchStrings` (named groups depName, currentValue,
// currentDigest) to each file whose path matches `managerFilePatterns`
// (https://docs.renovatebot.com/modules/manager/regex/).

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { environments } from "../../config/environments";
import { synthBackup } from "../backup/stack/support";
import { Json, synthDatabase } from "../stacks/database-synth";

const root = join(__dirname, "..", "..");
const renovate = JSON.parse(readFileSync(join(root, "renovate.json"), "utf8"));
const manager = renovate.customManagers[0];

/** "/pattern/flags" as Renovate writes a regex in a string. */
function slashRegex(text: string): RegExp {
  const m = /^\/(.*)\/([a-z]*)$/.exec(text);
  if (!m) throw new Error(`not a /regex/: ${text}`);
  return new RegExp(m[1], m[2]);
}

function files(dir: string, rel = ""): string[] {
  return readdirSync(join(dir, rel)).flatMap((name) => {
    const path = rel ? `${rel}/${name}` : name;
    if (name === "node_modules" || name.startsWith(".") || name === "dist" || name.startsWith("cdktf.out")) return [];
    return statSync(join(dir, path)).isDirectory() ? files(dir, path) : [path];
  });
}

function found(): { depName: string; currentValue: string; currentDigest?: string }[] {
  const patterns = (manager.managerFilePatterns as string[]).map(slashRegex);
  const scanned = files(root).filter((f) => patterns.some((p) => p.test(f)));
  return scanned.flatMap((f) => {
    const text = readFileSync(join(root, f), "utf8");
    return (manager.matchStrings as string[]).flatMap((s) => [...text.matchAll(new RegExp(s, "g"))].map((m) => m.groups as Json));
  });
}

function images(value: Json): string[] {
  if (Array.isArray(value)) return value.flatMap(images);
  if (value && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => (k === "image" && typeof v === "string" ? [v] : images(v)));
  return [];
}

describe("renovate.json", () => {
  it("finds every image that a shipped environment's stacks run, with its tag and digest", () => {
    const deps = found().map((d) => `${d.depName}:${d.currentValue}${d.currentDigest ? `@${d.currentDigest}` : ""}`);
    const run = new Set(Object.values(environments).flatMap((c) => [...images(synthDatabase(c).json), ...images(synthBackup(c).json)]));
    expect(run.size).toBeGreaterThanOrEqual(2);
    for (const image of run) expect([image, deps.includes(image)]).toEqual([image, true]);
  });

  it("keeps mongo on 8.0 patch releases", () => {
    const rule = renovate.packageRules.find((r: Json) => r.matchPackageNames?.includes("mongo"));
    const allowed = slashRegex(rule.allowedVersions);
    expect(["8.0.28", "8.0.29", "8.0.100"].filter((v) => allowed.test(v))).toHaveLength(3);
    expect(["8.2.1", "8.1.0", "9.0.0", "7.0.30", "8.0"].filter((v) => allowed.test(v))).toEqual([]);
  });

  it("never proposes the archived cdktf packages", () => {
    const rule = renovate.packageRules.find((r: Json) => r.matchPackageNames?.includes("@cdktf/provider-kubernetes"));
    expect(rule).toMatchObject({ enabled: false });
    expect(rule.matchPackageNames).toEqual(expect.arrayContaining(["cdktf", "@cdktf/provider-kubernetes"]));
  });
});
