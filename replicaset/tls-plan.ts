// The TLS transition planner: from what every process of the set reports (getParameter tlsMode and
// clusterAuthMode), whether the set is healthy, and the designed `tls` config, the next steps that
// take a RUNNING set there without downtime, the way MongoDB documents it:
//   - net.tls.mode: disabled → allowTLS → preferTLS → requireTLS
//     (https://www.mongodb.com/docs/manual/tutorial/upgrade-cluster-to-ssl/). Leaving `disabled`
//     needs a restart (the pod template changes, so the StatefulSet restarts the members one by
//     one): the plan waits for it. After that the server raises its mode at run time, and only one
//     step at a time: setParameter tlsMode accepts allowTLS → preferTLS and preferTLS → requireTLS,
//     nothing else, not even the mode it already runs (mongodb/mongo
//     src/mongo/util/net/ssl_parameters.cpp, checkTLSModeTransition: "Illegal state transition for
//     tlsMode"). So the plan sets it on every process still at the lower mode, never twice.
//   - preferTLS → requireTLS refuses plaintext clients: only with tls.clientsMigrated (the server
//     keeps no reliable count of plaintext clients; docs/runbooks/enable-tls.md says how to check).
//   - security.clusterAuthMode: keyFile → sendKeyFile → sendX509 → x509, a rolling restart each
//     (https://www.mongodb.com/docs/manual/tutorial/upgrade-keyfile-to-x509/); the server itself
//     allows no other transition (src/mongo/db/auth/cluster_auth_mode.cpp, canTransitionTo) and no
//     mode but keyFile without TLS on outgoing connections, i.e. preferTLS or requireTLS
//     (src/mongo/util/net/ssl_parameters_auth.cpp, ClusterAuthModeServerParameter::setFromString:
//     "need to enable SSL for outgoing connections").
// One step of either path per deploy: the designed config may be at most one step ahead of the
// lowest live process, mode and member authentication are not changed in the same deploy, and
// nothing is lowered at run time (the server refuses that). Every refusal names the field and the
// next allowed value.
//
// Adjacent modes interoperate in both directions (allowTLS sends plaintext and accepts both;
// preferTLS sends TLS and accepts both; requireTLS sends and accepts only TLS:
// https://www.mongodb.com/docs/manual/reference/configuration-options/#mongodb-setting-net.tls.mode),
// so a set whose processes are one step apart keeps working while a step is under way.
//
// EMBEDDED: copied into the reconcile job's mongosh script with Function.prototype.toString() (see
// reconcile-script.ts), like reconfig-plan.ts: self-contained functions, no imports, no module
// constants, only each other (all listed in TLS_PLAN_FUNCTIONS).
/* istanbul ignore file -- coverage instrumentation would rewrite the embedded function bodies */

/** What one process reports: getParameter {tlsMode: 1, clusterAuthMode: 1}. */
export interface TlsProcessState {
  host: string;
  /** A replica-set member (data-bearing: the arbiter holds no users, so nobody can ask it) or a mongos. */
  kind: "member" | "mongos";
  tlsMode: string;
  clusterAuthMode: string;
}

export interface TlsPlanInput {
  desired: { mode: string; memberAuth: string; clientsMigrated: boolean };
  processes: TlsProcessState[];
  /** Members (arbiter included) that replSetGetStatus does not show healthy in PRIMARY, SECONDARY or ARBITER. */
  unhealthy: string[];
}

export type TlsStep =
  /** The pod template changed: wait until the StatefulSet has restarted these processes into the designed modes. */
  | { kind: "waitForRestart"; reason: string; hosts: string[]; tlsMode: string; clusterAuthMode: string }
  /** Wait until every member is healthy again before the next runtime step. */
  | { kind: "waitForHealthy"; reason: string; hosts: string[] }
  /** setParameter {tlsMode: to} on this process, which runs `from` (exactly the step before). */
  | { kind: "setTlsMode"; reason: string; host: string; from: string; to: string };

export type TlsPlan = { ok: true; steps: TlsStep[] } | { ok: false; error: string };

/** Position of a tlsMode in the path; -1 for a value that is not one. */
export function tlsModeIndex(mode: string): number {
  return ["disabled", "allowTLS", "preferTLS", "requireTLS"].indexOf(mode);
}

/** Position of a clusterAuthMode in the keyFile → x509 path; -1 for a value that is not one. */
export function memberAuthIndex(mode: string): number {
  return ["keyFile", "sendKeyFile", "sendX509", "x509"].indexOf(mode);
}

/** Short process label for messages: "mongodb-rs0-1" (or the mongos host). */
export function tlsHostLabel(host: string): string {
  return host.split(".")[0].split(":")[0];
}

/** The ordered steps from what the processes run to the designed tls config, or why there are none. */
export function planTlsTransition(input: TlsPlanInput): TlsPlan {
  const modes = ["disabled", "allowTLS", "preferTLS", "requireTLS"];
  const auths = ["keyFile", "sendKeyFile", "sendX509", "x509"];
  const { desired, processes } = input;
  const want = tlsModeIndex(desired.mode);
  const wantAuth = memberAuthIndex(desired.memberAuth);
  const fail = (error: string): TlsPlan => ({ ok: false, error });
  if (want < 0) return fail(`tls.mode "${desired.mode}" is not one of ${modes.join(", ")}`);
  if (wantAuth < 0) return fail(`tls.memberAuth "${desired.memberAuth}" is not one of ${auths.join(", ")}`);
  if (wantAuth > 0 && want < 2)
    return fail(`tls.memberAuth "${desired.memberAuth}" needs TLS on the members' outgoing connections: tls.mode must be preferTLS or requireTLS, got ${desired.mode}`);
  if (processes.length === 0) return fail("no process answered getParameter: nothing to compare the designed tls config with");
  for (const p of processes) {
    if (tlsModeIndex(p.tlsMode) < 0) return fail(`${tlsHostLabel(p.host)} reports tlsMode "${p.tlsMode}", which is not one of ${modes.join(", ")}`);
    if (memberAuthIndex(p.clusterAuthMode) < 0) return fail(`${tlsHostLabel(p.host)} reports clusterAuthMode "${p.clusterAuthMode}", which is not one of ${auths.join(", ")}`);
  }

  const low = Math.min(...processes.map((p) => tlsModeIndex(p.tlsMode)));
  const high = Math.max(...processes.map((p) => tlsModeIndex(p.tlsMode)));
  const lowAuth = Math.min(...processes.map((p) => memberAuthIndex(p.clusterAuthMode)));
  const highAuth = Math.max(...processes.map((p) => memberAuthIndex(p.clusterAuthMode)));
  const at = (index: number) => processes.filter((p) => tlsModeIndex(p.tlsMode) === index);
  const atAuth = (index: number) => processes.filter((p) => memberAuthIndex(p.clusterAuthMode) === index);
  const labels = (ps: TlsProcessState[]) => ps.map((p) => tlsHostLabel(p.host)).join(", ");
  const path = "disabled → allowTLS → preferTLS → requireTLS, one deploy each (docs/runbooks/enable-tls.md)";
  const authPath = "keyFile → sendKeyFile → sendX509 → x509, one deploy (a rolling restart) each";

  if (high - low > 1) return fail(`the processes run tlsModes two or more steps apart (${labels(at(low))}: ${modes[low]}; ${labels(at(high))}: ${modes[high]}): set it by hand on each before this job plans`);
  if (highAuth - lowAuth > 1)
    return fail(`the processes run clusterAuthModes two or more steps apart (${labels(atAuth(lowAuth))}: ${auths[lowAuth]}; ${labels(atAuth(highAuth))}: ${auths[highAuth]})`);

  // Lowering: the server raises its mode at run time only. allowTLS → disabled is a restart (the
  // pod template changes back), which is safe because allowTLS still speaks plaintext.
  if (want < high && !(want === 0 && high === 1))
    return fail(`tls.mode would go down from ${modes[high]} to ${desired.mode}: the server only raises it at run time (ssl_parameters.cpp), and lowering it is no planned path; set tls.mode back to ${modes[high]}`);
  if (wantAuth < highAuth) return fail(`tls.memberAuth would go back from ${auths[highAuth]} to ${desired.memberAuth}: the server allows only ${authPath} (cluster_auth_mode.cpp)`);
  if (want - low > 1)
    return fail(`tls.mode ${desired.mode} skips ${modes[low + 1]}: ${labels(at(low))} still run${at(low).length === 1 ? "s" : ""} ${modes[low]}; a running set steps ${path}: set tls.mode to ${modes[low + 1]} first`);
  if (wantAuth - lowAuth > 1)
    return fail(`tls.memberAuth ${desired.memberAuth} skips ${auths[lowAuth + 1]}: ${labels(atAuth(lowAuth))} still run${atAuth(lowAuth).length === 1 ? "s" : ""} ${auths[lowAuth]}; the path is ${authPath}: set tls.memberAuth to ${auths[lowAuth + 1]} first`);
  // A set installed with requireTLS has never had a plaintext client: only the step to it waits.
  if (want === 3 && low < 3 && !desired.clientsMigrated)
    return fail(
      "tls.mode requireTLS refuses every plaintext client: set tls.clientsMigrated to true once every application connects with TLS (docs/runbooks/enable-tls.md says how to check), or keep preferTLS",
    );
  const modeMoves = want !== low || want !== high;
  const authMoves = wantAuth !== lowAuth || wantAuth !== highAuth;
  if (modeMoves && authMoves)
    return fail(
      `tls.mode (${modes[low]} → ${desired.mode}) and tls.memberAuth (${auths[lowAuth]} → ${desired.memberAuth}) would both change: change one per deploy, the mode first`,
    );
  if (authMoves && wantAuth > 0 && low < 2)
    return fail(`tls.memberAuth ${desired.memberAuth} needs every process at preferTLS or requireTLS first; ${labels(at(low))} run${at(low).length === 1 ? "s" : ""} ${modes[low]}`);

  // Restarts under way: the pod template changed (TLS on or off, or member authentication), and
  // the StatefulSet restarts the members one by one. Nothing to do here but wait for them.
  const restartMode = want <= 1 ? want : -1;
  const notRestarted = processes.filter((p) => (restartMode >= 0 && tlsModeIndex(p.tlsMode) !== restartMode) || memberAuthIndex(p.clusterAuthMode) !== wantAuth);
  if (notRestarted.length > 0)
    return {
      ok: true,
      steps: [
        {
          kind: "waitForRestart",
          reason: `${labels(notRestarted)} ${notRestarted.length === 1 ? "has" : "have"} not yet restarted into ${restartMode >= 0 ? `tlsMode ${desired.mode}, ` : ""}clusterAuthMode ${desired.memberAuth}`,
          hosts: notRestarted.map((p) => p.host),
          tlsMode: restartMode >= 0 ? desired.mode : modes[low],
          clusterAuthMode: desired.memberAuth,
        },
      ],
    };
  if (want === low) return { ok: true, steps: [] };

  // A runtime step (allowTLS → preferTLS or preferTLS → requireTLS) on a healthy set only.
  if (input.unhealthy.length > 0)
    return {
      ok: true,
      steps: [{ kind: "waitForHealthy", reason: `${input.unhealthy.map(tlsHostLabel).join(", ")} not healthy: a tlsMode step waits for the whole set`, hosts: input.unhealthy.slice() }],
    };
  return {
    ok: true,
    steps: at(low).map((p) => ({
      kind: "setTlsMode" as const,
      reason: `${tlsHostLabel(p.host)}: ${modes[low]} → ${desired.mode}`,
      host: p.host,
      from: modes[low],
      to: desired.mode,
    })),
  };
}

/** Everything the reconcile script embeds from this file, in dependency-free order. */
export const TLS_PLAN_FUNCTIONS: readonly ((...args: never[]) => unknown)[] = [tlsModeIndex, memberAuthIndex, tlsHostLabel, planTlsTransition];
