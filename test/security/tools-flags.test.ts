// Issue 15: "Every mongodump and mongorestore invocation uses only flags that mongo-tools accepts."
// The accepted options come from mongo-tools 100.18.0 (test/support/mongo-tools-options.ts cites
// the files). Checked here: every invocation in the shipped scripts, with the arrays and variables
// it expands resolved from their assignments, and the TLS flags config/tls.ts gives the tools.
// The same lists make the bats stand-ins refuse an unknown flag at run time
// (test/bats/backup/server-model.ts, bin/mongorestore) and check the restore planner's argv
// (test/support/mongorestore-rules.ts, used by the restore CLI tests).

import { readFileSync } from "node:fs";
import * as path from "node:path";
import { INSECURE_TLS_OPTIONS, type TlsConfig, toolsTlsArgs } from "../../config/tls";
import { MONGODUMP_OPTIONS, MONGORESTORE_OPTIONS, optionNames, unknownToolOption } from "../support/mongo-tools-options";

const REPO = path.join(__dirname, "..", "..");
const SCRIPTS = ["backup/scripts/full-dump.sh", "backup/scripts/oplog-slice.sh", "backup/scripts/restore.sh", "backup/scripts/verify.sh"];
const LIB = "backup/scripts/lib.sh";
const REQUIRE_TLS: TlsConfig = { mode: "requireTLS", certificates: { source: "secret", secretName: "mongodb-tls" }, memberAuth: "keyFile", clientsMigrated: true };

/** The script's commands, continuation lines joined, comments dropped. */
function commands(text: string): string[] {
  return text
    .replace(/\\\n\s*/g, " ")
    .split("\n")
    .filter((l) => !/^\s*#/.test(l));
}

/** The --flags a variable can hold: from every assignment to it (x=..., local x=(...), x+=(...)) in the file or lib.sh. */
function flagsOfVariable(name: string, sources: string[]): string[] {
  const assignment = new RegExp(`(^|[\\s;(])(local\\s+)?${name}\\+?=(\\([^)]*\\)|"[^"]*"|\\S*)`, "g");
  return sources.flatMap((text) => [...text.matchAll(assignment)].flatMap((m) => m[3].match(/--[A-Za-z]+(=[^\s"')]*)?/g) ?? []));
}

interface Invocation {
  file: string;
  tool: "mongodump" | "mongorestore";
  line: string;
  flags: string[];
}

/** Every mongodump/mongorestore run in the scripts (directly, or through restore.sh's run_mongorestore), with its flags resolved. */
function invocations(): Invocation[] {
  const lib = readFileSync(path.join(REPO, LIB), "utf8");
  return SCRIPTS.flatMap((file) => {
    const text = readFileSync(path.join(REPO, file), "utf8");
    return commands(text).flatMap((line): Invocation[] => {
      const m = /^\s*(?:if\s+!\s+|until\s+)?(?:[A-Z_]+=\S+\s+)*(mongodump|mongorestore|run_mongorestore)\s+(.*)$/.exec(line);
      if (!m || m[2].startsWith('"$@"')) return [];
      const tool = m[1] === "mongodump" ? "mongodump" : "mongorestore";
      const literal = m[2].match(/--[A-Za-z]+(=[^\s"')]*)?/g) ?? [];
      const variables = [...m[2].matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)(\[@\])?\}?/g)].map((v) => v[1]);
      const expanded = variables.flatMap((v) => flagsOfVariable(v, [text, lib]));
      return [{ file, tool, line: line.trim(), flags: [...literal, ...expanded] }];
    });
  });
}

describe("every mongodump and mongorestore invocation in the scripts", () => {
  const found = invocations();

  // Since issue 10 item 2 (k10a) a restore and a verification run one mongorestore per replica set
  // (the full dump and the oplog replayed together), so each script has a single call left.
  it("finds them all (the dump and the slice, the restore's one call per replica set, verify's one)", () => {
    expect(found.map((i) => `${i.file} ${i.tool}`).sort()).toEqual(
      [
        "backup/scripts/full-dump.sh mongodump",
        "backup/scripts/oplog-slice.sh mongodump",
        "backup/scripts/restore.sh mongorestore",
        "backup/scripts/verify.sh mongorestore",
      ].sort(),
    );
  });

  it.each(invocations().map((i) => [`${i.file}: ${i.line.slice(0, 80)}`, i] as const))("%s uses only options mongo-tools accepts", (_name, i) => {
    expect({ line: i.line, refusal: unknownToolOption(i.tool, i.flags) }).toEqual({ line: i.line, refusal: undefined });
    expect(i.flags.length).toBeGreaterThan(2);
  });

  it("with TLS, the flags the wrappers add are the tools' own (toolsTlsArgs: --ssl, --sslCAFile)", () => {
    const args = toolsTlsArgs(REQUIRE_TLS);
    expect(optionNames(args)).toEqual(["ssl", "sslCAFile"]);
    expect(unknownToolOption("mongodump", args)).toBeUndefined();
    expect(unknownToolOption("mongorestore", args)).toBeUndefined();
  });

  it("the check refuses what go-flags refuses: the mongosh spelling of TLS, a misspelling", () => {
    expect(unknownToolOption("mongodump", ["--tls", "--tlsCAFile=/x"])).toMatch(/unknown flag `tls'/);
    expect(unknownToolOption("mongorestore", ["--sslCaFile=/x"])).toMatch(/unknown flag `sslCaFile'/);
    expect(unknownToolOption("mongorestore", ["--oplog"])).toMatch(/unknown flag `oplog'/);
    expect(unknownToolOption("mongodump", ["--oplogReplay"])).toMatch(/unknown flag `oplogReplay'/);
  });

  it("the tools' only insecure flags are known to the contract's list", () => {
    const tlsish = [...MONGODUMP_OPTIONS, ...MONGORESTORE_OPTIONS].filter((o) => /allowInvalid|insecure/i.test(o));
    for (const o of tlsish) expect(INSECURE_TLS_OPTIONS as readonly string[]).toContain(o);
  });
});
