// Which container of which workload mounts which Secret, and which volumes containers share, read
// from a synthesized stack's JSON (every pod template: StatefulSets, Deployments, Jobs and
// CronJobs, init containers included). The credential-isolation test and the threat model's
// Secret table (docs/security.md) are both checked against this.

import { environments } from "../../config/environments";
import type { PlatformConfig } from "../../config/platform-config";
import { synthBackup } from "../backup/stack/support";
import { synthDatabase } from "../stacks/database-synth";

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
  /** The env entries as synthesized (value_from included). */
  rawEnv: Json[];
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
    rawEnv: asArray<Json>(c.env),
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

/**
 * The Secret a volume projects when it holds a credential: not a volume of public keys only (the
 * TLS CA certificate every database client mounts, tls-client.ts; a username), which may be shared.
 */
export function credentialSecretOf(volume: Json): string | undefined {
  const keys = asArray<Json>(volume.secret?.items).map((i) => i.key);
  return keys.length > 0 && keys.every((k) => PUBLIC_KEYS.includes(k)) ? undefined : secretOf(volume);
}

export interface SecretMount {
  secret: string;
  workload: string;
  container: string;
  keys: string[];
}

const KIND: Record<string, string> = {
  kubernetes_stateful_set_v1: "StatefulSet",
  kubernetes_deployment_v1: "Deployment",
  kubernetes_job_v1: "Job",
  kubernetes_cron_job_v1: "CronJob",
};

/** Secret keys that hold no credential: the TLS CA certificate (tls-client.ts TLS_CA_KEY), a user's name. */
const PUBLIC_KEYS = ["ca.crt", "username"];

/** Every (Secret, workload, container) triple of a synthesized stack: Secret volumes and env secretKeyRefs. */
export function secretMounts(json: Json): SecretMount[] {
  const out: SecretMount[] = [];
  for (const w of podTemplates(json)) {
    const workload = `${KIND[w.kind] ?? w.kind} ${w.name}`;
    const byName = new Map(volumes(w).map((v) => [v.name, v]));
    for (const c of containers(w)) {
      for (const m of c.mounts) {
        const v = byName.get(m.volume);
        const secret = v && secretOf(v);
        if (secret) {
          const keys = asArray<Json>(v.secret.items).map((i) => i.key);
          // A mount of public keys only (the CA certificate, a username) says so: it is no credential.
          const publicOnly = keys.length > 0 && keys.every((k) => PUBLIC_KEYS.includes(k));
          out.push({ secret, workload, container: publicOnly ? `${c.container} (${keys.join(", ")})` : c.container, keys });
        }
      }
      for (const e of c.rawEnv) {
        const ref = e.value_from?.secret_key_ref;
        if (ref) out.push({ secret: ref.name, workload, container: `${c.container} (env)`, keys: [ref.key] });
      }
    }
  }
  return out;
}

/**
 * The Secret table of docs/security.md for one environment's two stacks: one row per Secret, with
 * its config field and every workload and container that mounts it (or reads it into its env).
 */
export function secretTable(mounts: SecretMount[], fieldOf: (secret: string) => string): string {
  const bySecret = new Map<string, Map<string, Set<string>>>();
  for (const m of mounts) {
    const workloads = bySecret.get(m.secret) ?? new Map<string, Set<string>>();
    bySecret.set(m.secret, workloads);
    const set = workloads.get(m.workload) ?? new Set<string>();
    workloads.set(m.workload, set);
    set.add(m.container);
  }
  const rows = ["| Secret | config field | mounted by (workload: containers) |", "|---|---|---|"];
  for (const secret of [...bySecret.keys()].sort()) {
    const where = [...bySecret.get(secret)!.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([w, cs]) => `${w}: ${[...cs].sort().join(", ")}`);
    rows.push(`| \`${secret}\` | \`${fieldOf(secret)}\` | ${where.join("; ")} |`);
  }
  return rows.join("\n");
}

/** The config field that names a Secret. */
function fieldOf(config: PlatformConfig): (secret: string) => string {
  return (secret) => {
    for (const [field, name] of Object.entries(config.secrets)) if (name === secret) return `secrets.${field}`;
    const storage = config.backup.storage;
    if (storage.type === "s3") {
      for (const [key, name] of Object.entries(storage.credentials)) if (name === secret) return `backup.storage.credentials.${key}`;
      const cse = storage.clientSideEncryption;
      if (cse?.publicKeySecret === secret) return "backup.storage.clientSideEncryption.publicKeySecret";
      if (cse?.privateKeySecret === secret) return "backup.storage.clientSideEncryption.privateKeySecret";
    }
    if (config.tls.certificates?.secretName === secret) return "tls.certificates.secretName";
    // restoreCredentialsSecretName: the SRE generates it for one restore (docs/runbooks/restore.md).
    if (/-restore-credentials$/.test(secret)) return "(generated for one restore)";
    return "(not from the config)";
  };
}

/** docs/security.md's Secret table of one environment: its database and backup stacks, synthesized. */
export function renderSecretTable(env: string): string {
  const config = environments[env];
  return secretTable([...secretMounts(synthDatabase(config).json), ...secretMounts(synthBackup(config).json)], fieldOf(config));
}
