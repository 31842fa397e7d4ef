import { parseMigrateArgs, wantsJson } from "../../../migrations/cli/migrate-args";
import { redactUri, resolveUri } from "../../../migrations/cli/target";
import { EXIT_USAGE, UsageError } from "../../../migrations/runner/errors";

function usageError(argv: string[]): UsageError {
  try {
    parseMigrateArgs(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(EXIT_USAGE);
    return error as UsageError;
  }
  throw new Error(`expected a usage error for ${JSON.stringify(argv)}`);
}

describe("migrate arguments", () => {
  it("parses a command with its defaults", () => {
    expect(parseMigrateArgs(["up"])).toEqual({
      kind: "run",
      command: "up",
      json: false,
      db: undefined,
      uriFile: undefined,
      to: undefined,
      waitLockMs: 0,
      leaseMs: 60_000,
      progressIntervalMs: 5000,
      allowDataLoss: false,
      timeoutMs: 1_800_000,
    });
  });

  it("parses --to, --db, --uri-file, --json and the lock options", () => {
    const args = parseMigrateArgs(["down", "--to", "3", "--db", "nyrkio_ci", "--uri-file", "/run/secrets/uri", "--json", "--wait-lock", "30", "--lease-seconds", "20", "--allow-data-loss"]);
    expect(args).toMatchObject({ kind: "run", command: "down", to: 3, db: "nyrkio_ci", uriFile: "/run/secrets/uri", json: true, waitLockMs: 30_000, leaseMs: 20_000, allowDataLoss: true });
  });

  it("accepts down --to 0 (revert everything)", () => {
    expect(parseMigrateArgs(["down", "--to", "0"])).toMatchObject({ to: 0 });
  });

  it("gives help for the tool and for each command", () => {
    const general = parseMigrateArgs(["--help"]);
    expect(general.kind).toBe("help");
    if (general.kind === "help") expect(general.text).toMatch(/Commands:[\s\S]*status[\s\S]*indexes/);
    for (const command of ["status", "up", "down", "plan", "schema", "indexes"]) {
      const help = parseMigrateArgs([command, "--help"]);
      expect(help.kind).toBe("help");
      if (help.kind === "help") {
        expect(help.text.startsWith(`migrate ${command}`)).toBe(true);
        expect(help.text).toMatch(/Exit codes: 0 success, 1 failure, 2 usage error, 3 lock held/);
      }
    }
  });

  it.each([
    [[], /no command/],
    [["migrate-all"], /unknown command "migrate-all"/],
    [["up", "extra"], /unexpected argument "extra"/],
    [["up", "--bogus"], /Unknown option '--bogus'/],
    [["up", "--to"], /argument missing/],
    [["up", "--to", "three"], /--to "three": expected a whole number/],
    [["up", "--to", "-1"], /Option '--to' argument is ambiguous/],
    [["up", "--to=-1"], /--to "-1": expected a whole number/],
    [["up", "--to", "2.5"], /--to "2.5": expected a whole number/],
    [["up", "--to", "0"], /up --to 0: migrations are numbered from 1/],
    [["status", "--to", "3"], /status does not take --to/],
    [["plan", "--wait-lock", "3"], /plan does not take --wait-lock/],
    [["up", "--allow-data-loss"], /up does not take --allow-data-loss/],
    [["up", "--wait-lock", "soon"], /--wait-lock "soon"/],
    [["up", "--lease-seconds", "0"], /--lease-seconds "0": expected a positive number/],
    [["up", "--lease-seconds", "0.5"], /--lease-seconds: at least 1/],
    [["up", "--progress-interval", "x"], /--progress-interval "x"/],
    [["schema", "--db", "x"], /schema needs no database/],
    [["up", "--db", "bad.name"], /--db "bad.name": not a valid database name/],
    [["up", "--db", ""], /not a valid database name/],
    // Repeated options were last-one-wins (issue 11, defect 4).
    [["up", "--to", "3", "--to", "4"], /--to is given more than once/],
    [["status", "--json", "--json"], /--json is given more than once/],
  ])("refuses %j", (argv, message) => {
    expect(usageError(argv as string[]).message).toMatch(message);
  });

  it.each([
    [["up", "--uri", "mongodb://admin:secret@db:27017"]],
    [["up", "--uri=mongodb://admin:secret@db:27017"]],
    [["up", "mongodb://admin:secret@db:27017"]],
    [["status", "--db", "nyrkio", "mongodb+srv://u:p@cluster.example.net"]],
    [["up", "--uri"]],
  ])("refuses a connection string on the command line: %j", (argv) => {
    const error = usageError(argv);
    expect(error.message).toMatch(/--uri-file <path>, or set MONGODB_URI/);
    expect(error.message).not.toMatch(/secret|u:p/);
  });

  it("sees --json even when the arguments are wrong", () => {
    expect(wantsJson(["up", "--bogus", "--json"])).toBe(true);
    expect(wantsJson(["up"])).toBe(false);
  });
});

describe("connection target", () => {
  const files: Record<string, string> = { "/s/uri": "\n  mongodb://m:pw@db-0:27017/?replicaSet=rs0  \nignored\n", "/s/empty": " \n", "/s/http": "http://db" };
  const readFile = (path: string) => {
    if (path in files) return files[path];
    throw Object.assign(new Error("no such file"), { code: "ENOENT" });
  };

  it("reads the first non-empty line of --uri-file, before MONGODB_URI", () => {
    expect(resolveUri({ uriFile: "/s/uri", envUri: "mongodb://other" }, readFile)).toBe("mongodb://m:pw@db-0:27017/?replicaSet=rs0");
  });

  it("falls back to MONGODB_URI", () => {
    expect(resolveUri({ envUri: "mongodb://db:27017" }, readFile)).toBe("mongodb://db:27017");
  });

  it.each([
    [{}, /no target database: set MONGODB_URI or pass --uri-file/],
    [{ envUri: "  " }, /no target database/],
    [{ uriFile: "/s/missing" }, /--uri-file \/s\/missing: cannot read it \(ENOENT\)/],
    [{ uriFile: "/s/empty" }, /--uri-file \/s\/empty: the file is empty/],
    [{ uriFile: "/s/http" }, /must start with mongodb:\/\/ or mongodb\+srv:\/\/ \(from --uri-file \/s\/http\)/],
    [{ envUri: "db:27017" }, /\(from MONGODB_URI\)/],
  ])("refuses %j with a usage error", (source, message) => {
    expect(() => resolveUri(source, readFile)).toThrow(UsageError);
    expect(() => resolveUri(source, readFile)).toThrow(message);
  });

  it("redacts the password of a connection string", () => {
    expect(redactUri("mongodb://migrator:s3cr%40t@db-0:27017/nyrkio")).toBe("mongodb://<credentials>@db-0:27017/nyrkio");
    expect(redactUri("mongodb+srv://u:p@c.example.net")).toBe("mongodb+srv://<credentials>@c.example.net");
    expect(redactUri("mongodb://db:27017")).toBe("mongodb://db:27017");
  });
});
