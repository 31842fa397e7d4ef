// The scripts that run inside the member pods, read from stacks/scripts/ at synth time and
// embedded in the replica set's ConfigMap. ConfigMap keys cannot hold "/", so mongosh/x.js is
// stored under the key mongosh-x.js and projected back to mongosh/x.js in the pod: the scripts
// find each other in the pod exactly as they do in the repository (and under bats).

import * as path from "node:path";
import { readEmbeddedFile } from "../../config/embedded-file";
import { ARBITER_RESTART_FUNCTIONS } from "../../replicaset/arbiter-restart";
import { PEER_TLS_FUNCTIONS } from "../../replicaset/peer-tls";

const SCRIPTS_DIR = path.join(__dirname, "..", "scripts");

/** Paths relative to stacks/scripts/ (and to the scripts' mount path in the pod). */
export const POD_SCRIPTS = [
  "install-keyfile.sh",
  "run-mongod.sh",
  "tls-assemble.sh",
  "probe.sh",
  "bootstrap.sh",
  "mongosh/readiness.js",
  "mongosh/initiate.js",
  "mongosh/create-bootstrap-user.js",
  // TLS (docs/tls.md): the rotation sidecar and the arbiter's restart check (tls-assemble.sh above).
  "tls-rotate.sh",
  "mongosh/rotate-certificates.js",
  "mongosh/arbiter-restart.js",
] as const;

export type PodScript = (typeof POD_SCRIPTS)[number];

export function podScriptKey(script: PodScript): string {
  return script.replace(/\//g, "-");
}

/**
 * Pure functions a script runs, put in front of its text with Function.prototype.toString() so
 * that the pod runs the very code the unit tests exercise (as replicaset/reconcile-script.ts does).
 */
const EMBEDDED: Partial<Record<PodScript, readonly ((...args: never[]) => unknown)[]>> = {
  "mongosh/arbiter-restart.js": ARBITER_RESTART_FUNCTIONS,
  // The peer-TLS rule, one copy for both scripts that ask the peers (replicaset/peer-tls.ts).
  "mongosh/initiate.js": PEER_TLS_FUNCTIONS,
  "mongosh/readiness.js": PEER_TLS_FUNCTIONS,
};

/** A script's text as the pod gets it: its embedded functions, then the file. */
export function podScriptText(script: PodScript): string {
  return podScriptTextFrom(SCRIPTS_DIR, script);
}

/** podScriptText with the files read from `dir` (the bats tests lay the scripts out from a bundle: test/bats/replica-set/pod-scripts-layout.ts). */
export function podScriptTextFrom(dir: string, script: PodScript): string {
  const text = readEmbeddedFile(path.join(dir, script));
  const functions = EMBEDDED[script];
  return functions ? [...functions.map((fn) => `${fn.toString()}\n`), text].join("\n") : text;
}

/** ConfigMap data: key → script text. */
export function podScriptsData(): Record<string, string> {
  return Object.fromEntries(POD_SCRIPTS.map((s) => [podScriptKey(s), podScriptText(s)]));
}

/** ConfigMap volume items that lay the scripts out as in stacks/scripts/. */
export function podScriptsItems(): { key: string; path: string }[] {
  return POD_SCRIPTS.map((s) => ({ key: podScriptKey(s), path: s }));
}
