// The command-line options mongodump and mongorestore accept, from mongo-tools at tag 100.18.0
// (github.com/mongodb/mongo-tools; the official mongo:8.0 image installs mongodb-database-tools
// 100.x from MongoDB's repository: docker-library/mongo 8.0/Dockerfile, `${MONGO_PACKAGE}-tools`).
// The lists are unchanged from 100.10.0 to 100.18.0 (checked against both tags):
//   common/options/options.go  the groups every tool registers in New(): General, Verbosity,
//     Connection, SSL, Auth, Kerberos, Namespace, URI (parser.AddGroup), each struct's `long:` tags
//   mongodump/options.go       InputOptions and OutputOptions
//   mongorestore/options.go    NSOptions, InputOptions and OutputOptions
// go-flags refuses anything else before the tool connects: "error parsing command line options:
// unknown flag `x'" (mongo-tools common/options ParseArgs wraps the go-flags error).

export const COMMON_OPTIONS = [
  // General
  "help",
  "version",
  "config",
  "numThreads",
  "failpoints",
  "trace",
  // Verbosity
  "verbose",
  "quiet",
  // Connection
  "host",
  "port",
  "dialTimeout",
  "socketTimeout",
  "TCPKeepAliveSeconds",
  "serverSelectionTimeout",
  "compressors",
  // SSL (the database tools spell TLS --ssl*; their one --tls* flag is --tlsInsecure)
  "ssl",
  "sslCAFile",
  "sslPEMKeyFile",
  "sslPEMKeyPassword",
  "sslCRLFile",
  "sslAllowInvalidCertificates",
  "sslAllowInvalidHostnames",
  "sslFIPSMode",
  "tlsInsecure",
  // Auth, Kerberos
  "username",
  "password",
  "authenticationDatabase",
  "authenticationMechanism",
  "awsSessionToken",
  "gssapiServiceName",
  "gssapiHostName",
  // Namespace, URI
  "db",
  "collection",
  "uri",
] as const;

export const MONGODUMP_OPTIONS = [
  ...COMMON_OPTIONS,
  "query",
  "queryFile",
  "readPreference",
  "forceTableScan",
  "internalOnlySourceWritesDoneBarrier",
  "out",
  "gzip",
  "oplog",
  "archive",
  "dumpDbUsersAndRoles",
  "excludeCollection",
  "excludeCollectionsWithPrefix",
  "numParallelCollections",
  "viewsAsCollections",
] as const;

export const MONGORESTORE_OPTIONS = [
  ...COMMON_OPTIONS,
  "excludeCollection",
  "excludeCollectionsWithPrefix",
  "nsExclude",
  "nsInclude",
  "nsFrom",
  "nsTo",
  "objcheck",
  "oplogReplay",
  "oplogLimit",
  "oplogFile",
  "archive",
  "restoreDbUsersAndRoles",
  "dir",
  "gzip",
  "drop",
  "dryRun",
  "writeConcern",
  "noIndexRestore",
  "convertLegacyIndexes",
  "noOptionsRestore",
  "keepIndexVersion",
  "maintainInsertionOrder",
  "numParallelCollections",
  "numInsertionWorkersPerCollection",
  "stopOnError",
  "bypassDocumentValidation",
  "preserveUUID",
  "fixDottedHashIndex",
  "tempUsersColl",
  "tempRolesColl",
  "batchSize",
] as const;

/** Short flags (the `short:` tags): -h host, -u, -p, -d, -c, -v, -q (dump: query), -o (dump: out), -j. */
const SHORT = new Set(["h", "u", "p", "d", "c", "v", "q", "o", "j"]);

export type Tool = "mongodump" | "mongorestore";

/** The option names (without dashes) an argv uses; a positional (a dump directory) is skipped. */
export function optionNames(argv: readonly string[]): string[] {
  return argv
    .filter((a) => a.startsWith("-") && a !== "-")
    .map((a) => a.replace(/^--?/, "").replace(/=.*$/, ""));
}

/** go-flags' refusal of the first option the tool does not know, or undefined. */
export function unknownToolOption(
  tool: Tool,
  argv: readonly string[]
): string | undefined {
  const known = new Set<string>(
    tool === "mongodump" ? MONGODUMP_OPTIONS : MONGORESTORE_OPTIONS
  );
  for (const arg of argv) {
    if (!arg.startsWith("-") || arg === "-") continue;
    const long = arg.startsWith("--");
    const name = arg.replace(/^--?/, "").replace(/=.*$/, "");
    if (long ? !known.has(name) : !SHORT.has(name[0]))
      return `error parsing command line options: unknown flag \`${name}'`;
  }
  return undefined;
}
