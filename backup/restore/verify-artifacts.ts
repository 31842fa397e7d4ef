// Checks every artifact a plan reads against its manifest, size first (cheap) and then SHA-256,
// before a restore runs anything: a restore that fails halfway on a corrupt slice leaves the
// target in a state nobody asked for.

import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { PlanArtifact } from "./planner";

export interface ArtifactInspector {
  /** Size in bytes; rejects when the file is missing. */
  size(path: string): Promise<number>;
  /** Lower-case hex SHA-256 of the file. */
  sha256(path: string): Promise<string>;
}

export interface ArtifactProblem {
  step: number;
  file: string;
  problem: string;
}

export type ArtifactStep = Pick<PlanArtifact, "step" | "file" | "bytes" | "sha256">;

/** Problems of the steps' artifacts (empty when all are sound); `progress` hears one line per artifact. */
export async function verifyArtifacts(
  steps: ArtifactStep[],
  resolve: (file: string) => string,
  inspector: ArtifactInspector,
  progress: (line: string) => void = () => {},
): Promise<ArtifactProblem[]> {
  const problems: ArtifactProblem[] = [];
  for (const s of steps) {
    const path = resolve(s.file);
    let size: number;
    try {
      size = await inspector.size(path);
    } catch (e) {
      problems.push({ step: s.step, file: s.file, problem: `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): is the catalog complete?` });
      continue;
    }
    if (size !== s.bytes) {
      problems.push({ step: s.step, file: s.file, problem: `is ${size} bytes, its manifest says ${s.bytes}: truncated or replaced` });
      continue;
    }
    const sha = await inspector.sha256(path);
    if (sha !== s.sha256) {
      problems.push({ step: s.step, file: s.file, problem: `has sha256 ${sha}, its manifest says ${s.sha256}: corrupt` });
      continue;
    }
    progress(`verified ${s.file} (${formatBytes(size)}, sha256 ok)`);
  }
  return problems;
}

export const fileInspector: ArtifactInspector = {
  size: async (path) => {
    const st = await stat(path);
    if (!st.isFile()) throw Object.assign(new Error("not a regular file"), { code: "not a regular file" });
    return st.size;
  },
  sha256: (path) =>
    new Promise((resolve, reject) => {
      const hash = createHash("sha256");
      createReadStream(path)
        .on("data", (chunk) => hash.update(chunk))
        .on("error", reject)
        .on("end", () => resolve(hash.digest("hex")));
    }),
};

/**
 * An inspector that reads each file once: a cluster-wide run checks every replica set's artifacts
 * before it restores anything, and the executor's own check of each set then costs nothing (a
 * base dump's SHA-256 can take minutes).
 */
export function rememberingInspector(inner: ArtifactInspector): ArtifactInspector {
  const sizes = new Map<string, Promise<number>>();
  const hashes = new Map<string, Promise<string>>();
  const once = <T>(memo: Map<string, Promise<T>>, path: string, read: () => Promise<T>): Promise<T> => {
    if (!memo.has(path)) memo.set(path, read());
    return memo.get(path) as Promise<T>;
  };
  return { size: (path) => once(sizes, path, () => inner.size(path)), sha256: (path) => once(hashes, path, () => inner.sha256(path)) };
}

export function formatBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} B` : `${v.toFixed(1)} ${units[u]}`;
}
