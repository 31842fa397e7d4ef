// Connection strings are parsed before the driver sees them (issue 11 defects 1 and 3, issue 12
// item 13): a second "@" is refused with exit 2, nothing of the user info reaches any output, a
// malformed string is a usage error, the string's own serverSelectionTimeoutMS is honoured.
import { runCheckQueriesCli } from "../../../migrations/cli/check-queries-cli";
import type { CliIo } from "../../../migrations/cli/cli-io";
import { parseConnectionString, redactConnectionString, scrubMessage } from "../../../migrations/cli/connection-string";
import { runMigrateCli } from "../../../migrations/cli/migrate-cli";
import { chooseDatabase } from "../../../migrations/cli/target";
import { UsageError } from "../../../migrations/runner/errors";
import { fragments, prng, randomPassword } from "../../support/password-property";

type Cli = (argv: string[], io: CliIo) => Promise<number>;

async function run(cli: Cli, argv: string[], uri: string) {
  let stdout = "";
  let stderr = "";
  const started = Date.now();
  const code = await cli(argv, {
    stdout: (s) => void (stdout += s),
    stderr: (s) => void (stderr += s),
    env: { MONGODB_URI: uri },
    readFile: () => {
      throw Object.assign(new Error("no such file"), { code: "ENOENT" });
    },
  });
  return { code, stdout, stderr, output: stdout + stderr, ms: Date.now() - started };
}

// Port 1 on loopback: nothing listens, the connection is refused at once, and server selection
// then waits exactly serverSelectionTimeoutMS.
const UNREACHABLE = "127.0.0.1:1";

describe("a password with an unescaped @ (issue 11 defect 1)", () => {
  it.each([
    ["mongodb://migrator:S3cr@tP4ss@db:27017/"],
    ["mongodb+srv://migrator:S3cr@tP4ss@cluster0.example.net/"],
  ])("%s: exit 2, and no part of the user info in any output", async (uri) => {
    for (const cli of [runMigrateCli, runCheckQueriesCli] as Cli[]) {
      const argv = cli === runMigrateCli ? ["status", "--json"] : ["--json"];
      const r = await run(cli, argv, uri);
      expect(r.code).toBe(2);
      expect(r.output).toMatch(/more than one "@"; percent-encode/);
      for (const fragment of ["S3cr", "tP4ss", "migrator"]) expect(r.output.toLowerCase()).not.toContain(fragment.toLowerCase());
      expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, error: { code: "usage" } });
    }
  });
});

describe("parseConnectionString", () => {
  it("splits a valid string into its parts", () => {
    expect(parseConnectionString("mongodb://m%40x:p%2Fw@db-0:27017,db-1/nyrkio?replicaSet=rs0&serverSelectionTimeoutMS=500")).toEqual({
      scheme: "mongodb",
      username: "m%40x",
      password: "p%2Fw",
      hosts: [{ host: "db-0", port: 27017 }, { host: "db-1" }],
      slash: true,
      database: "nyrkio",
      options: [
        ["replicaSet", "rs0"],
        ["serverSelectionTimeoutMS", "500"],
      ],
    });
  });

  it.each([
    ["mongodb://", /names no host/],
    ["mongodb://db:99999/", /port is not a whole number from 1 to 65535/],
    ["mongodb://db:0/", /port/],
    ["mongodb://db:/", /port/],
    ["MONGODB://db/", /must start with "mongodb:\/\/"/],
    ["mongodb://u:pa/ss%word@h/", /user info holds an unescaped/],
    ["mongodb://u:a:b@h/", /second ":"/],
    ["mongodb://u:p%zz@h/", /"%" that is not followed by two hex digits/],
    ["mongodb://db?replicaSet=rs0", /options must follow a "\/"/],
    ["mongodb://db/?appName=a@b", /more than one "@"|user info/],
    ["mongodb+srv://a.example.net:27017/", /exactly one host name and no port/],
    ["mongodb+srv://a.example.net,b.example.net/", /exactly one host name/],
    ["mongodb://db/x#frag", /"#"/],
    ["mongodb://db /", /white space/],
    ["mongodb://db/?flag", /"name=value"/],
  ])("refuses %s with a usage error", (uri, message) => {
    expect(() => parseConnectionString(uri)).toThrow(UsageError);
    expect(() => parseConnectionString(uri)).toThrow(message);
  });

  it("never quotes the string in a refusal", () => {
    for (const uri of ["mongodb://u:Zq9!pa/ss@h/", "mongodb://u:Zq9@x@y@h/", "mongodb://u:Zq9%zz@h/", "mongodb://u:Zq9xw@h:77777/"]) {
      let message = "";
      try {
        parseConnectionString(uri);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/^the connection string is malformed: /);
      expect(message).not.toMatch(/Zq9|\bu\b:|\bh\b/);
    }
  });
});

describe("redaction rebuilds the string from its parts", () => {
  it.each([
    ["mongodb://restore:s3cr3t@h1:27017,h2:27017/?replicaSet=rs0", "mongodb://<credentials>@h1:27017,h2:27017/?replicaSet=rs0"],
    ["mongodb+srv://user@c.example.com/", "mongodb+srv://<credentials>@c.example.com/"],
    ["mongodb://db:27017", "mongodb://db:27017"],
    // Issue 12 item 13: the old pattern left a password with an unescaped "/" in place.
    ["mongodb://restore:pa/ss%word@h1:27017/", "<a connection string that does not parse>"],
  ])("%s", (uri, redacted) => {
    expect(redactConnectionString(uri)).toBe(redacted);
  });

  it("scrubs every spelling of the password from a driver message", () => {
    const uri = "mongodb://migrator:Sup%40rSecret@db:27017/";
    expect(scrubMessage(`auth failed for mongodb://migrator:Sup%40rSecret@db:27017/ (password sup@rsecret)`, uri)).toBe("auth failed for mongodb://<credentials>@db:27017/ (password ****)");
  });
});

describe("--db and the connection string's database (issue 11 defect 3)", () => {
  const parsed = parseConnectionString("mongodb://db/nyrkio_ci");
  it("defaults to the string's database", () => expect(chooseDatabase(undefined, parsed, "nyrkio")).toBe("nyrkio_ci"));
  it("accepts both when they agree", () => expect(chooseDatabase("nyrkio_ci", parsed, "nyrkio")).toBe("nyrkio_ci"));
  it("refuses both when they differ", () => expect(() => chooseDatabase("nyrkio", parsed, "nyrkio")).toThrow(/--db "nyrkio" differs from the database the connection string names/));
  it("falls back when neither names one", () => expect(chooseDatabase(undefined, parseConnectionString("mongodb://db/"), "nyrkio")).toBe("nyrkio"));
  it("reads /admin (and local, config) as where to authenticate, never as the database to migrate", () => {
    expect(chooseDatabase(undefined, parseConnectionString("mongodb://u:p@db/admin"), "nyrkio")).toBe("nyrkio");
    expect(chooseDatabase("nyrkio_ci", parseConnectionString("mongodb://u:p@db/admin"), "nyrkio")).toBe("nyrkio_ci");
  });

  it("the CLI refuses the conflict with exit 2 before connecting", async () => {
    const r = await run(runMigrateCli, ["status", "--db", "nyrkio", "--json"], `mongodb://${UNREACHABLE}/other?serverSelectionTimeoutMS=5000`);
    expect(r.code).toBe(2);
    expect(r.ms).toBeLessThan(4000);
  });
});

describe("arguments are checked before connecting (issue 11 defects 3 and 4)", () => {
  // A server that is never reached: if the CLI tried, it would exit 1 with "could not reach".
  const uri = `mongodb://${UNREACHABLE}/?serverSelectionTimeoutMS=5000`;

  it.each([
    [["up", "--to", "99", "--json"], /up --to 99: there is no migration 99/],
    [["plan", "--to", "99"], /there is no migration 99/],
    [["down", "--to", "99"], /there is no migration 99/],
  ])("%j exits 2 without connecting", async (argv, message) => {
    const r = await run(runMigrateCli, argv, uri);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/could not reach/);
  });

  it.each([["mongodb://"], ["mongodb://db:70000/"], ["mongodb://db/?notAnOption=1"], ["mongodb://db/?serverSelectionTimeoutMS=soon"]])(
    "a malformed connection string %s exits 2",
    async (bad) => {
      const r = await run(runMigrateCli, ["status"], bad);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/connection string/);
    },
  );

  it("honours the string's serverSelectionTimeoutMS and says how long it tried", async () => {
    const r = await run(runMigrateCli, ["status", "--json"], `mongodb://${UNREACHABLE}/?serverSelectionTimeoutMS=300`);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/could not reach the server within 0.3 s \(serverSelectionTimeoutMS 300\)/);
    expect(JSON.parse(r.stdout).error.code).toBe("unreachable");
    // Before, a hard-coded 20 s overrode the string's value.
    expect(r.ms).toBeLessThan(5000);
  });
});

describe("property: no fragment of a password reaches any output (issue 12 item 13)", () => {
  const SEED = 20261206;
  const next = prng(SEED);
  const passwords = Array.from({ length: 24 }, () => randomPassword(next));

  it.each(passwords.map((p, i) => [i, p]))("password #%d, as written and percent-encoded, through both CLIs and redaction", async (_i, password) => {
    const forms = [password as string, encodeURIComponent(password as string)];
    const secrets = forms.flatMap(fragments);
    expect(secrets.length).toBeGreaterThan(5);
    for (const form of forms) {
      // 20 ms: the encoded form still goes through the driver's real server selection and its
      // failure (exit 1, "unreachable"; the refused connection takes well under 1 ms), which is
      // the output this property scrubs; 100 ms cost 0.2 s of waiting per password (4.8 s a run).
      const uri = `mongodb://migrator:${form}@${UNREACHABLE}/nyrkio?serverSelectionTimeoutMS=20`;
      const outputs = [redactConnectionString(uri), scrubMessage(`driver said: ${uri} / ${password}`, uri)];
      for (const [cli, argv] of [
        [runMigrateCli, ["status", "--json"]],
        [runCheckQueriesCli, ["--json"]],
      ] as [Cli, string[]][]) {
        const r = await run(cli, argv, uri);
        // As written it is refused (exit 2); encoded it parses and the server is unreachable (exit 1).
        expect(r.code).toBe(form === password ? 2 : 1);
        outputs.push(r.output);
      }
      for (const text of outputs) {
        const lower = text.toLowerCase();
        for (const secret of secrets) if (lower.includes(secret)) throw new Error(`seed ${SEED}: fragment ${JSON.stringify(secret)} of a password reached the output: ${text}`);
      }
    }
  });
});
