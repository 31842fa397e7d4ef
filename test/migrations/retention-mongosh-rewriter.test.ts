// The retention script under mongosh's own async rewriter (@mongosh/async-rewriter2), with
// stand-ins that return promises marked as mongosh marks its API's: the rewriter awaits them
// implicitly, as in the pod. This checks what the plain vm test cannot: that no database result
// reaches a context where mongosh forbids it (the decisions run in a non-async generator, which
// must only ever receive plain values; see docs/retention.md).
// Needs the devDependency @mongosh/async-rewriter2; without it the suite is skipped with one line.
import vm from "node:vm";
import { retentionScript } from "../../migrations/retention";
import { Doc, FakeCollections } from "./support/fake-collections";
import { loadAsyncRewriter, syntheticPromise } from "../support/mongosh-rewriter";
import { NOW, retentionFixture } from "./support/retention-fixture";

const AsyncWriter = loadAsyncRewriter();
if (!AsyncWriter) console.log("skipping the mongosh async-rewriter test: @mongosh/async-rewriter2 is not installed");
const describeWithRewriter = AsyncWriter ? describe : describe.skip;

const synthetic = syntheticPromise;

describeWithRewriter("the retention script under mongosh's async rewriter", () => {
  it("awaits every database call and deletes exactly the old, unreferred results", async () => {
    const fixture = retentionFixture(31);
    const fake = new FakeCollections({ results: fixture.results, changes: fixture.changes });
    const files: Record<string, string> = {
      "/params.json": JSON.stringify({ uri: "mongodb://h/?replicaSet=rs0", database: "nyrkio", resultsDays: 90, batchSize: 5, pauseMs: 1, dryRun: false, usernameFile: "/u", passwordFile: "/p", nowSeconds: NOW }),
      "/u": "app\n",
      "/p": "secret\n",
    };
    const printed: Record<string, unknown>[] = [];
    let authenticated = false;
    const nyrkio = {
      getCollection: (name: string) => ({
        find: (filter: Doc, projection: Record<string, 0 | 1>) => {
          const options: { projection: Record<string, 0 | 1>; sort?: Record<string, 1 | -1>; limit?: number } = { projection };
          const cursor = {
            sort: (sort: Record<string, 1 | -1>) => ((options.sort = sort), cursor),
            limit: (limit: number) => ((options.limit = limit), cursor),
            toArray: () => {
              if (!authenticated) throw new Error("not authenticated");
              return synthetic(fake.find(name, filter, options));
            },
          };
          return cursor;
        },
        deleteMany: (filter: Doc) => synthetic({ acknowledged: true, deletedCount: fake.deleteMany(name, filter) }),
      }),
    };
    const context = vm.createContext({
      require: () => ({ readFileSync: (file: string) => files[file] }),
      connect: () => synthetic({ getSiblingDB: (db: string) => (db === "admin" ? { auth: () => ((authenticated = true), synthetic({ ok: 1 })) } : nyrkio) }),
      print: (line: string) => printed.push(JSON.parse(line)),
      sleep: (ms: number) => synthetic(ms),
    });
    const writer = new AsyncWriter!();
    vm.runInContext(writer.runtimeSupportCode(), context);
    await vm.runInContext(writer.process(retentionScript("/params.json")), context);

    expect(fake.docs("results").map((r) => String(r._id)).sort()).toEqual(fixture.survivors);
    expect(printed[printed.length - 1]).toMatchObject({ done: true, deleted: fixture.results.length - fixture.survivors.length });
  });
});
