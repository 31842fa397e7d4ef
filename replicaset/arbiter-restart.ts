// Whether the arbiter's TLS sidecar may restart the arbiter now. An arbiter holds no users (it
// replicates no data), so nobody can log in to it to run rotateCertificates or setParameter; it
// loads a new certificate, or a new tlsMode from the ConfigMap, only by restarting. It is a
// voter, so it restarts only while the rest of the set can elect and keep a primary without it.
//
// What the sidecar can see from inside the arbiter's pod without credentials: the arbiter has
// no user, so the localhost exception never closes on it, and it grants a loopback connection
// replSetGetStatus on any member and, on an arbiter only, getParameter and shutdown too
// (mongodb/mongo src/mongo/db/auth/authorization_session_impl.cpp, _getDefaultPrivileges; "If
// this server is an arbiter, add specific privileges meant to circumvent the behavior of an
// arbiter in an authenticated replset. See SERVER-5479."). `hello` needs no authentication at all
// but tells neither health nor votes. So: replSetGetStatus for each member's health and state as
// the arbiter's heartbeats see them, getParameter for the running tlsMode, the votes from the
// designed config the pod mounts (replicaset.json), and shutdown to restart (the container
// restarts: restartPolicy Always, https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#restart-policy).
//
// EMBEDDED: copied in front of mongosh/arbiter-restart.js with Function.prototype.toString()
// (stacks/constructs/pod-scripts.ts): self-contained, no imports, no module constants.
/* istanbul ignore file -- coverage instrumentation would rewrite the embedded function body */

export interface ArbiterRestartInput {
  /** The Secret's certificate or CA differs from what the arbiter's mongod was given at start. */
  certificateChanged: boolean;
  /** getParameter tlsMode, and the mode the start script would give it now (the ConfigMap). */
  runningTlsMode: string;
  wantedTlsMode: string;
  /** The designed members (replicaset.json). */
  members: { host: string; votes: number; arbiterOnly?: boolean }[];
  /** replSetGetStatus's members, as the arbiter sees them. */
  status: { name: string; health: number; stateStr: string; self?: boolean }[];
}

export type ArbiterRestartDecision = { action: "none" | "wait" | "restart"; reason: string };

export function decideArbiterRestart(input: ArbiterRestartInput): ArbiterRestartDecision {
  const modes = ["disabled", "allowTLS", "preferTLS", "requireTLS"];
  const running = modes.indexOf(input.runningTlsMode);
  const wanted = modes.indexOf(input.wantedTlsMode);
  const reasons: string[] = [];
  if (input.certificateChanged) reasons.push("the certificate Secret changed");
  if (running !== wanted) {
    // Leaving or entering `disabled` changes the pod template: the StatefulSet restarts the arbiter itself.
    if (running <= 0 || wanted <= 0) {
      if (reasons.length === 0) return { action: "none", reason: `tlsMode ${input.runningTlsMode} → ${input.wantedTlsMode} is a pod template change: the StatefulSet restarts the arbiter` };
    } else if (wanted !== running + 1) {
      // The same rule as the data members' planner (replicaset/tls-plan.ts): one step up at a time.
      return { action: "wait", reason: `tls.mode ${input.wantedTlsMode} is not the step after the running ${input.runningTlsMode}: the arbiter keeps it (the reconcile Job refuses this config too)` };
    } else reasons.push(`tlsMode ${input.runningTlsMode} → ${input.wantedTlsMode}`);
  }
  if (reasons.length === 0) return { action: "none", reason: "the arbiter runs the current certificate and tlsMode" };

  const self = input.status.find((m) => m.self === true);
  if (!self) return { action: "wait", reason: "replSetGetStatus does not list this arbiter (not yet in the set)" };
  const problems: string[] = [];
  let votes = 0;
  let healthyVotes = 0;
  let primaries = 0;
  for (const m of input.members) {
    votes += m.votes;
    if (m.host === self.name) continue;
    const seen = input.status.find((s) => s.name === m.host);
    const state = seen ? seen.stateStr : "not in replSetGetStatus";
    const healthy = seen !== undefined && seen.health === 1 && (m.arbiterOnly ? state === "ARBITER" : state === "PRIMARY" || state === "SECONDARY");
    if (!healthy) problems.push(`${m.host.split(".")[0]} is ${seen && seen.health !== 1 ? "unreachable" : state}`);
    else {
      if (state === "PRIMARY") primaries += 1;
      healthyVotes += m.votes;
    }
  }
  if (problems.length > 0) return { action: "wait", reason: `${reasons.join(", ")}, but ${problems.join(", ")}: the arbiter is a voter and restarts only while every other member is healthy` };
  if (primaries !== 1) return { action: "wait", reason: `${reasons.join(", ")}, but there is no primary` };
  const majority = Math.floor(votes / 2) + 1;
  if (healthyVotes < majority) return { action: "wait", reason: `${reasons.join(", ")}, but without the arbiter only ${healthyVotes} of ${votes} votes remain (a majority is ${majority})` };
  return { action: "restart", reason: `${reasons.join(", ")}; every other member is healthy and holds ${healthyVotes} of ${votes} votes without the arbiter` };
}

export const ARBITER_RESTART_FUNCTIONS: readonly ((...args: never[]) => unknown)[] = [decideArbiterRestart];
