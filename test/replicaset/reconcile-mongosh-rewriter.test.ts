// The reconcile script under mongosh's own async rewriter (@mongosh/async-rewriter2): every
// stand-in reply (commands, auth, new Mongo, sleep) is a promise marked the way mongosh marks its
// API's, so the script only works if the rewriter awaits each one where the script uses it, as
// in the pod. The plain vm tests (reconcile-script.test.ts) cannot see a missed await.
// Needs the devDependency @mongosh/async-rewriter2; without it the suite is skipped with one line.
import * as vm from "node:vm";
import { dev as devEnvironment } from "../../config/environments/dev";
import { withoutTls } from "../support/tls-config";
// These tests pin the users as they are without the exporter's user; test/monitoring/monitor-user.test.ts covers it.
// TLS off: the rotator user and the TLS steps have their own tests (rotation-user, reconcile-tls).
const dev = { ...withoutTls(devEnvironment), monitoring: { ...devEnvironment.monitoring, enabled: false }, retention: { ...devEnvironment.retention, enabled: false } }; // the exporter's and the retention job's users have tests of their own
import type { ReplsetConfig } from "../../config/platform-config";
import { reconcileConfigMapData } from "../../replicaset/reconcile-files";
import { RECONCILE_CONFIG_DIR, ROOT_SECRET_DIR, userSecretDir } from "../../replicaset/reconcile-paths";
import { reconcileScript } from "../../replicaset/reconcile-script";
import type { LiveReplicaSetConfig } from "../../replicaset/reconfig-plan";
import { loadAsyncRewriter, syntheticPromise } from "../support/mongosh-rewriter";
import { liveConfig, psa } from "./fixtures";
import { exitCodeOf, reconcileEnvironment, StandInOptions, StandInRun } from "./mongosh-stand-in";

const AsyncWriter = loadAsyncRewriter();
if (!AsyncWriter) console.log("skipping the reconcile script's mongosh async-rewriter test: @mongosh/async-rewriter2 is not installed");
const describeWithRewriter = AsyncWriter ? describe : describe.skip;

/** A stand-in reply as mongosh's API gives it: a marked promise, typed as the value the script sees. */
function synthetic<T>(value: T): T {
  return syntheticPromise(value) as unknown as T;
}

const ROOT = { user: "root", password: "r00t" };
function files(replset: ReplsetConfig): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, content] of Object.entries(reconcileConfigMapData(dev, replset))) out[`${RECONCILE_CONFIG_DIR}/${name}`] = content;
  out[`${ROOT_SECRET_DIR}/username`] = ROOT.user;
  out[`${ROOT_SECRET_DIR}/password`] = ROOT.password;
  for (const u of ["app", "migrator", "backup", "restore"]) {
    out[`${userSecretDir(u)}/username`] = `nyrkio-${u}`;
    out[`${userSecretDir(u)}/password`] = `pw-${u}`;
  }
  return out;
}

describeWithRewriter("the reconcile script under mongosh's async rewriter", () => {
  let support: string;
  let code: string;
  beforeAll(() => {
    const writer = new AsyncWriter!();
    support = writer.runtimeSupportCode();
    code = writer.process(reconcileScript());
  });

  async function run(replset: ReplsetConfig, options: Omit<StandInOptions, "files" | "rootCredentials">): Promise<StandInRun> {
    const { globals, outcome } = reconcileEnvironment({ ...options, files: files(replset), rootCredentials: ROOT }, synthetic);
    const context = vm.createContext(globals);
    vm.runInContext(support, context);
    try {
      await vm.runInContext(code, context);
      return outcome(0);
    } catch (e) {
      return outcome(exitCodeOf(e));
    }
  }
  const kinds = (r: StandInRun) => r.lines.filter((l) => l.event === "step").map((l) => l.kind);

  test("adding a data member to PSA: every reply awaited, the same steps as without the rewriter", async () => {
    const pss: ReplsetConfig = { ...dev.replsets[0], members: [...dev.replsets[0].members, { priority: 1, votes: 1 }], arbiter: { ...dev.replsets[0].arbiter, enabled: false } };
    const result = await run(pss, { live: liveConfig(psa()), unavailableAttempts: 2 });
    expect(result.lines.at(-1)).toMatchObject({ event: "done", reconfigSteps: 4, userChanges: 8 });
    expect(result.exitCode).toBe(0);
    expect(kinds(result)).toEqual(["reconfig", "waitForSecondary", "reconfig", "reconfig"]);
    expect(result.commands.filter((c) => "replSetReconfig" in c).map((c) => (c.replSetReconfig as LiveReplicaSetConfig).version)).toEqual([2, 4, 5]);
    expect(result.lines.filter((l) => l.event === "waiting" && l.for === "primary")).toHaveLength(2);
  });

  test("the primary losing its vote: the step-down is awaited before the reconfigs", async () => {
    const mitigated: ReplsetConfig = { ...dev.replsets[0], members: [{ priority: 0, votes: 0 }, { priority: 1, votes: 1 }] };
    const result = await run(mitigated, { live: liveConfig(psa()) });
    expect(result.exitCode).toBe(0);
    expect(result.commands.map((c) => Object.keys(c)[0]).filter((n) => n === "replSetStepDown" || n === "replSetReconfig")).toEqual(["replSetStepDown", "replSetReconfig", "replSetReconfig"]);
  });

  test("a refused plan exits 1 with the reason", async () => {
    const result = await run(dev.replsets[0], { live: liveConfig([{ id: 0, priority: 2 }, { id: 1, priority: 0, hidden: true }, { id: 100, priority: 0, arbiter: true }]) });
    expect(result.exitCode).toBe(1);
    expect(result.lines.at(-1)).toMatchObject({ event: "error", message: expect.stringMatching(/^refusing to reconfigure replica set rs0/) });
  });
});
