// The TLS settings that can never work, whatever the live set holds: each names the field and the
// rule. Whether a running set can step to a mode is for the live set (the reconcile Job); whether
// a plaintext set may jump to TLS at all is checked against the deployed ConfigMap at plan time
// (tlsJumpCondition below, a precondition on each replica set's StatefulSets).

import type { PlatformConfig } from "./platform-config";
import type { ConfigProblem } from "./schema";
import { serverTlsOn, TLS_MODES, TlsMode } from "./tls";

export function tlsProblems(config: PlatformConfig): ConfigProblem[] {
  const { tls } = config;
  const problems: ConfigProblem[] = [];
  if (serverTlsOn(tls) && !tls.certificates)
    problems.push({ path: "tls.certificates", rule: `is required with tls.mode ${tls.mode}: mongod and mongos need a certificate and its CA to listen for TLS (source "secret" or "certManager")` });
  // mongod refuses to start otherwise (mongodb/mongo src/mongo/util/net/ssl_options_server.cpp,
  // storeSSLServerOptions): any clusterAuthMode but keyFile with TLS disabled is "need to enable
  // TLS via the tlsMode flag"; one that sends x.509 (sendX509, x509) in allowTLS is "cannot have
  // x.509 cluster authentication in allowTLS mode" (in allowTLS, members talk to each other in plaintext).
  if (tls.memberAuth !== "keyFile" && !serverTlsOn(tls))
    problems.push({ path: "tls.memberAuth", rule: `must be "keyFile" while tls.mode is "disabled": mongod refuses clusterAuthMode ${tls.memberAuth} without TLS, got "${tls.memberAuth}"` });
  else if ((tls.memberAuth === "sendX509" || tls.memberAuth === "x509") && tls.mode === "allowTLS")
    problems.push({
      path: "tls.memberAuth",
      rule: `must be "keyFile" or "sendKeyFile" while tls.mode is "allowTLS": members talk to each other in plaintext in that mode and mongod refuses x.509 member authentication, got "${tls.memberAuth}"`,
    });
  if (tls.certificates) {
    // The certificate Secret is in cert-manager's layout, and cert-manager owns (rewrites) it
    // with source certManager: it cannot also be a keyfile or a user's Secret.
    const clash = Object.entries(config.secrets).find(([, name]) => name === tls.certificates!.secretName);
    if (clash)
      problems.push({ path: "tls.certificates.secretName", rule: `must differ from secrets.${clash[0]}: the certificate Secret holds tls.crt, tls.key and ca.crt only, got "${clash[1]}"` });
  }
  return problems;
}

/**
 * A silent jump: a set deployed without TLS must pass through allowTLS (every member restarted
 * with TLS available, the clients still in plaintext) before preferTLS or requireTLS; a set whose
 * members use TLS with each other (preferTLS, requireTLS) cannot drop to disabled in one rolling
 * restart either, or restarted members could no longer reach the others
 * (https://www.mongodb.com/docs/manual/tutorial/upgrade-cluster-to-ssl/). The deployed modes from
 * which a deploy may set `mode`; "disabled" stands for a set deployed before TLS existed too.
 */
export function deployedModesAllowedFor(mode: TlsMode): readonly TlsMode[] {
  switch (mode) {
    case "disabled":
      return ["disabled", "allowTLS"];
    case "allowTLS":
      return TLS_MODES;
    case "preferTLS":
    case "requireTLS":
      return ["allowTLS", "preferTLS", "requireTLS"];
  }
}

/** ConfigMap key (in every replica set's ConfigMap) of the deployed net.tls.mode: outside the pods' config hash. */
export const TLS_MODE_CONFIG_KEY = "tls-mode";

/**
 * A Terraform condition (HCL, inside `${}`), true unless the replica set's ConfigMap as the last
 * deploy left it (`deployedData`: an HCL expression for its `data` map; an empty map on a first
 * deploy) belongs to a running set whose mode may not move to `mode` in one deploy. undefined
 * when every deployed mode may.
 */
export function tlsJumpCondition(deployedData: string, mode: TlsMode, deployedMarkerKey: string): string | undefined {
  const allowed = deployedModesAllowedFor(mode);
  if (allowed.length === TLS_MODES.length) return undefined;
  const firstDeploy = `try(${deployedData}["${deployedMarkerKey}"], "") == ""`;
  const deployedMode = `try(${deployedData}["${TLS_MODE_CONFIG_KEY}"], "disabled")`;
  return `\${${firstDeploy} || contains(${JSON.stringify(allowed)}, ${deployedMode})}`;
}

export function tlsJumpMessage(mode: TlsMode): string {
  return mode === "disabled"
    ? "tls.mode: this deploy turns TLS off under a running set whose members use TLS with each other: lower it to allowTLS first (setParameter tlsMode cannot go down; see docs/tls.md, \"Turning TLS off\")."
    : `tls.mode: this deploy moves a running set that has no TLS straight to ${mode}: every member must first be restarted with allowTLS, then the mode is raised step by step with the clients moved to TLS in between (docs/tls.md, "Enabling TLS on a running set"; docs/upgrading.md). Set tls.mode to "allowTLS" for this deploy, or "disabled" to keep running as before.`;
}
