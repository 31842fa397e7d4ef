// The TLS settings that can never work, whatever the live set holds: each names the field and the
// rule. Whether a running set can step to a mode is for the live set (the reconcile Job); whether
// a plaintext set may jump to TLS at all is checked against the deployed ConfigMap at plan time
// (stacks/constructs/tls-server.ts, tlsJumpCondition).

import type { PlatformConfig } from "./platform-config";
import type { ConfigProblem } from "./schema";
import { serverTlsOn } from "./tls";

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
