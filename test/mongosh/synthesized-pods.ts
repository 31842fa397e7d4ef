// The stacks exactly as `cdktf synth` writes them (scripts/build.mjs, then dist/main.js, once per
// built-in environment), and the pods in them laid out on disk as a kubelet would: each mounted
// ConfigMap's files (the value Terraform gives each template string), each mounted Secret's keys (dummy values), each emptyDir, under one root
// directory. The build runs on a copy of the sources in a temp dir: dist/ of the working tree,
// which other tests run, is never rewritten here.

import { cpSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { environments } from "../../config/environments";
import { terraformLiteralData } from "../support/terraform-template";
import { REPO_ROOT, runProgram, tempDir } from "./real-shell";

export type Json = any;

export interface SynthesizedEnvironment {
  environment: string;
  /** Stack name → its cdk.tf.json. */
  stacks: Record<string, Json>;
}

/** The source roots build.mjs transpiles, read from build.mjs itself so the copy cannot miss one. */
function buildRoots(): string[] {
  const text = readFileSync(join(REPO_ROOT, "scripts/build.mjs"), "utf8");
  const match = /const roots = (\[[^\]]*\]);/.exec(text);
  if (!match) throw new Error("scripts/build.mjs no longer declares `const roots = [...]`: update synthesized-pods.ts");
  return JSON.parse(match[1]) as string[];
}

export async function synthesizeEveryEnvironment(): Promise<SynthesizedEnvironment[]> {
  const work = tempDir("real-shell-synth-");
  for (const root of [...buildRoots(), "tsconfig.json"]) cpSync(join(REPO_ROOT, root), join(work, root), { recursive: true });
  symlinkSync(join(REPO_ROOT, "node_modules"), join(work, "node_modules"));
  const env = { PATH: process.env.PATH ?? "/usr/bin:/bin" };
  const built = await runProgram([process.execPath, join(REPO_ROOT, "scripts/build.mjs")], { cwd: work, env, timeoutMs: 60000 });
  if (built.code !== 0) throw new Error(`scripts/build.mjs failed: ${built.stderr}`);
  return Promise.all(
    Object.keys(environments).map(async (environment) => {
      const out = join(work, `cdktf.out.${environment}`);
      const r = await runProgram([process.execPath, join(work, "dist/main.js")], { cwd: work, env: { ...env, NYRKIO_DB_ENV: environment, CDKTF_OUTDIR: out }, timeoutMs: 60000 });
      if (r.code !== 0) throw new Error(`synth of ${environment} failed: ${r.stderr}`);
      const stacks: Record<string, Json> = {};
      for (const stack of readdirSync(join(out, "stacks"))) stacks[stack] = JSON.parse(readFileSync(join(out, "stacks", stack, "cdk.tf.json"), "utf8"));
      return { environment, stacks };
    }),
  );
}

export interface ConfigMapData {
  environment: string;
  stack: string;
  /** Terraform's name of the resource: volumes refer to `${kubernetes_config_map_v1.<id>.metadata[0].name}`. */
  id: string;
  name: string;
  data: Record<string, string>;
}

export function configMapsOf(envs: SynthesizedEnvironment[]): ConfigMapData[] {
  return envs.flatMap(({ environment, stacks }) =>
    Object.entries(stacks).flatMap(([stack, tf]) =>
      Object.entries<Json>(tf.resource?.kubernetes_config_map_v1 ?? {}).map(([id, cm]) => ({ environment, stack, id, name: cm.metadata.name as string, data: terraformLiteralData((cm.data ?? {}) as Record<string, string>, `${stack} ${id}`) })),
    ),
  );
}

export interface Pod {
  environment: string;
  stack: string;
  /** The workload's metadata.name. */
  name: string;
  spec: Json;
  configMaps: ConfigMapData[];
  /** A StatefulSet's volumeClaimTemplates: volumes its pods mount without the pod spec naming them. */
  claimTemplates: string[];
}

/** Every pod template (StatefulSets, Jobs, CronJobs) of every stack. */
export function podsOf(envs: SynthesizedEnvironment[]): Pod[] {
  const maps = configMapsOf(envs);
  return envs.flatMap(({ environment, stacks }) =>
    Object.entries(stacks).flatMap(([stack, tf]) => {
      const inStack = maps.filter((m) => m.environment === environment && m.stack === stack);
      const workloads: Json[] = [
        ...Object.values<Json>(tf.resource?.kubernetes_stateful_set_v1 ?? {}),
        ...Object.values<Json>(tf.resource?.kubernetes_job_v1 ?? {}),
        ...Object.values<Json>(tf.resource?.kubernetes_cron_job_v1 ?? {}),
      ];
      return workloads.map((w) => ({
        environment,
        stack,
        name: w.metadata.name as string,
        spec: (w.spec.job_template ? w.spec.job_template.spec.template.spec : w.spec.template.spec) as Json,
        configMaps: inStack,
        claimTemplates: ((w.spec.volume_claim_template ?? []) as Json[]).map((t) => t.metadata.name as string),
      }));
    }),
  );
}

export function findPod(pods: Pod[], environment: string, name: string | RegExp): Pod {
  const found = pods.filter((p) => p.environment === environment && (typeof name === "string" ? p.name === name : name.test(p.name)));
  if (found.length === 0) throw new Error(`no pod ${name} in ${environment}; have ${pods.filter((p) => p.environment === environment).map((p) => p.name).join(", ")}`);
  return found[0];
}

/** Dummy credentials: what the tests' Secrets hold (never a real password). */
export const DUMMY_SECRET: Record<string, string> = { username: "dummy-user\n", password: "dummy-password\n", keyfile: "dummykeyfiledummykeyfile\n" };

export interface MountedContainer {
  /** The directory that stands for the pod's "/". */
  root: string;
  command: string[];
  /** The container's env with pod paths under `root` (fields from the downward API are left out). */
  env: Record<string, string>;
  /** A pod path → where it is on this machine. */
  at(podPath: string): string;
  /** Pod paths in `text` (a mounted file, an env value) → where they are on this machine. */
  rewrite(text: string): string;
}

/**
 * Lays out one container of a pod under a new root: ConfigMap volumes as their items (or every
 * key), subPath mounts as single files, Secrets with DUMMY_SECRET's keys, emptyDirs and claims as
 * empty directories. Absolute pod paths inside the mounted files (a script's config dir, a JSON's
 * secret dir) and in env values are rewritten to the root, so the files point at each other as
 * in the pod.
 */
export function mountContainer(pod: Pod, containerName: string): MountedContainer {
  const containers: Json[] = [...(pod.spec.init_container ?? []), ...pod.spec.container];
  const container = containers.find((c) => c.name === containerName);
  if (!container) throw new Error(`${pod.name} has no container ${containerName}`);
  const root = tempDir(`pod-${pod.name}-`);
  const mounts: Json[] = container.volume_mount ?? [];
  const podPaths = mounts.map((m) => m.mount_path as string).sort((a, b) => b.length - a.length);
  // One pass over every mount path (longest first): `root` itself lies under /tmp, a mount path too.
  const alternatives = podPaths.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|");
  const podPath = new RegExp(`(^|["'=\\s:,])(${alternatives})(?=[/"'\\s,]|$)`, "gm");
  const rewrite = (text: string) => (podPaths.length ? text.replace(podPath, (_, before: string, p: string) => `${before}${root}${p}`) : text);
  const at = (podPath: string) => join(root, podPath);
  const volumes = new Map<string, Json>((pod.spec.volume ?? []).map((v: Json) => [v.name, v]));
  const write = (path: string, text: string) => {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  };
  for (const m of mounts) {
    const volume = volumes.get(m.name) ?? (pod.claimTemplates.includes(m.name) ? { persistent_volume_claim: {} } : undefined);
    if (!volume) throw new Error(`${pod.name}/${containerName}: mount ${m.name} has no volume`);
    const target = at(m.mount_path);
    if (volume.config_map) {
      const ref = /^\$\{kubernetes_config_map_v1\.([^.]+)\.metadata\[0\]\.name\}$/.exec(volume.config_map.name);
      const cm = pod.configMaps.find((c) => (ref ? c.id === ref[1] : c.name === volume.config_map.name));
      if (!cm && volume.config_map.optional) {
        // An optional ConfigMap the stack does not make (a restore plan): an empty mount.
        mkdirSync(target, { recursive: true });
        continue;
      }
      if (!cm) throw new Error(`${pod.name}: ConfigMap ${volume.config_map.name} is not in the stack`);
      const items: { key: string; path: string }[] = volume.config_map.items ?? Object.keys(cm.data).map((key) => ({ key, path: key }));
      if (m.sub_path) {
        const item = items.find((i) => i.path === m.sub_path) ?? { key: m.sub_path, path: m.sub_path };
        write(target, rewrite(cm.data[item.key]));
      } else {
        for (const item of items) write(join(target, item.path), rewrite(cm.data[item.key]));
      }
    } else if (volume.secret) {
      const keys: string[] = volume.secret.items ? volume.secret.items.map((i: Json) => i.path) : ["username", "password"];
      for (const key of keys) write(join(target, key), DUMMY_SECRET[key] ?? "dummy\n");
    } else {
      mkdirSync(target, { recursive: true });
    }
  }
  const env: Record<string, string> = {};
  for (const e of container.env ?? []) if (typeof e.value === "string") env[e.name] = rewrite(e.value);
  return { root, command: (container.command ?? []).map((c: string) => rewrite(c)), env, at, rewrite };
}
