// The long option names mongodump and mongorestore accept, and what mongodump refuses before it
// dumps anything: for the stand-ins that play the tools in tests and for the test that every argv
// the project builds is one the real tools take. Derived from mongo-tools at tag 100.18.0
// (github.com/mongodb/mongo-tools; the `long:"..."` struct tags, which go-flags parses, refusing
// any other name with "unknown flag"):
//   - common/options/options.go: every tool's general, connection, SSL, auth, namespace and URI options
//   - mongorestore/options.go: InputOptions, OutputOptions, NSOptions
//   - mongodump/options.go: InputOptions, OutputOptions
// mongodump/mongodump.go ValidateOptions (lines 85-125 at 100.18.0) refuses the combinations below.

// The lists themselves live in mongo-tools-options.ts (one derivation of options.go for every test).
import { MONGODUMP_OPTIONS, MONGORESTORE_OPTIONS } from "./mongo-tools-options";
export const MONGORESTORE_FLAGS: ReadonlySet<string> = new Set<string>(MONGORESTORE_OPTIONS);

export const MONGODUMP_FLAGS: ReadonlySet<string> = new Set<string>(MONGODUMP_OPTIONS);

/** The options of argv (without argv[0]) by long name; a value-less flag maps to true. */
export function longOptions(args: readonly string[]): Map<string, string | true> {
  const given = new Map<string, string | true>();
  for (const arg of args) {
    if (!arg.startsWith("--")) continue;
    const eq = arg.indexOf("=");
    given.set(arg.slice(2, eq < 0 ? undefined : eq), eq < 0 ? true : arg.slice(eq + 1));
  }
  return given;
}

/** The first long option not in `known`, as go-flags refuses it (its ErrUnknownFlag text), or undefined. */
export function unknownOption(args: readonly string[], known: ReadonlySet<string>): string | undefined {
  for (const name of longOptions(args).keys()) if (!known.has(name)) return `error parsing command line options: unknown flag \`${name}'`;
  return undefined;
}

/** The "Failed: ..." line mongodump would print for argv (without argv[0]), or undefined when it would start dumping. */
export function mongodumpRefusal(args: readonly string[]): string | undefined {
  const unknown = unknownOption(args, MONGODUMP_FLAGS);
  if (unknown) return unknown;
  const given = longOptions(args);
  const has = (n: string) => given.has(n);
  // mongodump.go ValidateOptions, in its order (the ones our calls could meet).
  if (given.get("out") === "-" && !has("collection")) return "Failed: can only dump a single collection to stdout";
  if (has("collection") && !has("db")) return "Failed: cannot dump a collection without a specified database";
  if (has("query") && !has("collection")) return "Failed: cannot dump using a query without a specified collection";
  if (has("queryFile") && !has("collection")) return "Failed: cannot dump using a queryFile without a specified collection";
  if (has("oplog") && has("db")) return "Failed: --oplog mode only supported on full dumps";
  if (has("out") && has("archive")) return "Failed: --out not allowed when --archive is specified";
  return undefined;
}
