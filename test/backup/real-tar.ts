// The restore's unpack step runs the real tar here (it exists on every machine the tests run on):
// a stand-in runner hands it the `tar` argv and plays only mongorestore.
import { spawnSync } from "node:child_process";
import type { StepExit } from "../../backup/restore/executor";

export function runRealTar(argv: readonly string[], onLine: (line: string) => void): StepExit {
  const r = spawnSync(argv[0], argv.slice(1), { encoding: "utf8" });
  for (const line of `${r.stdout ?? ""}${r.stderr ?? ""}`.split("\n")) if (line) onLine(line);
  return { code: r.status, signal: r.signal, ...(r.error ? { spawnError: r.error.message } : {}) };
}
