// The runbooks run as written (issue 13, item 6). For every fenced block of docs/runbooks/*.md:
//  - shell blocks (sh, bash): `bash -n`, and `shellcheck` when it is on PATH (.ci/run installs it;
//    without it that part is skipped with one line);
//  - every Kubernetes resource a shell block names (kind/name, `get <kind> <name>`,
//    `--from=cronjob/<name>`) and every label selector (`-l k=v,...`) exists in the synthesized
//    stacks (database and backup) of the environment the runbook names in its first line comment
//    `<!-- runbook-environment: <env> -->` (a block may override it with `# environment: <env>`);
//  - TypeScript blocks type-check against the config schema (config/platform-config.ts), with
//    `PlatformConfig`, `DeepPartial` and the environments in scope; JSON blocks parse;
//  - every `config.<path>` the runbook names in inline code is a key of PlatformConfig.

import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as ts from "typescript";
import { environments } from "../../config/environments";
import type { PlatformConfig } from "../../config/platform-config";
import { synthPlatformStacks } from "../support/platform-synth";

const ROOT = join(__dirname, "..", "..");
const DIR = join(ROOT, "docs", "runbooks");

interface Block {
  file: string;
  line: number;
  lang: string;
  text: string;
  environment: string;
}

function blocks(file: string): Block[] {
  const text = readFileSync(join(DIR, file), "utf8");
  const defaultEnv = /<!-- runbook-environment: (\w+) -->/.exec(text)?.[1] ?? "";
  const found: Block[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(\w*)\s*$/.exec(lines[i]);
    if (!open) continue;
    const indent = open[1].length;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !/^\s*```\s*$/.test(lines[j]); j++) body.push(lines[j].slice(Math.min(indent, lines[j].length - lines[j].trimStart().length)));
    const blockText = body.join("\n") + "\n";
    const env = /^# environment: (\w+)/m.exec(blockText)?.[1] ?? defaultEnv;
    found.push({ file, line: i + 1, lang: open[2], text: blockText, environment: env });
    i = j;
  }
  return found;
}

const files = readdirSync(DIR).filter((f) => f.endsWith(".md")).sort();
const all = files.flatMap(blocks);
const shell = all.filter((b) => b.lang === "sh" || b.lang === "bash");
const where = (b: Block) => `${b.file}:${b.line}`;

const hasShellcheck = spawnSync("shellcheck", ["--version"]).status === 0;
if (!hasShellcheck) console.log("skipping shellcheck of the runbooks' shell blocks: shellcheck is not installed");

describe("the runbooks' shell blocks", () => {
  test("there are some, and every runbook names its environment", () => {
    expect(shell.length).toBeGreaterThan(10);
    for (const f of files) expect([f, blocks(f).every((b) => environments[b.environment] !== undefined)]).toEqual([f, true]);
  });

  test("parse with bash -n", () => {
    const bad = shell.flatMap((b) => {
      const r = spawnSync("bash", ["-n"], { input: b.text, encoding: "utf8" });
      return r.status === 0 ? [] : [`${where(b)}: ${r.stderr.trim()}`];
    });
    expect(bad).toEqual([]);
  });

  (hasShellcheck ? test : test.skip)("pass shellcheck", () => {
    const bad = shell.flatMap((b) => {
      // SC2154: the runbooks set their variables in an earlier block (NS, ENV, ...).
      const r = spawnSync("shellcheck", ["-s", "bash", "-e", "SC2154", "-f", "gcc", "-"], { input: b.text, encoding: "utf8" });
      return r.status === 0 ? [] : [`${where(b)}:\n${r.stdout.trim()}`];
    });
    expect(bad).toEqual([]);
  });
});

// ---- what the stacks of an environment hold ----

type Json = Record<string, any>;
interface Inventory {
  names: Map<string, Set<string>>;
  labels: Record<string, string>[];
}

const KINDS: Record<string, string> = {
  statefulset: "kubernetes_stateful_set_v1",
  sts: "kubernetes_stateful_set_v1",
  cronjob: "kubernetes_cron_job_v1",
  cronjobs: "kubernetes_cron_job_v1",
  deployment: "kubernetes_deployment_v1",
  deploy: "kubernetes_deployment_v1",
  configmap: "kubernetes_config_map_v1",
  cm: "kubernetes_config_map_v1",
  service: "kubernetes_service_v1",
  svc: "kubernetes_service_v1",
  job: "kubernetes_job_v1",
  pvc: "pvc",
  pod: "pod",
  pdb: "kubernetes_pod_disruption_budget_v1",
  networkpolicy: "kubernetes_network_policy_v1",
};

const inventories = new Map<string, Inventory>();
function inventory(env: string): Inventory {
  const cached = inventories.get(env);
  if (cached) return cached;
  const config: PlatformConfig = environments[env];
  const { database, backup } = synthPlatformStacks(config, "/tmp/nyrkio-db-test");
  const stacks = backup ? [database, backup] : [database];
  const inv: Inventory = { names: new Map(), labels: [] };
  const add = (type: string, name: string) => {
    if (!inv.names.has(type)) inv.names.set(type, new Set());
    inv.names.get(type)!.add(name);
  };
  for (const stack of stacks) {
    const resources = (JSON.parse(stack.text).resource ?? {}) as Record<string, Record<string, Json>>;
    for (const [type, byId] of Object.entries(resources)) {
      for (const r of Object.values(byId)) {
        const metadata = r.metadata ?? {};
        if (metadata.name) add(type, metadata.name);
        for (const labels of [metadata.labels, r.spec?.template?.metadata?.labels, r.spec?.job_template?.metadata?.labels, r.spec?.job_template?.spec?.template?.metadata?.labels]) if (labels) inv.labels.push(labels);
        if (type === "kubernetes_stateful_set_v1") {
          const replicas = Number(r.spec.replicas);
          for (let k = 0; k < replicas; k++) add("pod", `${metadata.name}-${k}`);
          for (const claim of r.spec.volume_claim_template ?? []) {
            if (claim.metadata?.labels) inv.labels.push(claim.metadata.labels);
            for (let k = 0; k < replicas; k++) add("pvc", `${claim.metadata.name}-${metadata.name}-${k}`);
          }
        }
        if (type === "kubernetes_persistent_volume_claim_v1" && metadata.name) add("pvc", metadata.name);
      }
    }
  }
  inventories.set(env, inv);
  return inv;
}

/** Resource names and selectors a shell block refers to. Names with a shell expansion in them are the block's own (not checked). */
function references(text: string): { kind: string; name: string }[] {
  const refs: { kind: string; name: string }[] = [];
  const code = text.replace(/#.*$/gm, "");
  for (const m of code.matchAll(/(?:^|[\s=])([a-z]+)\/([a-z0-9][a-z0-9.-]*)(?=[\s"';)]|$)/gm)) if (KINDS[m[1]]) refs.push({ kind: m[1], name: m[2] });
  for (const m of code.matchAll(/\b(?:get|describe|delete|edit|patch|scale)\s+([a-z]+)\s+([a-z0-9][a-z0-9.-]*)(?=[\s"';)]|$)/gm)) if (KINDS[m[1]]) refs.push({ kind: m[1], name: m[2] });
  return refs;
}

function selectors(text: string): string[] {
  const code = text.replace(/#.*$/gm, "");
  return [...code.matchAll(/(?:\s-l\s*|--selector[=\s])['"]?([^\s'"]+)/g)].map((m) => m[1]);
}

describe("the resources and labels the runbooks name", () => {
  test("exist in the synthesized stacks of the environment named", () => {
    const missing: string[] = [];
    for (const b of shell) {
      const inv = inventory(b.environment);
      // Jobs the block creates itself (`create job ... <name>`) are its own to name.
      const own = new Set([...b.text.matchAll(/create job(?: --from=\S+)? ([a-z0-9][a-z0-9.-]*)/g)].map((m) => m[1]));
      for (const { kind, name } of references(b.text)) {
        if (name.includes("$") || (kind === "job" && own.has(name))) continue;
        if (kind === "job") {
          missing.push(`${where(b)}: job/${name}: Job names carry a hash; use a label selector`);
          continue;
        }
        if (!inv.names.get(KINDS[kind])?.has(name)) missing.push(`${where(b)}: ${kind}/${name} is not in the ${b.environment} stacks`);
      }
      for (const selector of selectors(b.text)) {
        if (selector.includes("$")) continue;
        for (const term of selector.split(",")) {
          const [key, value] = term.split(/==?/);
          if (value === undefined) continue;
          if (!inv.labels.some((l) => l[key] === value)) missing.push(`${where(b)}: no resource of ${b.environment} has the label ${key}=${value}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });
});

// ---- config examples and keys ----

describe("the runbooks' config examples and config keys", () => {
  const examples = all.filter((b) => b.lang === "ts" || b.lang === "typescript");
  // `config.<collection>` of MongoDB's own config database is not a key of ours.
  const MONGODB_CONFIG_DB = new Set(["settings", "shards", "chunks", "collections", "databases", "rangeDeletions", "transactions", "system", "mongos", "changelog", "tags", "version", "migrationCoordinators", "placementHistory", "actionlog", "image_collection", "cache"]);
  const keys = files.flatMap((f) =>
    [...readFileSync(join(DIR, f), "utf8").matchAll(/`config\.([a-zA-Z0-9_.[\]]+)`/g)].map((m) => ({ file: f, path: m[1] })).filter((k) => !MONGODB_CONFIG_DB.has(k.path.split(".")[0])),
  );

  test("JSON blocks parse", () => {
    for (const b of all.filter((x) => x.lang === "json")) expect(() => JSON.parse(b.text)).not.toThrow();
  });

  test("TypeScript blocks and config.<path> keys type-check against PlatformConfig", () => {
    const work = mkdtempSync(join(ROOT, "test", "docs", ".runbook-ts-"));
    try {
      const prelude =
        'import type { PlatformConfig } from "../../../config/platform-config";\n' +
        'import { environments } from "../../../config/environments";\n' +
        "type DeepPartial<T> = { [K in keyof T]?: T[K] extends (infer U)[] ? DeepPartial<U>[] : T[K] extends object ? DeepPartial<T[K]> : T[K] };\n" +
        "void environments;\nexport {};\n";
      const sources: string[] = [];
      examples.forEach((b, k) => {
        const path = join(work, `example-${k}.ts`);
        writeFileSync(path, `${prelude}// ${where(b)}\n${b.text}`);
        sources.push(path);
      });
      const keyChecks = keys.map(({ file, path }, k) => `// ${file}: config.${path}\ntype _k${k} = PlatformConfig${path.split(".").map((p) => (/^\w+\[\d+\]$/.test(p) ? `["${p.replace(/\[\d+\]$/, "")}"][number]` : `["${p}"]`)).join("")};`);
      const keysPath = join(work, "keys.ts");
      writeFileSync(keysPath, `${prelude}${keyChecks.join("\n")}\n`);
      sources.push(keysPath);
      const program = ts.createProgram(sources, { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, skipLibCheck: true, types: ["node"], noUnusedLocals: false });
      const problems = ts.getPreEmitDiagnostics(program).map((d) => {
        const file = d.file ? readFileSync(d.file.fileName, "utf8").split("\n")[5] : "";
        const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
        return `${file} (line ${line}): ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
      });
      expect(problems).toEqual([]);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 120_000);
});
