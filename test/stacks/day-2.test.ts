// The day-2 table (docs/day-2.md), checked: for each config change, what a plan does to each
// resource, derived from the synthesized stacks before and after and from which arguments force a
// replacement in hashicorp/kubernetes v2.38.0 (ForceNew in its schema, cited per type below).
// Terraform cannot plan here without the provider, so this is the provider's rule applied to the
// JSON Terraform would receive; lifecycle.ignore_changes paths are left out as Terraform does.

import { deepMerge } from "../../config/load";
import { environments } from "../../config/environments";
import type { PlatformConfig } from "../../config/platform-config";
import { validateConfig } from "../../config/validate";
import { backupCronJobName } from "../../stacks/constructs/backup/backup-names";
import { synthPlatformStacks } from "../support/platform-synth";

type Json = any;
type Action = "create" | "delete" | "forget" | "replace" | "update";

/**
 * Argument paths whose change forces a replacement, per resource type (v2.38.0):
 * metadata.name/namespace everywhere (schema_metadata.go, ForceNew); Job and CronJob pod templates
 * (schema_job_spec.go jobSpecFields: "template" ForceNew, used by kubernetes_job_v1 and by
 * kubernetes_cron_job_v1's job_template); StatefulSet selector, service_name,
 * pod_management_policy, revision_history_limit, volume_claim_template (schema_stateful_set_spec.go);
 * Service cluster_ip (resource_kubernetes_service_v1.go); PDB selector
 * (resource_kubernetes_pod_disruption_budget_v1.go). Everything else updates in place.
 */
const FORCE_NEW: Record<string, string[]> = {
  "*": ["metadata.name", "metadata.namespace"],
  kubernetes_job_v1: ["spec.template", "spec.completions"],
  kubernetes_cron_job_v1: ["spec.job_template.spec.template"],
  kubernetes_stateful_set_v1: ["spec.selector", "spec.service_name", "spec.pod_management_policy", "spec.revision_history_limit", "spec.volume_claim_template"],
  kubernetes_service_v1: ["spec.cluster_ip"],
  kubernetes_pod_disruption_budget_v1: ["spec.selector"],
};

/** References to another resource's name (`${type.id.metadata[0].name}`) become the name Terraform resolves them to. */
function resolveNames(stack: Json): Json {
  const text = JSON.stringify(stack).replace(/\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.metadata\[0\]\.name\}/g, (ref, type, id) => stack.resource?.[type]?.[id]?.metadata?.name ?? ref);
  return JSON.parse(text);
}

function stacksOf(config: PlatformConfig): Record<string, Json> {
  const { database, backup } = synthPlatformStacks(config, "/tmp/nyrkio-db-test");
  return Object.fromEntries([database, backup].filter((s) => s).map((s) => [s!.id, resolveNames(JSON.parse(s!.text))]));
}

/** Strip cdktf list wrappers ([x] → x) so paths read as the schema does, e.g. spec.template. */
function at(value: Json, path: string): Json {
  let v = value;
  for (const key of path.split(".")) {
    if (Array.isArray(v) && v.length === 1) v = v[0];
    v = v?.[key];
  }
  return v;
}

function withoutIgnored(resource: Json): Json {
  const copy = structuredClone(resource);
  for (const p of copy.lifecycle?.ignore_changes ?? []) {
    const [first, ...rest] = String(p).replace(/\[0\]/g, "").split(".");
    const parent = rest.length ? at(copy, [first, ...rest.slice(0, -1)].join(".")) : copy;
    delete parent[rest.length ? rest[rest.length - 1] : first];
  }
  delete copy.depends_on; // ordering only
  return copy;
}

/** address → action, for every resource that changes, over every stack of the environment. */
function plan(before: PlatformConfig, after: PlatformConfig): Record<string, Action> {
  const [a, b] = [stacksOf(before), stacksOf(after)];
  const out: Record<string, Action> = {};
  for (const stack of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (!b[stack]) continue; // a stack that leaves the app is not planned at all (see docs/day-2.md)
    const ra: Json = a[stack]?.resource ?? {};
    const rb: Json = b[stack].resource ?? {};
    for (const type of new Set([...Object.keys(ra), ...Object.keys(rb)])) {
      for (const id of new Set([...Object.keys(ra[type] ?? {}), ...Object.keys(rb[type] ?? {})])) {
        const [x, y] = [ra[type]?.[id], rb[type]?.[id]];
        // Shown as the stack (backup or not), the type and the Kubernetes name: logical ids carry hashes.
        const address = `${stack.endsWith("-backup") ? "backup:" : ""}${type.replace(/^kubernetes_|_v1$/g, "")}/${(x ?? y).metadata.name.replace(/-[0-9a-f]{10}$/, "-<hash>")}`;
        if (!x) out[address] = "create";
        else if (!y) out[address] = (b[stack].removed ?? []).some((r: Json) => r.from === `${type}.${id}`) ? "forget" : "delete";
        else {
          const [cx, cy] = [withoutIgnored(x), withoutIgnored(y)];
          if (JSON.stringify(cx) === JSON.stringify(cy)) continue;
          const forced = [...FORCE_NEW["*"], ...(FORCE_NEW[type] ?? [])].some((p) => JSON.stringify(at(cx, p)) !== JSON.stringify(at(cy, p)));
          out[address] = forced ? "replace" : "update";
        }
      }
    }
  }
  return out;
}

const env = (name: string, override: object = {}): PlatformConfig => {
  const r = validateConfig(deepMerge(structuredClone(environments[name]), override));
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.config;
};
const dev = env("dev");
const byAction = (p: Record<string, Action>) => {
  const out: Partial<Record<Action, string[]>> = {};
  for (const [address, action] of Object.entries(p)) (out[action] ??= []).push(address);
  for (const list of Object.values(out)) list!.sort();
  return out;
};

const BACKUP_CRONJOBS = (["catalog", "full", "oplog", "restore", "verify"] as const).map((k) => `backup:cron_job/${backupCronJobName("rs0", k)}`);

describe("day-2 changes of the dev environment, as planned", () => {
  it("priorities: ConfigMaps update in place, the reconcile Job is replaced (a new desired state), no member restarts", () => {
    expect(byAction(plan(dev, env("dev", { replsets: [{ ...dev.replsets[0], members: [{ priority: 3, votes: 1 }, { priority: 1, votes: 1 }] }] })))).toEqual({
      update: ["config_map/mongodb-rs0-config", "config_map/mongodb-rs0-reconcile"],
      replace: ["job/mongodb-rs0-reconcile-<hash>"],
    });
  });

  it("resources: the StatefulSet and its ConfigMap (the cache size) update in place: a rolling restart", () => {
    expect(byAction(plan(dev, env("dev", { replsets: [{ ...dev.replsets[0], resources: { requests: { cpu: "1", memory: "2Gi" }, limits: { memory: "2Gi" } } }] })))).toEqual({
      update: ["config_map/mongodb-rs0-config", "stateful_set/mongodb-rs0"],
    });
  });

  it("storage size: nothing to apply (the claim template is under ignore_changes; claims grow by the runbook)", () => {
    expect(plan(dev, env("dev", { replsets: [{ ...dev.replsets[0], storage: { size: "50Gi" } }] }))).toEqual({});
  });

  it("image: StatefulSets update in place (rolling); the Jobs and CronJobs, whose pod templates name it, are replaced", () => {
    expect(byAction(plan(dev, env("dev", { image: "mongo:8.0.29" })))).toEqual({
      update: ["stateful_set/mongodb-rs0", "stateful_set/mongodb-rs0-arbiter"],
      // The restore-user template (issue 12) runs the mongo image too.
      replace: [...BACKUP_CRONJOBS, "backup:cron_job/mongodb-rs0-restore-user", "cron_job/mongodb-results-retention", "job/mongodb-rs0-reconcile-<hash>"].sort(),
    });
  });

  it("backup schedule: the CronJob's schedule updates in place", () => {
    expect(byAction(plan(dev, env("dev", { backup: { full: { schedule: "30 1 * * *" } } })))).toEqual({ update: ["backup:cron_job/mongodb-rs0-backup-full"] });
    // The slice interval also sets the recovery-point limit (three intervals) in the slice pod's
    // environment, so the oplog CronJob is replaced, as for a retention change.
    expect(byAction(plan(dev, env("dev", { backup: { pitr: { oplogSpanMin: 10 } } })))).toEqual({ replace: ["backup:cron_job/mongodb-rs0-backup-oplog"] });
    expect(byAction(plan(dev, env("dev", { backup: { retention: { daily: 30 } } })))).toEqual({ replace: ["backup:cron_job/mongodb-rs0-backup-full", "backup:cron_job/mongodb-rs0-backup-oplog"] });
  });

  it("adding a member: the StatefulSet scales in place, the reconcile Job is replaced, the backup CronJobs (their member list) are replaced; nothing is deleted", () => {
    const p = byAction(plan(dev, env("dev", { replsets: [{ ...dev.replsets[0], members: [...dev.replsets[0].members, { priority: 0, votes: 0 }] }] })));
    expect(p.update).toEqual(expect.arrayContaining(["stateful_set/mongodb-rs0", "config_map/mongodb-rs0-config"]));
    expect(p.replace).toEqual(expect.arrayContaining(["job/mongodb-rs0-reconcile-<hash>", ...BACKUP_CRONJOBS.filter((c) => !/restore|catalog/.test(c))]));
    expect(p.delete).toBeUndefined();
    expect((p.replace ?? []).filter((a) => /stateful_set|namespace|persistent_volume_claim/.test(a))).toEqual([]);
  });

  it("turning the arbiter off: its StatefulSet (no data) is the only thing deleted", () => {
    const p = byAction(plan(dev, env("dev", { replsets: [{ ...dev.replsets[0], members: [...dev.replsets[0].members, { priority: 1, votes: 1 }], arbiter: { ...dev.replsets[0].arbiter, enabled: false } }] })));
    expect(p.delete).toEqual(["stateful_set/mongodb-rs0-arbiter"]);
    expect(p.replace).toContain("job/mongodb-rs0-reconcile-<hash>");
    expect((p.replace ?? []).filter((a) => /stateful_set|namespace|persistent_volume_claim/.test(a))).toEqual([]);
  });

  it("turning retention off: the CronJob updates in place (suspended); the reconcile Job runs again, no longer managing the retention user", () => {
    expect(byAction(plan(dev, env("dev", { retention: { enabled: false } })))).toEqual({
      replace: ["job/mongodb-rs0-reconcile-<hash>"],
      update: ["config_map/mongodb-rs0-reconcile", "cron_job/mongodb-results-retention"],
    });
  });

  it("turning namespace creation off: the namespace is forgotten, not deleted, and nothing else changes", () => {
    expect(byAction(plan(dev, env("dev", { kubernetes: { createNamespace: false } })))).toEqual({ forget: ["namespace/nyrkio-db-dev"] });
  });

  it("turning backups off: the backup stack leaves the app, so no plan touches it", () => {
    expect(plan(dev, env("dev", { backup: { enabled: false } }))).toEqual({});
  });
});

describe("day-2 changes of the sharded environment, as planned", () => {
  const sharded = env("sharded");
  it("adding a shard: its resources are created and the sharding Job replaced; nothing else of the other shards, the config servers or mongos changes", () => {
    const last = sharded.replsets[sharded.replsets.length - 1];
    const p = byAction(plan(sharded, env("sharded", { replsets: [...sharded.replsets, { ...last, name: "rs9" }] })));
    expect(p.delete).toBeUndefined();
    expect(p.replace).toEqual(["job/mongodb-sharding-<hash>"]);
    expect(p.update).toEqual(["config_map/mongodb-sharding"]);
    expect(p.create!.every((a) => /rs9/.test(a))).toBe(true);
  });
});
