import { seededRandom } from "../../migrations/seed-data";
import { MEMBER_AUTH_MODES, TLS_MODES } from "../../config/tls";
import { planTlsTransition, TlsPlan, TlsPlanInput, TlsProcessState, TlsStep } from "../../replicaset/tls-plan";
import { setTlsParameter, tlsModesInteroperate } from "../support/tls-server-model";

const HOSTS = ["mongodb-rs0-0.mongodb-rs0.db.svc.cluster.local:27017", "mongodb-rs0-1.mongodb-rs0.db.svc.cluster.local:27017"];

function procs(tlsModes: string[], auth: string | string[] = "keyFile"): TlsProcessState[] {
  return tlsModes.map((tlsMode, i) => ({ host: HOSTS[i] ?? `mongos-${i}:27017`, kind: i < HOSTS.length ? "member" : "mongos", tlsMode, clusterAuthMode: Array.isArray(auth) ? auth[i] : auth }));
}

function plan(desired: Partial<TlsPlanInput["desired"]>, processes: TlsProcessState[], unhealthy: string[] = []): TlsPlan {
  return planTlsTransition({ desired: { mode: "disabled", memberAuth: "keyFile", clientsMigrated: false, ...desired }, processes, unhealthy });
}

function steps(result: TlsPlan): TlsStep[] {
  if (!result.ok) throw new Error(`plan refused: ${result.error}`);
  return result.steps;
}

function refusal(result: TlsPlan): string {
  if (result.ok) throw new Error(`plan accepted: ${JSON.stringify(result.steps)}`);
  return result.error;
}

describe("planTlsTransition: nothing to do", () => {
  test.each(["disabled", "allowTLS", "preferTLS"])("every process runs the designed %s: an empty plan", (mode) => {
    expect(plan({ mode }, procs([mode, mode]))).toEqual({ ok: true, steps: [] });
  });

  test("a set installed with requireTLS needs no clientsMigrated: nothing ever spoke plaintext to it", () => {
    expect(plan({ mode: "requireTLS" }, procs(["requireTLS", "requireTLS"]))).toEqual({ ok: true, steps: [] });
  });
});

describe("planTlsTransition: leaving disabled is a restart", () => {
  test("members not yet restarted into allowTLS: wait for the rolling restart, set nothing", () => {
    const s = steps(plan({ mode: "allowTLS" }, procs(["allowTLS", "disabled", "disabled"])));
    expect(s).toEqual([expect.objectContaining({ kind: "waitForRestart", hosts: [HOSTS[1], "mongos-2:27017"], tlsMode: "allowTLS" })]);
  });

  test("allowTLS back to disabled is a restart too (allowTLS still speaks plaintext)", () => {
    expect(steps(plan({ mode: "disabled" }, procs(["allowTLS", "disabled"])))).toEqual([expect.objectContaining({ kind: "waitForRestart", hosts: [HOSTS[0]] })]);
  });
});

describe("planTlsTransition: runtime steps", () => {
  test("allowTLS → preferTLS: setParameter on every process still at allowTLS, mongos included", () => {
    const s = steps(plan({ mode: "preferTLS" }, procs(["allowTLS", "preferTLS", "allowTLS"])));
    expect(s).toEqual([
      expect.objectContaining({ kind: "setTlsMode", host: HOSTS[0], from: "allowTLS", to: "preferTLS" }),
      expect.objectContaining({ kind: "setTlsMode", host: "mongos-2:27017", from: "allowTLS", to: "preferTLS" }),
    ]);
  });

  test("preferTLS → requireTLS only with tls.clientsMigrated", () => {
    expect(refusal(plan({ mode: "requireTLS" }, procs(["preferTLS", "preferTLS"])))).toMatch(/tls\.clientsMigrated to true.*enable-tls\.md/);
    expect(steps(plan({ mode: "requireTLS", clientsMigrated: true }, procs(["preferTLS", "preferTLS"])))).toHaveLength(2);
  });

  test("an unhealthy member (the arbiter too) holds the runtime step back", () => {
    expect(steps(plan({ mode: "preferTLS" }, procs(["allowTLS", "allowTLS"]), ["mongodb-rs0-arbiter-0.x:27017"]))).toEqual([
      expect.objectContaining({ kind: "waitForHealthy", hosts: ["mongodb-rs0-arbiter-0.x:27017"] }),
    ]);
  });
});

describe("planTlsTransition: refusals name the field and the next allowed value", () => {
  test("skipping a mode", () => {
    expect(refusal(plan({ mode: "preferTLS" }, procs(["disabled", "disabled"])))).toMatch(/tls\.mode preferTLS skips allowTLS.*set tls\.mode to allowTLS first/);
    expect(refusal(plan({ mode: "requireTLS", clientsMigrated: true }, procs(["allowTLS", "allowTLS"])))).toMatch(/skips preferTLS/);
    expect(refusal(plan({ mode: "requireTLS", clientsMigrated: true }, procs(["disabled", "disabled"])))).toMatch(/skips allowTLS/);
  });

  test("lowering the mode", () => {
    expect(refusal(plan({ mode: "preferTLS" }, procs(["requireTLS", "requireTLS"])))).toMatch(/tls\.mode would go down from requireTLS to preferTLS/);
    expect(refusal(plan({ mode: "disabled" }, procs(["preferTLS", "preferTLS"])))).toMatch(/go down/);
  });

  test("x509 member authentication without TLS on outgoing connections", () => {
    expect(refusal(plan({ mode: "allowTLS", memberAuth: "sendKeyFile" }, procs(["allowTLS", "allowTLS"])))).toMatch(/tls\.memberAuth "sendKeyFile" needs TLS.*preferTLS or requireTLS/);
  });

  test("skipping or reversing a member-authentication step", () => {
    expect(refusal(plan({ mode: "requireTLS", memberAuth: "sendX509" }, procs(["requireTLS", "requireTLS"])))).toMatch(/tls\.memberAuth sendX509 skips sendKeyFile/);
    expect(refusal(plan({ mode: "requireTLS", memberAuth: "keyFile" }, procs(["requireTLS", "requireTLS"], "sendKeyFile")))).toMatch(/would go back from sendKeyFile/);
  });

  test("mode and member authentication in the same deploy", () => {
    expect(refusal(plan({ mode: "requireTLS", memberAuth: "sendKeyFile", clientsMigrated: true }, procs(["preferTLS", "preferTLS"])))).toMatch(/change one per deploy/);
  });

  test("processes two steps apart, or reporting values that are not modes", () => {
    expect(refusal(plan({ mode: "preferTLS" }, procs(["allowTLS", "requireTLS"])))).toMatch(/two or more steps apart/);
    expect(refusal(plan({ mode: "preferTLS" }, procs(["allowSSL", "preferTLS"])))).toMatch(/reports tlsMode "allowSSL"/);
    expect(refusal(plan({ mode: "preferTLS" }, []))).toMatch(/no process answered/);
  });
});

describe("planTlsTransition: member authentication", () => {
  test("each step waits for the rolling restart", () => {
    const s = steps(plan({ mode: "requireTLS", memberAuth: "sendKeyFile" }, procs(["requireTLS", "requireTLS"], ["sendKeyFile", "keyFile"])));
    expect(s).toEqual([expect.objectContaining({ kind: "waitForRestart", hosts: [HOSTS[1]], clusterAuthMode: "sendKeyFile" })]);
  });
});

// The property: a set driven by an operator who moves the config in random ways arrives at the
// designed state whenever the plan accepts it, the server refuses none of the steps
// (tls-server-model.ts, from ssl_parameters.cpp), and no two processes ever stop understanding
// each other.
describe("planTlsTransition: property, over random operator sequences", () => {
  type Proc = { host: string; tlsMode: string; clusterAuthMode: string };
  test("accepted plans only take legal, interoperable steps, and reach the design", () => {
    const random = seededRandom(15);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)];
    let accepted = 0;
    let refused = 0;
    for (let run = 0; run < 300; run++) {
      const n = 1 + Math.floor(random() * 4);
      const start = pick(TLS_MODES);
      const live: Proc[] = Array.from({ length: n }, (_, i) => ({ host: `h${i}:27017`, tlsMode: start, clusterAuthMode: "keyFile" }));
      for (let deploy = 0; deploy < 6; deploy++) {
        const desired = { mode: pick(TLS_MODES) as string, memberAuth: pick(MEMBER_AUTH_MODES) as string, clientsMigrated: random() < 0.7 };
        // The deploy: a changed pod template (TLS off↔on, member authentication) restarts every
        // process, one by one, into the designed config; the runtime mode moves leave them running.
        const liveOn = live.some((p) => p.tlsMode !== "disabled");
        const restart = (desired.mode !== "disabled") !== liveOn || live.some((p) => p.clusterAuthMode !== desired.memberAuth);
        const first = planTlsTransition({ desired, processes: live.map((p) => ({ ...p, kind: "member" })), unhealthy: [] });
        if (!first.ok) {
          refused++;
          continue; // the Job fails before it acts and changes nothing
        }
        accepted++;
        for (let round = 0; round < 10; round++) {
          const result = planTlsTransition({ desired, processes: live.map((p) => ({ ...p, kind: "member" })), unhealthy: [] });
          if (!result.ok) throw new Error(`a plan accepted once refused later: ${result.error}`);
          if (result.steps.length === 0) break;
          for (const step of result.steps) {
            if (step.kind === "setTlsMode") {
              const p = live.find((q) => q.host === step.host)!;
              expect(p.tlsMode).toBe(step.from);
              setTlsParameter(p, { setParameter: 1, tlsMode: step.to }); // throws as the server would
            } else if (step.kind === "waitForRestart") {
              expect(restart).toBe(true);
              for (const host of step.hosts) {
                const p = live.find((q) => q.host === host)!;
                Object.assign(p, { tlsMode: step.tlsMode, clusterAuthMode: step.clusterAuthMode });
                for (const q of live) expect(tlsModesInteroperate(p.tlsMode, q.tlsMode)).toBe(true);
              }
            } else throw new Error(`unexpected ${step.kind}`);
            for (const p of live) for (const q of live) expect(tlsModesInteroperate(p.tlsMode, q.tlsMode)).toBe(true);
          }
        }
        for (const p of live) expect(p).toEqual(expect.objectContaining({ tlsMode: desired.mode, clusterAuthMode: desired.memberAuth }));
      }
    }
    expect(accepted).toBeGreaterThan(30);
    expect(refused).toBeGreaterThan(30);
  });
});
