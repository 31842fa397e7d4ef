// Builds the in-cluster retention script: the unit-tested decision functions, as their own
// source text (Function.prototype.toString()), followed by mongosh/retention.js, which does the
// I/O. So the logic that runs in the cluster is the logic the tests ran.
import path from "node:path";
import { EMBEDDED_FUNCTIONS } from "./retention-steps";
import { readEmbeddedFile } from "../../config/embedded-file";

export function retentionScript(paramsFile: string, functions: readonly ((...args: never[]) => unknown)[] = EMBEDDED_FUNCTIONS): string {
  const io = readEmbeddedFile(path.join(__dirname, "mongosh", "retention.js"));
  return [
    "// Generated from migrations/retention/ (retention-steps.ts + mongosh/retention.js). Do not edit here.",
    `const RETENTION_PARAMS_FILE = ${JSON.stringify(paramsFile)};`,
    ...functions.map((f) => f.toString()),
    io,
  ].join("\n\n");
}
