// The in-cluster retention script, run in a node:vm sandbox with stand-ins for what mongosh
// provides (connect, print, sleep, require("fs")): the generated text is what the CronJob runs.
import { transformSync } from "esbuild";
import { readFileSync } from "node:fs";
import path from "node:path";
import vm from "node:vm";
import { EMBEDDED_FUNCTIONS, retentionScript } from "../../migrations/retention";
import { FakeCollections } from "./support/fake-collections";
import { NOW, retentionFixture } from "./support/retention-fixture";

const PARAMS = "/etc/nyrkio/retention/params.json";

interface Sandbox {
  fake: FakeCollections;
  events: string[];
  printed: Record<string, unknown>[];
  run: () => void;
}

function sandbox(script: string, params: Record<string, unknown>, fake: FakeCollections): Sandbox {
  const files: Record<string, string> = {
    [PARAMS]: JSON.stringify(params),
    "/etc/nyrkio/secrets/retention/username": "nyrkio-retention\n",
    "/etc/nyrkio/secrets/retention/password": "pa ss\n",
  };
  const events: string[] = [];
  const printed: Record<string, unknown>[] = [];
  let authenticated = false;
  const nyrkio = fake.mongoshDatabase();
  const guarded = {
    getCollection: (name: string) => {
      if (!authenticated) throw new Error("not authenticated");
      return nyrkio.getCollection(name);
    },
  };
  const context = {
    require: (module: string) => {
      if (module !== "fs") throw new Error(`unexpected require("${module}")`);
      return {
        readFileSync: (file: string) => {
          if (!(file in files)) throw new Error(`ENOENT: ${file}`);
          return files[file];
        },
      };
    },
    connect: (uri: string) => {
      events.push(`connect ${uri}`);
      return {
        getSiblingDB: (name: string) =>
          name === "admin"
            ? {
                auth: (user: string, password: string) => {
                  events.push(`auth ${user}:${password}`);
                  authenticated = true;
                  return { ok: 1 };
                },
              }
            : (events.push(`use ${name}`), guarded),
      };
    },
    print: (line: string) => printed.push(JSON.parse(line)),
    sleep: (ms: number) => events.push(`sleep ${ms}`),
  };
  return { fake, events, printed, run: () => vm.runInNewContext(script, context, { filename: "retention.js" }) };
}

const params = {
  uri: "mongodb://mongodb-rs0-0.mongodb-rs0.nyrkio-db-dev.svc.cluster.local:27017/?replicaSet=rs0&authSource=admin",
  database: "nyrkio",
  resultsDays: 90,
  batchSize: 8,
  pauseMs: 25,
  dryRun: false,
  usernameFile: "/etc/nyrkio/secrets/retention/username",
  passwordFile: "/etc/nyrkio/secrets/retention/password",
  nowSeconds: NOW,
};

describe("the mongosh retention script", () => {
  it("authenticates from the mounted files, then deletes old results in batches, keeping referred ones", () => {
    const fixture = retentionFixture(21);
    const box = sandbox(retentionScript(PARAMS), params, new FakeCollections({ results: fixture.results, changes: fixture.changes }));
    box.run();
    expect(box.events.slice(0, 3)).toEqual([`connect ${params.uri}`, "auth nyrkio-retention:pa ss", "use nyrkio"]);
    expect(box.fake.docs("results").map((r) => String(r._id)).sort()).toEqual(fixture.survivors);
    expect(box.fake.docs("changes")).toHaveLength(fixture.changes.length);
    const finds = box.fake.calls.filter((call) => call.op === "find" && call.collection === "results");
    expect(finds.every((call) => call.op === "find" && call.limit === 8)).toBe(true);
    expect(box.events.filter((e) => e.startsWith("sleep"))).toEqual(Array(finds.length - 1).fill("sleep 25"));
    const last = box.printed[box.printed.length - 1];
    expect(last).toMatchObject({ done: true, deleted: fixture.results.length - fixture.survivors.length, dryRun: false });
    expect(box.printed[0]).toMatchObject({ start: true, database: "nyrkio", resultsDays: 90 });
  });

  it("never prints the password", () => {
    const fixture = retentionFixture(22);
    const box = sandbox(retentionScript(PARAMS), params, new FakeCollections({ results: fixture.results, changes: fixture.changes }));
    box.run();
    expect(JSON.stringify(box.printed)).not.toContain("pa ss");
  });

  it("deletes nothing in a dry run", () => {
    const fixture = retentionFixture(23);
    const box = sandbox(retentionScript(PARAMS), { ...params, dryRun: true }, new FakeCollections({ results: fixture.results, changes: fixture.changes }));
    box.run();
    expect(box.fake.calls.filter((call) => call.op === "deleteMany")).toEqual([]);
    expect(box.printed[box.printed.length - 1]).toMatchObject({ done: true, deleted: 0, wouldDelete: fixture.results.length - fixture.survivors.length });
  });

  it("fails (so the Job fails) when the password file is missing", () => {
    const box = sandbox(retentionScript(PARAMS), { ...params, passwordFile: "/nowhere" }, new FakeCollections({ results: [], changes: [] }));
    expect(() => box.run()).toThrow("ENOENT: /nowhere");
  });

  it("embeds each decision function as its own source text", () => {
    const script = retentionScript(PARAMS);
    for (const f of EMBEDDED_FUNCTIONS) expect(script).toContain(f.toString());
    expect(script).toContain(`const RETENTION_PARAMS_FILE = "${PARAMS}";`);
  });

  it("also runs when built from esbuild's output, as in dist/ (the functions stay self-contained)", () => {
    const source = readFileSync(path.join(__dirname, "../../migrations/retention/retention-steps.ts"), "utf8");
    const { code } = transformSync(source, { loader: "ts", format: "cjs", target: "node20" });
    const module = { exports: {} as { EMBEDDED_FUNCTIONS: ((...args: never[]) => unknown)[] } };
    vm.runInNewContext(code, { module, exports: module.exports });
    const fixture = retentionFixture(24);
    const box = sandbox(retentionScript(PARAMS, module.exports.EMBEDDED_FUNCTIONS), params, new FakeCollections({ results: fixture.results, changes: fixture.changes }));
    box.run();
    expect(box.fake.docs("results").map((r) => String(r._id)).sort()).toEqual(fixture.survivors);
  });
});
