// The peer-TLS rule of the member pods' mongosh scripts (mongosh/initiate.js and
// mongosh/readiness.js ask the other members `hello`): one function, in one place.
//
// Peers are asked with TLS (config/tls.ts uriTlsOptions, spelled for a URI) when the pod carries
// the CA (NYRKIO_TLS_CA_FILE: the server has TLS) unless the deployed mode, read at each run from
// NYRKIO_TLS_MODE_FILE (a ConfigMap item that follows the config without a restart), is allowTLS:
// then a peer not yet restarted out of "disabled" speaks no TLS. Preferring TLS when the file
// cannot be read never sends a password or a command in the clear to a set that requires TLS.
//
// EMBEDDED: copied in front of both scripts with Function.prototype.toString()
// (stacks/constructs/pod-scripts.ts): self-contained, no imports, no module constants; the file
// is read through the `readFile` the script passes (require("fs") in mongosh).
/* istanbul ignore file -- coverage instrumentation would rewrite the embedded function body */

/** The connection-string options for a peer: "" or "&tls=true&tlsCAFile=<ca>". */
export function peerTlsOptions(env: Record<string, string | undefined>, readFile: (file: string) => string): string {
  const ca = env.NYRKIO_TLS_CA_FILE;
  if (!ca) return "";
  let mode;
  try {
    mode = env.NYRKIO_TLS_MODE_FILE ? readFile(env.NYRKIO_TLS_MODE_FILE).trim() : undefined;
  } catch {
    mode = undefined;
  }
  return mode === "allowTLS" ? "" : `&tls=true&tlsCAFile=${ca}`;
}

export const PEER_TLS_FUNCTIONS: readonly ((...args: never[]) => unknown)[] = [peerTlsOptions];
