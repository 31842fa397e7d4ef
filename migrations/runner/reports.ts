// The results the runner hands to the CLI: exactly what `--json` prints (Dates as ISO strings by
// JSON.stringify). docs/migrations.md documents these shapes; keep the two in step.
import type { SchemaOperation } from "../migration";
import type { Command } from "../plan/commands";

export interface MigrationRef {
  id: number;
  name: string;
  file: string;
}

export interface AppliedStep {
  operation: SchemaOperation;
  /** The commands sent (plan: that would be sent), in order. */
  commands: Command[];
  /** Why less was sent: what already existed. */
  notes: string[];
}

export interface RunMigrationResult extends MigrationRef {
  checksum: string;
  durationMs: number;
  steps: AppliedStep[];
}

export interface RunReport {
  command: "up" | "down";
  database: string;
  ok: boolean;
  /** up: applied by this run, in order; down: reverted by this run, last first. */
  migrations: RunMigrationResult[];
  /** The last applied migration after the run (0: none). */
  lastApplied: number;
  lock?: { owner: string; token: number };
  error?: ErrorReport;
}

export interface ErrorReport {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

export interface PlanReport {
  command: "plan";
  database: string;
  ok: boolean;
  lastApplied: number;
  /** The migrations `up` would apply, each with the exact commands it would send. */
  migrations: (MigrationRef & { steps: AppliedStep[] })[];
  /** Total commands `up` would send; 0 on an up-to-date database. */
  commandCount: number;
  problems: string[];
  error?: ErrorReport;
}

/** "drifted": recorded as applied, but the live schema lacks what it created (runner/drift.ts). */
export type MigrationState = "applied" | "pending" | "changed" | "drifted";

export interface StatusReport {
  command: "status";
  database: string;
  ok: boolean;
  lastApplied: number;
  migrations: (MigrationRef & { checksum: string; state: MigrationState; appliedAt?: Date; durationMs?: number })[];
  /** Recorded as applied but without a migration file. */
  unknownApplied: { id: number; name: string; appliedAt: Date }[];
  problems: string[];
  lock: { state: "free" | "held" | "expired"; owner: string | null; command: string | null; expiresAt: Date | null; serverTime: Date };
  error?: ErrorReport;
}
