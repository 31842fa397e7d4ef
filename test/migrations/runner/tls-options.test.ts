// The CLIs' TLS (issue 15, "every client verifies the server's certificate and host name"):
// --tls-ca-file turns TLS on with that CA, conflicting settings are usage errors, and a
// connection string that turns a check off is refused with exit 2, naming the option, in every
// spelling (option names are case-insensitive: the Connection String spec), by migrate,
// check-queries and restore alike (they share connection-string.ts).
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectionStringProblem } from "../../../backup/restore/mongorestore-config";
import { INSECURE_TLS_OPTIONS } from "../../../config/tls";
import { parseCheckQueriesArgs } from "../../../migrations/cli/check-queries-args";
import { runCheckQueriesCli } from "../../../migrations/cli/check-queries-cli";
import type { CliIo } from "../../../migrations/cli/cli-io";
import { parseConnectionString } from "../../../migrations/cli/connection-string";
import { parseMigrateArgs } from "../../../migrations/cli/migrate-args";
import { runMigrateCli } from "../../../migrations/cli/migrate-cli";
import { openClient, tlsClientOptions } from "../../../migrations/cli/target";
import { UsageError } from "../../../migrations/runner/errors";

type Cli = (argv: string[], io: CliIo) => Promise<number>;

async function run(cli: Cli, argv: string[], uri: string) {
  let stdout = "";
  let stderr = "";
  const code = await cli(argv, {
    stdout: (s) => void (stdout += s),
    stderr: (s) => void (stderr += s),
    env: { MONGODB_URI: uri },
    readFile: () => {
      throw Object.assign(new Error("no such file"), { code: "ENOENT" });
    },
  });
  return { code, stdout, stderr };
}

const dir = mkdtempSync(join(tmpdir(), "nyrkio-tls-"));
const caFile = join(dir, "ca.crt");
writeFileSync(caFile, "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n");

/** Each insecure option as written in a URI, in three spellings. */
const spellings = INSECURE_TLS_OPTIONS.flatMap((o) => [o, o.toLowerCase(), o.toUpperCase()]);

describe("connection strings that turn a TLS check off", () => {
  it.each(spellings)("%s=true is refused by the parser, naming it", (option) => {
    const uri = `mongodb://u:p@db-0:27017/nyrkio?tls=true&${option}=true`;
    expect(() => parseConnectionString(uri)).toThrow(UsageError);
    expect(() => parseConnectionString(uri)).toThrow(new RegExp(`turns off TLS verification \\(${option}\\)`));
    // The restore CLI checks its URI files with the same parser.
    expect(connectionStringProblem(uri)).toMatch(option);
  });

  it("also with the value false: the option has no place in a connection string of this project", () => {
    expect(() => parseConnectionString("mongodb://db-0/?tlsInsecure=false")).toThrow(/tlsInsecure/);
  });

  it.each([
    [runMigrateCli, ["status", "--json"]],
    [runCheckQueriesCli, ["--json"]],
  ] as [Cli, string[]][])("the CLI exits 2 before connecting (%#)", async (cli, argv) => {
    const r = await run(cli, argv, "mongodb://127.0.0.1:1/?tls=true&tlsAllowInvalidHostnames=true&serverSelectionTimeoutMS=100");
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, error: { code: "usage", message: expect.stringContaining("tlsAllowInvalidHostnames") } });
  });

  it("verification on, as written, is accepted", () => {
    expect(() => parseConnectionString(`mongodb://db-0/?tls=true&tlsCAFile=${caFile}`)).not.toThrow();
  });
});

describe("--tls-ca-file", () => {
  it("is an option of migrate (commands that connect) and check-queries", () => {
    expect(parseMigrateArgs(["up", "--tls-ca-file", caFile])).toMatchObject({ kind: "run", tlsCaFile: caFile });
    expect(parseCheckQueriesArgs(["--tls-ca-file", caFile])).toMatchObject({ kind: "run", tlsCaFile: caFile });
    expect(() => parseMigrateArgs(["schema", "--tls-ca-file", caFile])).toThrow(/needs no database/);
    expect(parseMigrateArgs(["--help"])).toMatchObject({ text: expect.stringContaining("--tls-ca-file") });
  });

  it("turns TLS on with that CA; the driver keeps its host-name check", () => {
    expect(tlsClientOptions(parseConnectionString("mongodb://db-0/"), caFile)).toEqual({ tls: true, tlsCAFile: caFile });
    expect(tlsClientOptions(parseConnectionString("mongodb://db-0/"), undefined)).toEqual({});
    const { client } = openClient("mongodb://db-0:27017/", "test", caFile);
    expect(client.options.tls).toBe(true);
    expect(client.options.tlsCAFile).toBe(caFile);
    // Nothing that turns a check off: the driver sets rejectUnauthorized false, or
    // checkServerIdentity to a no-op, only from tlsInsecure/tlsAllowInvalid* (node-mongodb-native
    // 6.22.0 lib/connection_string.js, the tlsAllowInvalidCertificates and tlsAllowInvalidHostnames entries).
    const options = client.options as unknown as Record<string, unknown>;
    for (const key of ["rejectUnauthorized", "checkServerIdentity", "tlsInsecure", "tlsAllowInvalidHostnames", "tlsAllowInvalidCertificates"]) expect(options[key]).toBeUndefined();
  });

  it("refuses a string that says otherwise, or a file that cannot be read", () => {
    expect(() => tlsClientOptions(parseConnectionString("mongodb://db-0/?tls=false"), caFile)).toThrow(/tls=false; drop one/);
    expect(() => tlsClientOptions(parseConnectionString("mongodb://db-0/?ssl=false"), caFile)).toThrow(/tls=false/);
    expect(() => tlsClientOptions(parseConnectionString("mongodb://db-0/?tlsCAFile=/other/ca.pem"), caFile)).toThrow(/differs from the connection string's tlsCAFile/);
    expect(() => tlsClientOptions(parseConnectionString("mongodb://db-0/"), join(dir, "missing.crt"))).toThrow(/cannot read it/);
  });

  it("an unreadable CA file is a usage error of the CLI (exit 2)", async () => {
    const r = await run(runMigrateCli, ["status", "--json", "--tls-ca-file", join(dir, "missing.crt")], "mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=100");
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: "usage", message: expect.stringContaining("cannot read it") } });
  });
});
