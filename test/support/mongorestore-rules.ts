// What the real mongorestore refuses before it restores anything, for the stand-ins that play it
// in tests: derived from mongo-tools (github.com/mongodb/mongo-tools, master at 8fa3cfc8):
//   - options: mongorestore/options.go and common/options/options.go (the long option names;
//     go-flags refuses any other: "unknown flag")
//   - mongorestore/mongorestore.go ParseAndValidateOptions:
//       "cannot use --oplogLimit without --oplogReplay enabled"
//       "cannot use --oplogFile without --oplogReplay enabled"
//       "cannot use --oplogFile with --archive specified"
//       "cannot specify --preserveUUID without --drop"
//   - mongorestore/mongorestore.go Restore: a dump directory with a top-level oplog.bson plus
//     --oplogFile is an oplog conflict (common/intents/intent.go PutOplogIntent: two top-priority
//     oplogs): "cannot provide both an oplog.bson file and an oplog file with --oplogFile, ..."
//   - mongorestore/main/mongorestore.go prints "Failed: <error>" and exits 1 (util.ExitFailure).

import { existsSync } from "node:fs";
import { MONGORESTORE_OPTIONS } from "./mongo-tools-options";
import { join } from "node:path";

// Every option mongorestore 100.18.0 accepts (mongo-tools-options.ts, derived from options.go and
// mongorestore/options.go), the TLS ones (--ssl, --sslCAFile) among them.
const KNOWN = new Set<string>(MONGORESTORE_OPTIONS);

/** The "Failed: ..." line mongorestore would print for argv (without argv[0]), or undefined when it would start restoring. */
export function mongorestoreRefusal(args: readonly string[]): string | undefined {
  const given = new Map<string, string | true>();
  for (const arg of args) {
    if (!arg.startsWith("--")) continue; // a positional dump directory
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    // go-flags' own words (github.com/jessevdk/go-flags, ErrUnknownFlag: "unknown flag `%s'").
    if (!KNOWN.has(name)) return `error parsing command line options: unknown flag \`${name}'`;
    given.set(name, eq < 0 ? true : arg.slice(eq + 1));
  }
  const has = (n: string) => given.has(n);
  if (has("oplogLimit") && !has("oplogReplay")) return "Failed: cannot use --oplogLimit without --oplogReplay enabled";
  if (has("oplogFile") && !has("oplogReplay")) return "Failed: cannot use --oplogFile without --oplogReplay enabled";
  if (has("oplogFile") && has("archive")) return "Failed: cannot use --oplogFile with --archive specified";
  if (has("preserveUUID") && !has("drop")) return "Failed: cannot specify --preserveUUID without --drop";
  const dir = given.get("dir");
  if (has("oplogFile") && typeof dir === "string" && (existsSync(join(dir, "oplog.bson")) || existsSync(join(dir, "oplog.bson.gz")))) {
    return "Failed: cannot provide both an oplog.bson file and an oplog file with --oplogFile, nor can you provide both a local/oplog.rs.bson and a local/oplog.$main.bson file";
  }
  return undefined;
}
