// The layering rule (DESIGN.md, the reconfig and restore planners as models): pure logic never
// imports from stacks/. Names and hosts that both need live in config/ (config/hosts.ts,
// config/backup-names.ts), which stacks/naming.ts and the constructs re-export. e2e/ (it drives a
// deployed cluster) and terraform-check/ (it synthesizes the stacks) are the I/O edges that may.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const ROOT = join(__dirname, "../..");
const PURE = ["backup", "cli", "config", "migrations", "monitoring", "ops", "replicaset", "sharding"];

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) return tsFiles(p);
    return p.endsWith(".ts") ? [p] : [];
  });
}

/** Every module specifier of a file's import and export-from statements and require calls. */
function specifiers(text: string): string[] {
  return [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|\brequire\s*\(\s*|^import\s+)["']([^"']+)["']/gm)].map((m) => m[1]);
}

describe("pure logic never imports from stacks/", () => {
  it.each(PURE)("%s/", (dir) => {
    const offenders = tsFiles(join(ROOT, dir)).flatMap((file) =>
      specifiers(readFileSync(file, "utf8"))
        .filter((s) => s.startsWith(".") && relative(ROOT, join(file, "..", s)).split("/")[0] === "stacks")
        .map((s) => `${relative(ROOT, file)} imports ${s}`),
    );
    expect(offenders).toEqual([]);
  });

  it("the check sees an import from stacks/ (it can fail)", () => {
    const file = join(ROOT, "backup/restore/example.ts");
    const found = specifiers('import { x } from "../../stacks/naming";\nexport * from "./y";').filter((s) => relative(ROOT, join(file, "..", s)).split("/")[0] === "stacks");
    expect(found).toEqual(["../../stacks/naming"]);
  });
});
