// Synthesizes the database stack for a config (the shipped dev environment by default, or a
// variant of it) and gives typed access to the resources, as Terraform would receive them.
// Once per config and run (test/support/synth-cache.ts); each call parses its own copy. cdktf and
// the stack are loaded only when a config is synthesized for the first time.

import type { PlatformConfig } from "../../config/platform-config";
import { dev } from "../../config/environments/dev";
import { memoSynthText } from "../support/synth-cache";

export type Json = any;

export interface Synthesized {
  text: string;
  json: Json;
  /** resource.<type>.<logicalId> */
  resource(type: string, id: string): Json;
  /** Every resource of a type, by logical id. */
  resources(type: string): Record<string, Json>;
  /** The one resource of a type whose metadata.name is `name`. */
  named(type: string, name: string): Json;
}

/** The database stack's Terraform JSON for a config, as Testing.synth gives it. */
export function databaseStackText(config: PlatformConfig, projectDir: string): string {
  return memoSynthText("DatabaseStack Testing.synth", { config, projectDir }, () => {
    const { Testing } = require("cdktf") as typeof import("cdktf");
    const { DatabaseStack } = require("../../stacks/database-stack") as typeof import("../../stacks/database-stack");
    return Testing.synth(new DatabaseStack(Testing.app(), { config, projectDir }));
  });
}

export function synthDatabase(config: PlatformConfig = dev): Synthesized {
  const text = databaseStackText(config, "/tmp/nyrkio-db-test");
  const json = JSON.parse(text);
  const resources = (type: string) => (json.resource?.[type] ?? {}) as Record<string, Json>;
  return {
    text,
    json,
    resources,
    resource: (type, id) => {
      const r = resources(type)[id];
      if (!r) throw new Error(`no ${type}.${id}; have ${Object.keys(resources(type)).join(", ")}`);
      return r;
    },
    named: (type, name) => {
      const found = Object.values(resources(type)).filter((r) => r.metadata?.name === name);
      if (found.length !== 1) throw new Error(`${found.length} ${type} named ${name}`);
      return found[0];
    },
  };
}

/** The dev config with a change applied to a deep copy. */
export function devWith(change: (config: PlatformConfig) => void): PlatformConfig {
  const config = structuredClone(dev);
  change(config);
  return config;
}

/** Every pod spec in the stack (StatefulSets, Jobs, CronJobs), with where it is. */
export function podSpecs(s: Synthesized): { where: string; spec: Json }[] {
  const out: { where: string; spec: Json }[] = [];
  for (const [id, r] of Object.entries(s.resources("kubernetes_stateful_set_v1"))) out.push({ where: `stateful_set ${id}`, spec: r.spec.template.spec });
  for (const [id, r] of Object.entries(s.resources("kubernetes_job_v1"))) out.push({ where: `job ${id}`, spec: r.spec.template.spec });
  for (const [id, r] of Object.entries(s.resources("kubernetes_cron_job_v1"))) out.push({ where: `cron_job ${id}`, spec: r.spec.job_template.spec.template.spec });
  return out;
}

/** Every container (init containers too) in the stack. */
export function containers(s: Synthesized): { where: string; container: Json }[] {
  return podSpecs(s).flatMap(({ where, spec }) =>
    [...(spec.init_container ?? []), ...(spec.container ?? [])].map((container: Json) => ({ where: `${where} ${container.name}`, container })),
  );
}
