// Synthesizes the database stack of a config and indexes the result by resource type and
// logical ID, for the sharded-topology and in-place-switch tests (once per config and run, see
// test/support/synth-cache.ts).

import type { PlatformConfig } from "../../config/platform-config";
import { databaseStackText } from "../stacks/database-synth";

export type Resources = Record<string, Record<string, Record<string, unknown>>>;

export interface Synthesized {
  json: string;
  resources: Resources;
}

export function synthDatabase(config: PlatformConfig): Synthesized {
  const json = databaseStackText(config, "/tmp/nyrkio-db-test");
  return { json, resources: (JSON.parse(json).resource ?? {}) as Resources };
}

/** Every resource address ("type.logical_id") of a synth. */
export function addresses(resources: Resources): string[] {
  return Object.entries(resources).flatMap(([type, byId]) => Object.keys(byId).map((id) => `${type}.${id}`));
}

/** The resources of one type whose metadata.name is `name`. */
export function byName(resources: Resources, type: string, name: string): Record<string, unknown> {
  const found = Object.values(resources[type] ?? {}).filter((r) => (r as { metadata: { name: string } }).metadata.name === name);
  if (found.length !== 1) throw new Error(`expected one ${type} named ${name}, found ${found.length}`);
  return found[0];
}

/** The resources of one type whose metadata.name starts with `prefix`. */
export function byNamePrefix(resources: Resources, type: string, prefix: string): Record<string, unknown>[] {
  return Object.values(resources[type] ?? {}).filter((r) => (r as { metadata: { name: string } }).metadata.name.startsWith(prefix));
}
