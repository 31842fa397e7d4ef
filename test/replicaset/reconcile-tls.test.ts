// The reconcile Job's TLS phase (replicaset/mongosh/reconcile.js reconcileTls, planner
// replicaset/tls-plan.ts) against the stand-in: every data member answers getParameter and
// setParameter on a direct connection as the server does (test/support/tls-server-model.ts, from
// ssl_parameters.cpp: a second setParameter of the same mode is refused), after mongod's
// authorization (setParameter/getParameter on the cluster, test/support/mongod-authz.ts).

import { dev as devEnvironment } from "../../config/environments/dev";
import type { PlatformConfig } from "../../config/platform-config";
import { TLS_CLIENT_CA_FILE, TlsConfig } from "../../config/tls";
import { reconcileConfigMapData } from "../../replicaset/reconcile-files";
import { RECONCILE_CONFIG_DIR, ROOT_SECRET_DIR, userSecretDir } from "../../replicaset/reconcile-paths";
import { reconcileScript } from "../../replicaset/reconcile-script";
import { renderUsersSpec } from "../../replicaset/users";
import { authorize, ServerError } from "../support/mongod-authz";
import type { TlsParameters } from "../support/tls-server-model";
import { host, liveConfig, psa } from "./fixtures";
import * as vm from "node:vm";
import { loadAsyncRewriter, syntheticPromise } from "../support/mongosh-rewriter";
import { exitCodeOf, reconcileEnvironment, runReconcileScript, StandInOptions } from "./mongosh-stand-in";

const ROOT = { user: "root", password: "r00t-Secret" };
const base: PlatformConfig = { ...devEnvironment, monitoring: { ...devEnvironment.monitoring, enabled: false }, retention: { ...devEnvironment.retention, enabled: false } };
const withTls = (tls: Partial<TlsConfig>): PlatformConfig => ({
  ...base,
  tls: { mode: "disabled", memberAuth: "keyFile", clientsMigrated: false, certificates: { source: "secret", secretName: "nyrkio-db-tls" }, ...tls },
});

function files(config: PlatformConfig): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, content] of Object.entries(reconcileConfigMapData(config, config.replsets[0]))) out[`${RECONCILE_CONFIG_DIR}/${name}`] = content;
  out[`${ROOT_SECRET_DIR}/username`] = `${ROOT.user}\n`;
  out[`${ROOT_SECRET_DIR}/password`] = `${ROOT.password}\n`;
  for (const u of renderUsersSpec(config).users) {
    out[`${userSecretDir(u.name)}/username`] = `nyrkio-${u.name}`;
    out[`${userSecretDir(u.name)}/password`] = `pw-${u.name}`;
  }
  return out;
}

const at = (tlsMode: string, clusterAuthMode = "keyFile"): TlsParameters => ({ tlsMode, clusterAuthMode });
const both = (a: TlsParameters, b: TlsParameters = a) => ({ [host(0)]: a, [host(1)]: b });
const script = reconcileScript();
const run = (config: PlatformConfig, tls: StandInOptions["tls"]) =>
  runReconcileScript(script, {
    live: liveConfig(psa()),
    files: files(config),
    rootCredentials: ROOT,
    users: [{ user: "root", db: "admin", roles: [{ role: "root", db: "admin" }] }],
    tls,
  });
const setParameters = (r: ReturnType<typeof run>) => r.tlsCommands.filter((c) => "setParameter" in c.command);

describe("the reconcile Job's TLS phase", () => {
  test("allowTLS → preferTLS: setParameter on each data member over a verified TLS direct connection, never on the arbiter", () => {
    const r = run(withTls({ mode: "preferTLS" }), { params: both(at("allowTLS")) });
    expect(r.exitCode).toBe(0);
    expect(setParameters(r)).toEqual([
      { host: host(0), command: { setParameter: 1, tlsMode: "preferTLS" } },
      { host: host(1), command: { setParameter: 1, tlsMode: "preferTLS" } },
    ]);
    expect(r.tlsParams).toEqual(both(at("preferTLS")));
    // preferTLS: every member accepts TLS, so the Job's own connections use it (config/tls.ts clientsUseTls).
    const direct = r.uris.filter((u) => u.includes("directConnection=true"));
    expect(direct.length).toBeGreaterThan(0);
    for (const uri of direct) expect(uri).toContain(`&tls=true&tlsCAFile=${encodeURIComponent(TLS_CLIENT_CA_FILE)}`);
    expect(r.lines.find((l) => l.event === "tls")).toEqual({ event: "tls", result: "changed", mode: "preferTLS", memberAuth: "keyFile", setParameterSteps: 2 });
  });

  test("checks the live set first: a member already raised by hand gets no second setParameter (the server would refuse it)", () => {
    const r = run(withTls({ mode: "preferTLS" }), { params: both(at("preferTLS"), at("allowTLS")) });
    expect(r.exitCode).toBe(0);
    expect(setParameters(r)).toEqual([{ host: host(1), command: { setParameter: 1, tlsMode: "preferTLS" } }]);
  });

  test("the mode already recorded: only getParameter, no setParameter and no restart (a run again is a no-op)", () => {
    const r = run(withTls({ mode: "requireTLS", clientsMigrated: true }), { params: both(at("requireTLS")) });
    expect(r.exitCode).toBe(0);
    expect(setParameters(r)).toEqual([]);
    expect(r.tlsCommands.every((c) => "getParameter" in c.command)).toBe(true);
    expect(r.lines.find((l) => l.event === "tls")).toMatchObject({ result: "unchanged" });
  });

  test("a setParameter that fails (the member restarting in between): logged, looked at again, applied at the next round", () => {
    const r = run(withTls({ mode: "preferTLS" }), { params: both(at("allowTLS")), setParameterFailures: 1 });
    expect(r.exitCode).toBe(0);
    expect(r.tlsParams).toEqual(both(at("preferTLS")));
    expect(r.lines.find((l) => l.event === "waiting" && l.for === "tls")).toMatchObject({ reason: expect.stringMatching(/setParameter tlsMode preferTLS on mongodb-rs0-0.*closed/) });
  });

  test("preferTLS → requireTLS without tls.clientsMigrated: refused before any setParameter, exit 1", () => {
    const r = run(withTls({ mode: "requireTLS" }), { params: both(at("preferTLS")) });
    expect(r.exitCode).toBe(1);
    expect(setParameters(r)).toEqual([]);
    expect(String(r.lines.at(-1)!.message)).toMatch(/refusing to change TLS of replica set rs0: .*tls\.clientsMigrated/);
  });

  test("a skipped mode is refused with the next allowed value", () => {
    const r = run(withTls({ mode: "preferTLS" }), { params: both(at("disabled")) });
    expect(r.exitCode).toBe(1);
    expect(String(r.lines.at(-1)!.message)).toMatch(/tls\.mode preferTLS skips allowTLS.*set tls\.mode to allowTLS first/);
  });

  test("leaving disabled: waits for the rolling restart (members down, then back in allowTLS), sets nothing", () => {
    const r = run(withTls({ mode: "allowTLS" }), { params: both(at("disabled")), restart: { into: at("allowTLS"), downPolls: 2 } });
    expect(r.exitCode).toBe(0);
    expect(setParameters(r)).toEqual([]);
    expect(r.tlsParams).toEqual(both(at("allowTLS")));
    expect(r.lines.filter((l) => l.event === "waiting" && l.for === "tls").length).toBeGreaterThan(0);
    // allowTLS: a member not yet restarted accepts no TLS, so the Job connects in plaintext.
    expect(r.uris.filter((u) => u.includes("directConnection=true")).every((u) => !u.includes("tls=true"))).toBe(true);
  });

  test("member authentication keyFile → sendKeyFile: waits for the restart into it", () => {
    const r = run(withTls({ mode: "requireTLS", clientsMigrated: true, memberAuth: "sendKeyFile" }), {
      params: both(at("requireTLS")),
      restart: { into: at("requireTLS", "sendKeyFile"), downPolls: 1 },
    });
    expect(r.exitCode).toBe(0);
    expect(r.tlsParams).toEqual(both(at("requireTLS", "sendKeyFile")));
  });

  test("a restart that never ends: the phase gives up after tlsTimeoutSeconds with the reason", () => {
    const r = run(withTls({ mode: "allowTLS" }), { params: both(at("disabled")), restart: { into: at("allowTLS"), downPolls: 1e9 } });
    expect(r.exitCode).toBe(1);
    expect(String(r.lines.at(-1)!.message)).toMatch(/not at the designed config after 3600 s: no answer from mongodb-rs0-0/);
  });

  test("tls.mode disabled: the phase is skipped, no direct connection at all", () => {
    const r = run(withTls({ mode: "disabled" }), undefined);
    expect(r.exitCode).toBe(0);
    expect(r.tlsCommands).toEqual([]);
    expect(r.lines.find((l) => l.event === "tls")).toMatchObject({ result: "skipped" });
  });
});

describe("mongod's authorization of the TLS commands (the stand-ins apply it)", () => {
  const server = { hasUsers: true, arbiter: false };
  test("setParameter needs the setParameter action: clusterMonitor may read the mode, not change it", () => {
    const monitor = { fromLocalhost: false, roles: [{ role: "clusterMonitor", db: "admin" }] };
    expect(() => authorize(server, monitor, { getParameter: 1, tlsMode: 1 })).not.toThrow();
    expect(() => authorize(server, monitor, { setParameter: 1, tlsMode: "preferTLS" })).toThrow(ServerError);
    expect(() => authorize(server, monitor, { rotateCertificates: 1 })).toThrow(/not authorized/);
  });

  test("the arbiter's localhost exception grants getParameter and shutdown, never setParameter", () => {
    const local = { fromLocalhost: true };
    const arbiter = { hasUsers: false, arbiter: true };
    expect(() => authorize(arbiter, local, { getParameter: 1, tlsMode: 1 })).not.toThrow();
    expect(() => authorize(arbiter, local, { shutdown: 1 })).not.toThrow();
    expect(() => authorize(arbiter, local, { setParameter: 1, tlsMode: "preferTLS" })).toThrow(/not authorized/);
    expect(() => authorize(arbiter, { fromLocalhost: false }, { getParameter: 1, tlsMode: 1 })).toThrow(/requires authentication/);
  });
});

// The same phase under mongosh's async rewriter (see reconcile-mongosh-rewriter.test.ts): every
// reply a marked promise, so a missed await (in onMember's try/finally, say) would show.
const AsyncWriter = loadAsyncRewriter();
(AsyncWriter ? describe : describe.skip)("the TLS phase under mongosh's async rewriter", () => {
  test("allowTLS → preferTLS: the same steps as without the rewriter", async () => {
    const writer = new AsyncWriter!();
    const options: StandInOptions = {
      live: liveConfig(psa()),
      files: files(withTls({ mode: "preferTLS" })),
      rootCredentials: ROOT,
      users: [{ user: "root", db: "admin", roles: [{ role: "root", db: "admin" }] }],
      tls: { params: both(at("allowTLS")) },
    };
    const { globals, outcome } = reconcileEnvironment(options, (value) => syntheticPromise(value) as unknown as typeof value);
    const context = vm.createContext(globals);
    vm.runInContext(writer.runtimeSupportCode(), context);
    let exitCode = 0;
    try {
      await vm.runInContext(writer.process(script), context);
    } catch (e) {
      exitCode = exitCodeOf(e);
    }
    const r = outcome(exitCode);
    expect(r.exitCode).toBe(0);
    expect(r.tlsCommands.filter((c) => "setParameter" in c.command).map((c) => c.host)).toEqual([host(0), host(1)]);
    expect(r.tlsParams).toEqual(both(at("preferTLS")));
  });
});
