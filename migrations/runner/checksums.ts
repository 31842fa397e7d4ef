// An applied migration is immutable: its file must still have the checksum recorded when it was
// applied. Any difference stops the run before anything is sent, naming the file.
import { checksumMatches, checksumVersion, CHECKSUM_VERSION } from "../plan/checksum";
import { RunnerError } from "./errors";
import type { ChangelogEntry } from "./changelog";
import type { LoadedMigration } from "../registry";
import { label } from "./migration-label";

export type ChecksumProblem =
  | { kind: "changed"; id: number; name: string; file: string; recorded: string; current: string }
  | { kind: "missing-file"; id: number; name: string };

export function checksumProblems(
  applied: Pick<ChangelogEntry, "id" | "name" | "checksum">[],
  available: LoadedMigration[],
): ChecksumProblem[] {
  const byId = new Map(available.map((m) => [m.migration.id, m]));
  const problems: ChecksumProblem[] = [];
  for (const entry of applied) {
    const loaded = byId.get(entry.id);
    if (!loaded) {
      problems.push({ kind: "missing-file", id: entry.id, name: entry.name });
    } else if (!checksumMatches(entry.checksum, loaded.migration)) {
      problems.push({ kind: "changed", id: entry.id, name: entry.name, file: loaded.file, recorded: entry.checksum, current: loaded.checksum });
    }
  }
  return problems;
}

export function describeChecksumProblem(p: ChecksumProblem): string {
  if (p.kind === "missing-file") {
    return `migration ${label(p)} is recorded as applied but no migration file has id ${p.id}`;
  }
  const version = checksumVersion(p.recorded);
  if (version === undefined || version > CHECKSUM_VERSION) {
    return `${p.file}: the recorded checksum ${p.recorded} was taken with a checksum algorithm this runner does not know (it knows versions 1 to ${CHECKSUM_VERSION}); use the runner that applied it, or a newer one`;
  }
  return `${p.file} changed after it was applied (recorded checksum ${p.recorded}, file now ${p.current}); an applied migration is immutable: revert the file and ship the change as a new migration`;
}

export function assertChecksumsMatch(applied: Pick<ChangelogEntry, "id" | "name" | "checksum">[], available: LoadedMigration[]): void {
  const problems = checksumProblems(applied, available);
  if (problems.length === 0) return;
  throw new RunnerError(problems.map(describeChecksumProblem).join("\n"), "checksum-mismatch", undefined, { problems });
}
