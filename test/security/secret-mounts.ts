// Which container of which workload mounts which Secret, and which volumes containers share, read
// from a synthesized stack's JSON (every pod template: StatefulSets, Deployments, Jobs and
// CronJobs, init containers included). The credential-isolation test and the threat model's
// Secret table (docs/security.md) are both checked against this.

export type Json = any;

export interface PodTemplate {
  /** Resource type and metadata name, e.g. "kubernetes_cron_job_v1 mongodb-rs0-backup-full". */
  kind: string;
  name: string;
  spec: Json;
}

export interface ContainerMounts {
  workload: PodTemplate;
  container: string;
  image: string;
  init: boolean;
  env: Record<string, string>;
  mounts: { volume: string; mountPath: string }[];
}

const asArray = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** A Job's name ends in the hash of its desired state (reconcile-job.ts): shown as <hash>. */
export const stableName = (name: string) => name.replace(/-[0-9a-f]{10}$/, "-<hash>");

export function podTemplates(json: Json): PodTemplate[] {
  const out: PodTemplate[] = [];
  for (const [type, byId] of Object.entries(json.resource ?? {}) as [string, Record<string, Json>][])
    for (const r of Object.values(byId)) {
      const template = r.spec?.template ?? r.spec?.job_template?.spec?.template;
      if (template?.spec) out.push({ kind: type, name: stableName(String(r.metadata?.name ?? r.metadata?.generate_name ?? "?")), spec: template.spec });
    }
  return out;
}

export function containers(workload: PodTemplate): ContainerMounts[] {
  const of = (c: Json, init: boolean): ContainerMounts => ({
    workload,
    container: c.name,
    image: c.image,
    init,
    env: Object.fromEntries(asArray<Json>(c.env).map((e) => [e.name, e.value])),
    mounts: asArray<Json>(c.volume_mount).map((m) => ({ volume: m.name, mountPath: m.mount_path })),
  });
  return [...asArray<Json>(workload.spec.init_container).map((c) => of(c, true)), ...asArray<Json>(workload.spec.container).map((c) => of(c, false))];
}

export function volumes(workload: PodTemplate): Json[] {
  return asArray<Json>(workload.spec.volume);
}

/** The Secret a volume projects, or undefined. */
export function secretOf(volume: Json): string | undefined {
  return volume.secret?.secret_name;
}

export interface SecretMount {
  secret: string;
  workload: string;
  container: string;
  keys: string[];
}

/** Every (Secret, workload, container) triple of a synthesized stack. */
export function secretMounts(json: Json): SecretMount[] {
  const out: SecretMount[] = [];
  for (const w of podTemplates(json)) {
    const byName = new Map(volumes(w).map((v) => [v.name, v]));
    for (const c of containers(w))
      for (const m of c.mounts) {
        const v = byName.get(m.volume);
        const secret = v && secretOf(v);
        if (secret) out.push({ secret, workload: `${w.kind.replace(/^kubernetes_|_v1$/g, "")} ${w.name}`, container: c.container, keys: asArray<Json>(v.secret.items).map((i) => i.key) });
      }
  }
  return out;
}
