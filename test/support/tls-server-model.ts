// How mongod and mongos answer getParameter/setParameter for tlsMode and clusterAuthMode, for
// every stand-in that models them. From the MongoDB server source (github.com/mongodb/mongo):
//   - setParameter {tlsMode}: src/mongo/util/net/ssl_parameters.cpp, checkTLSModeTransition:
//     only allowTLS → preferTLS and preferTLS → requireTLS; anything else (the mode it already
//     runs included) is BadValue "Illegal state transition for tlsMode, attempt to change from X to Y".
//   - setParameter {clusterAuthMode}: src/mongo/util/net/ssl_parameters_auth.cpp,
//     ClusterAuthModeServerParameter::setFromString: a mode that allows x509 needs tlsMode
//     preferTLS or requireTLS ("need to enable SSL for outgoing connections"); the transition
//     itself is ClusterAuthMode::canTransitionTo (src/mongo/db/auth/cluster_auth_mode.cpp):
//     keyFile → sendKeyFile → sendX509 → x509 only.
//   - getParameter: the current value of each parameter asked for (src/mongo/db/commands/parameters.cpp).
// Authorization (setParameter and getParameter actions on the cluster) is test/support/mongod-authz.ts.

import { ServerError } from "./mongod-authz";

export const BAD_VALUE = 2;
const TLS_MODES = ["disabled", "allowTLS", "preferTLS", "requireTLS"];
const AUTH_MODES = ["keyFile", "sendKeyFile", "sendX509", "x509"];

export interface TlsParameters {
  tlsMode: string;
  clusterAuthMode: string;
}

/** getParameter {tlsMode: 1, clusterAuthMode: 1}: the values asked for. */
export function getTlsParameters(params: TlsParameters, cmd: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (cmd.getParameter === "*" || "tlsMode" in cmd) out.tlsMode = params.tlsMode;
  if (cmd.getParameter === "*" || "clusterAuthMode" in cmd) out.clusterAuthMode = params.clusterAuthMode;
  if (Object.keys(out).length === 0) throw new ServerError(BAD_VALUE, "BadValue", "no option found to get");
  return out;
}

/** setParameter {tlsMode} or {clusterAuthMode}: changes `params` or throws as the server does. */
export function setTlsParameter(params: TlsParameters, cmd: Record<string, unknown>): void {
  if ("tlsMode" in cmd) {
    const to = String(cmd.tlsMode);
    if (!TLS_MODES.includes(to)) throw new ServerError(BAD_VALUE, "BadValue", `Invalid tlsMode '${to}'`);
    const ok = (params.tlsMode === "allowTLS" && to === "preferTLS") || (params.tlsMode === "preferTLS" && to === "requireTLS");
    if (!ok) throw new ServerError(BAD_VALUE, "BadValue", `Illegal state transition for tlsMode, attempt to change from ${params.tlsMode} to ${to}`);
    params.tlsMode = to;
    return;
  }
  if ("clusterAuthMode" in cmd) {
    const to = String(cmd.clusterAuthMode);
    const index = AUTH_MODES.indexOf(to);
    if (index < 0) throw new ServerError(BAD_VALUE, "BadValue", `Invalid clusterAuthMode '${to}'`);
    if (index > 0 && (params.tlsMode === "disabled" || params.tlsMode === "allowTLS"))
      throw new ServerError(BAD_VALUE, "BadValue", "Illegal state transition for clusterAuthMode, need to enable SSL for outgoing connections");
    if (AUTH_MODES.indexOf(params.clusterAuthMode) + 1 !== index)
      throw new ServerError(BAD_VALUE, "BadValue", `Illegal state transition for clusterAuthMode, change from ${params.clusterAuthMode} to ${to}`);
    params.clusterAuthMode = to;
    return;
  }
  throw new Error(`the TLS parameter model knows only tlsMode and clusterAuthMode, got ${JSON.stringify(cmd)}`);
}

/**
 * Whether two processes can talk (heartbeats both ways): a sender in allowTLS (or disabled) uses
 * plaintext, preferTLS and requireTLS use TLS; a receiver in disabled accepts only plaintext,
 * requireTLS only TLS, the others both
 * (https://www.mongodb.com/docs/manual/reference/configuration-options/#mongodb-setting-net.tls.mode).
 */
export function tlsModesInteroperate(a: string, b: string): boolean {
  const sendsTls = (m: string) => m === "preferTLS" || m === "requireTLS";
  const accepts = (receiver: string, tls: boolean) => (receiver === "disabled" ? !tls : receiver === "requireTLS" ? tls : true);
  return accepts(b, sendsTls(a)) && accepts(a, sendsTls(b));
}
