// What `migrate` prints for people (without --json). Pure: reports in, text out.
import type { SchemaDocument } from "../plan/schema-document";
import type { Catalog } from "../migration";
import type { IndexesReport } from "../runner/index-report";
import { label } from "../runner/migration-label";
import type { PlanReport, RunReport, StatusReport } from "../runner/reports";

function json(value: unknown): string {
  return JSON.stringify(value);
}

export function renderStatus(r: StatusReport): string {
  const lines = [`database ${r.database}: last applied ${r.lastApplied || "none"}`];
  for (const m of r.migrations) {
    const when = m.appliedAt ? ` (applied ${m.appliedAt.toISOString()}, ${m.durationMs} ms)` : "";
    lines.push(`  ${m.state.padEnd(7)} ${label(m)}  ${m.file}${when}`);
  }
  for (const u of r.unknownApplied) lines.push(`  applied ${label(u)}  (no migration file)`);
  const lock = r.lock;
  lines.push(lock.state === "free" ? "lock: free" : `lock: ${lock.state}, owner ${lock.owner}${lock.command ? ` (${lock.command})` : ""}, lease ends ${lock.expiresAt?.toISOString()}`);
  for (const p of r.problems) lines.push(`problem: ${p}`);
  return lines.join("\n") + "\n";
}

export function renderPlan(r: PlanReport): string {
  if (r.migrations.length === 0) return `database ${r.database}: up to date (last applied ${r.lastApplied || "none"}); \`up\` would send nothing\n`;
  const lines = [`database ${r.database}: \`up\` would apply ${r.migrations.length} migration(s) and send ${r.commandCount} command(s):`];
  for (const m of r.migrations) {
    lines.push(`${label(m)}  ${m.file}`);
    for (const step of m.steps) {
      for (const command of step.commands) lines.push(`  db.runCommand(${json(command)})`);
      for (const note of step.notes) lines.push(`  # ${note}`);
    }
  }
  for (const p of r.problems) lines.push(`STOP: ${p}`);
  return lines.join("\n") + "\n";
}

export function renderRun(r: RunReport): string {
  const verb = r.command === "up" ? "applied" : "reverted";
  if (r.migrations.length === 0) return `database ${r.database}: nothing ${verb}; last applied ${r.lastApplied || "none"}\n`;
  const lines = [`database ${r.database}: ${verb} ${r.migrations.length} migration(s); last applied ${r.lastApplied || "none"}`];
  for (const m of r.migrations) {
    const sent = m.steps.reduce((n, s) => n + s.commands.length, 0);
    lines.push(`  ${label(m)}  ${sent} command(s), ${m.durationMs} ms`);
  }
  return lines.join("\n") + "\n";
}

export function renderIndexes(r: IndexesReport): string {
  const lines = [`database ${r.database}: ${r.summary.indexes} indexes, ${r.summary.drift} drift, ${r.summary.neverUsed} never used since restart, ${r.summary.missing} missing`];
  for (const c of r.collections) {
    lines.push(`${c.name}${c.inCatalog ? "" : "  (not in the catalog)"}`);
    for (const i of c.indexes) {
      const marks = [
        i.status === "unknown" ? "DRIFT: not in the catalog" : "",
        i.status === "differs" ? `DRIFT: ${i.reason}` : "",
        i.neverUsed ? "never used" : "",
      ].filter(Boolean);
      const usage = i.ops === null ? "usage n/a" : `${i.ops} ops since ${i.since?.toISOString() ?? "?"}`;
      lines.push(`  ${i.name.padEnd(28)} ${json(i.key).padEnd(36)} ${usage}${marks.length ? "  " + marks.join("; ") : ""}`);
    }
    for (const m of c.missing) lines.push(`  ${m.name.padEnd(28)} ${json(m.key).padEnd(36)} MISSING (in the catalog, not in the database)`);
  }
  for (const name of r.missingCollections) lines.push(`${name}  MISSING collection (in the catalog, not in the database)`);
  return lines.join("\n") + "\n";
}

export function renderSchema(doc: SchemaDocument, catalog: Catalog): string {
  const lines: string[] = [];
  for (const c of doc.collections) {
    const spec = catalog.collections.find((s) => s.name === c.name);
    lines.push(`${c.name}  (validationLevel ${spec?.validationLevel ?? c.validationLevel}, validationAction ${spec?.validationAction ?? c.validationAction})`);
    lines.push(`  validator: ${JSON.stringify(c.validator, null, 2).split("\n").join("\n  ")}`);
    lines.push("  indexes:");
    for (const i of c.indexes) {
      const { key, name, ...options } = i;
      lines.push(`  ${name.padEnd(28)} ${json(key)}${Object.keys(options).length ? "  " + json(options) : ""}`);
    }
  }
  return lines.join("\n") + "\n";
}
