// Synthesizes the backup stack for a config (a built-in environment with overrides) and gives the
// tests typed access to its CronJobs, their pods and containers. Once per config and settings and
// run (test/support/synth-cache.ts); each call parses its own copy.
import { deepMerge } from "../../../config/load";
import { environments } from "../../../config/environments";
import type { ConfigOverride, PlatformConfig } from "../../../config/platform-config";
import { validateConfig } from "../../../config/validate";
import type { BackupStackProps } from "../../../stacks/backup-stack";
import { memoSynthText } from "../../support/synth-cache";

export type Json = any;

export function configOf(env: string, override: ConfigOverride = {}): PlatformConfig {
  const result = validateConfig(deepMerge(structuredClone(environments[env]), override));
  if (!result.ok) throw new Error(`invalid test config: ${JSON.stringify(result.problems)}`);
  return result.config;
}

export interface Synthesized {
  json: Json;
  text: string;
  cronJobs: Record<string, Json>;
  /** CronJobs by metadata name. */
  byName: Record<string, Json>;
}

export function synthBackup(config: PlatformConfig, settings?: BackupStackProps["settings"]): Synthesized {
  const props = { config, projectDir: "/tmp/nyrkio-db-test", settings };
  const text = memoSynthText("BackupStack Testing.synth", props, () => {
    const { Testing } = require("cdktf") as typeof import("cdktf");
    const { BackupStack } = require("../../../stacks/backup-stack") as typeof import("../../../stacks/backup-stack");
    return Testing.synth(new BackupStack(Testing.app(), props));
  });
  const json = JSON.parse(text);
  // The backup jobs' CronJobs: the restore-user template (a short Job holding root, not a backup
  // pod) is checked by test/backup/restore-user.test.ts.
  const cronJobs: Record<string, Json> = Object.fromEntries(
    Object.entries(json.resource?.kubernetes_cron_job_v1 ?? {}).filter(([, cj]) => (cj as Json).metadata.labels?.["app.kubernetes.io/component"] !== "restore-user"),
  );
  const byName = Object.fromEntries(Object.values(cronJobs).map((cj: Json) => [cj.metadata.name, cj]));
  return { json, text, cronJobs, byName };
}

export function podSpec(cronJob: Json): Json {
  return cronJob.spec.job_template.spec.template.spec;
}

/** Init containers first, then the main containers: the pod's pipeline in order. */
export function containers(cronJob: Json): Json[] {
  const spec = podSpec(cronJob);
  return [...(spec.init_container ?? []), ...spec.container];
}

export function envOf(container: Json): Record<string, string> {
  return Object.fromEntries((container.env ?? []).map((e: Json) => [e.name, e.value]));
}

export function volume(cronJob: Json, name: string): Json {
  return podSpec(cronJob).volume.find((v: Json) => v.name === name);
}
