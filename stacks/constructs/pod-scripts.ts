// The scripts that run inside the member pods, read from stacks/scripts/ at synth time and
// embedded in the replica set's ConfigMap. ConfigMap keys cannot hold "/", so mongosh/x.js is
// stored under the key mongosh-x.js and projected back to mongosh/x.js in the pod: the scripts
// find each other in the pod exactly as they do in the repository (and under bats).

import * as path from "node:path";
import { readEmbeddedFile } from "../../config/embedded-file";

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
  "mongosh/create-root-user.js",
] as const;

export type PodScript = (typeof POD_SCRIPTS)[number];

export function podScriptKey(script: PodScript): string {
  return script.replace(/\//g, "-");
}

/** ConfigMap data: key → script text. */
export function podScriptsData(): Record<string, string> {
  return Object.fromEntries(POD_SCRIPTS.map((s) => [podScriptKey(s), readEmbeddedFile(path.join(SCRIPTS_DIR, s))]));
}

/** ConfigMap volume items that lay the scripts out as in stacks/scripts/. */
export function podScriptsItems(): { key: string; path: string }[] {
  return POD_SCRIPTS.map((s) => ({ key: podScriptKey(s), path: s }));
}
