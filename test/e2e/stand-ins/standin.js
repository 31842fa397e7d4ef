#!/usr/bin/env node
// Stand-ins for kubectl, kind, terraform, docker and cdktf, on PATH in the e2e driver's process
// tests (`node standin.js <tool> args...`, through a wrapper named after the tool). Each one
// records its arguments (calls.jsonl), refuses what the real tool refuses — an unknown flag, a
// flag on a subcommand that does not have it, --grace-period=0 without --force — and answers from
// a small simulated cluster whose failures a scenario.json chooses: a pod that never becomes
// Ready, a Job that fails, a command that fails, Docker not running, an old kind.
//
// Flag lists: the kubectl reference (https://kubernetes.io/docs/reference/kubectl/generated/,
// kubectl_get, _logs, _exec, _apply, _create_job, _create_configmap, _create_secret_generic,
// _create_namespace, _create (--raw), _delete, _drain, _uncordon, _label, _version); kind's
// (https://kind.sigs.k8s.io/docs/user/quick-start/, `kind create cluster --help`); the cdktf CLI's
// (https://developer.hashicorp.com/terraform/cdktf/cli-reference/commands#deploy).
// test/e2e/stand-ins.test.ts checks every kubectl flag listed here against the real kubectl's --help.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { Buffer } = require("node:buffer");

const dir = process.env.STANDIN_DIR;
if (!dir) {
  process.stderr.write("stand-in: STANDIN_DIR is not set\n");
  process.exit(70);
}
const [tool, ...argv] = process.argv.slice(2);
// The override file's content too: the run removes its work directory at the end.
const override = process.env.NYRKIO_DB_CONFIG && fs.existsSync(process.env.NYRKIO_DB_CONFIG) ? fs.readFileSync(process.env.NYRKIO_DB_CONFIG, "utf8") : undefined;
fs.appendFileSync(path.join(dir, "calls.jsonl"), JSON.stringify({ tool, argv, env: { NYRKIO_DB_ENV: process.env.NYRKIO_DB_ENV, NYRKIO_DB_CONFIG: process.env.NYRKIO_DB_CONFIG }, override }) + "\n");
const scenario = fs.existsSync(path.join(dir, "scenario.json")) ? JSON.parse(fs.readFileSync(path.join(dir, "scenario.json"), "utf8")) : {};
const statePath = path.join(dir, "state.json");
const state = fs.existsSync(statePath) ? JSON.parse(fs.readFileSync(statePath, "utf8")) : { clusters: [], namespaces: [], objects: {} };
const save = () => fs.writeFileSync(statePath, JSON.stringify(state));
const out = (s) => process.stdout.write(s);
function die(message, code = 1) {
  process.stderr.write(message.endsWith("\n") ? message : message + "\n");
  process.exit(code);
}
/** A scenario rule {tool, match (regex on the joined argv), code, stderr, stdout}: the first that matches answers. */
for (const f of scenario.fail ?? []) {
  if (f.tool === tool && new RegExp(f.match).test(argv.join(" "))) {
    if (f.stdout) out(f.stdout);
    die(f.stderr ?? `stand-in ${tool}: failing as the scenario asks`, f.code ?? 1);
  }
}

/**
 * Parses argv against a flag table: value flags (name → true) and boolean flags. Accepts
 * --flag=value, --flag value, -f value; refuses anything else the way the tool does.
 */
function parseFlags(args, valueFlags, boolFlags, unknown) {
  const flags = {};
  const positionals = [];
  let rest;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--") {
      rest = args.slice(i + 1);
      break;
    }
    if (!a.startsWith("-") || a === "-") {
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf("=");
    const name = eq > 0 ? a.slice(0, eq) : a;
    if (valueFlags.includes(name)) {
      const value = eq > 0 ? a.slice(eq + 1) : args[++i];
      if (value === undefined) unknown(`flag needs an argument: ${name}`);
      (flags[name] ??= []).push(value);
    } else if (boolFlags.includes(name)) {
      flags[name] = [eq > 0 ? a.slice(eq + 1) : "true"];
    } else unknown(`unknown flag: ${name}`);
  }
  return { flags, positionals, rest };
}
const one = (flags, ...names) => names.map((n) => flags[n]?.at(-1)).find((v) => v !== undefined);

// ---------------------------------------------------------------- kubectl
const KUBECTL_GLOBAL_VALUE = ["--context", "-n", "--namespace", "--kubeconfig"];
const KUBECTL = {
  version: { value: ["-o", "--output"], bool: ["--client"] },
  get: { value: ["-l", "--selector", "-o", "--output", "--field-selector"], bool: ["--ignore-not-found", "-A", "--all-namespaces"] },
  logs: { value: ["-c", "--container", "-l", "--selector", "--tail"], bool: ["-f", "--follow", "-p", "--previous", "--all-containers", "--prefix"] },
  exec: { value: ["-c", "--container"], bool: ["-i", "--stdin", "-t", "--tty"] },
  apply: { value: ["-f", "--filename"], bool: ["--server-side"] },
  delete: { value: ["--grace-period", "-l", "--selector", "--wait", "--cascade"], bool: ["--force", "--ignore-not-found", "--now"] },
  drain: { value: ["--pod-selector", "--timeout", "--grace-period"], bool: ["--ignore-daemonsets", "--delete-emptydir-data", "--force", "--disable-eviction"] },
  uncordon: { value: [], bool: [] },
  label: { value: [], bool: ["--overwrite"] },
  "create job": { value: ["--from", "--image", "-o", "--output", "--dry-run"], bool: [] },
  "create configmap": { value: ["--from-file", "--from-literal", "-o", "--output", "--dry-run"], bool: [] },
  "create secret generic": { value: ["--from-file", "--from-literal", "--type", "-o", "--output", "--dry-run"], bool: [] },
  "create namespace": { value: ["-o", "--output", "--dry-run"], bool: [] },
  "create --raw": { value: ["-f", "--filename", "--raw"], bool: [] },
};

function kubectl() {
  // The subcommand: the first positional word(s), wherever the global flags are.
  const words = [];
  for (let i = 0; i < argv.length && words.length < 3; i++) {
    const a = argv[i];
    if (a === "--") break;
    if (KUBECTL_GLOBAL_VALUE.includes(a)) {
      i++;
      continue;
    }
    if (a.startsWith("-")) {
      if (a === "--raw") words.push("--raw");
      continue;
    }
    words.push(a);
  }
  const sub = words[0] === "create" ? (words[1] === "secret" ? "create secret generic" : `create ${words[1]}`) : words[0];
  const table = KUBECTL[sub];
  if (!table) die(`error: unknown command "${words[0]}" for "kubectl"`);
  const unknown = (m) => die(`error: ${m}\nSee 'kubectl ${sub} --help' for usage.`);
  const { flags, positionals, rest } = parseFlags(argv, [...KUBECTL_GLOBAL_VALUE, ...table.value], table.bool, unknown);
  const context = one(flags, "--context");
  const known = [...state.clusters.map((c) => `kind-${c}`), ...(scenario.contexts ?? [])];
  if (sub !== "version" && context !== undefined && !known.includes(context)) die(`error: context was not found for specified context: ${context}`);
  if (sub !== "version" && context === undefined) die("error: the stand-in cluster needs --context (the driver always names one)");
  const ns = one(flags, "-n", "--namespace") ?? "default";
  const args = positionals.slice(sub.split(" ").length);
  const selector = one(flags, "-l", "--selector");

  switch (sub) {
    case "version":
      if (one(flags, "-o", "--output") !== "json" || !flags["--client"]) die("stand-in: only `kubectl version --client -o json`");
      return out(JSON.stringify({ clientVersion: { gitVersion: scenario.kubectlVersion ?? "v1.31.0" } }) + "\n");
    case "get":
      return kubectlGet(args, ns, selector, flags);
    case "logs": {
      if (!args[0] && !selector) die("error: expected POD or TYPE/NAME or -l");
      const n = Number(one(flags, "--tail") ?? (selector ? 10 : -1));
      const lines = Array.from({ length: 120 }, (_, i) => `${args[0] ?? selector} line ${i + 1}`);
      const text = scenario.logs?.[args[0]] ?? lines.slice(n < 0 ? 0 : -n).join("\n") + "\n";
      return out(text);
    }
    case "exec": {
      if (!rest || rest.length === 0) die("error: you must specify at least one command for the container");
      const pod = args[0];
      if (!(state.objects.pods ?? []).some((p) => p.name === pod && p.ns === ns)) die(`Error from server (NotFound): pods "${pod}" not found`);
      return out(`E2E_RESULT ${JSON.stringify(scenario.execResult ?? null)}\n`);
    }
    case "apply": {
      if (one(flags, "-f", "--filename") !== "-") die("stand-in: only apply -f -");
      const manifest = JSON.parse(fs.readFileSync(0, "utf8"));
      const list = (state.objects[manifest.kind.toLowerCase() + "s"] ??= []);
      list.push({ name: manifest.metadata.name, ns: manifest.metadata.namespace ?? ns, labels: manifest.metadata.labels ?? {} });
      save();
      return out(`${manifest.kind.toLowerCase()}/${manifest.metadata.name} configured\n`);
    }
    case "delete": {
      if (flags["--grace-period"]?.at(-1) === "0" && !flags["--force"])
        // kubectl delete: "--grace-period ... Can only be set to 0 when --force is true (force deletion)".
        die("error: --grace-period=0 can only be used with --force");
      return out(`${args[0]} "${args[1]}" deleted\n`);
    }
    case "drain":
    case "uncordon":
      if (!args[0]) die(`error: USAGE: ${sub} NODE [flags]`);
      return out(`node/${args[0]} ${sub === "drain" ? "drained" : "uncordoned"}\n`);
    case "label":
      return out(`${args[0]}/${args[1]} labeled\n`);
    case "create job": {
      const from = one(flags, "--from");
      if (!from || !from.startsWith("cronjob/")) die("error: from must be an existing cronjob: cronjob/NAME");
      if (!args[0]) die("error: NAME is required");
      // The Job gets the CronJob's jobTemplate labels (the stand-in knows none); `job-name` is on its pods only.
      (state.objects.jobs ??= []).push({ name: args[0], ns, labels: {}, from: from.slice(8) });
      save();
      return out(`job.batch/${args[0]} created\n`);
    }
    case "create configmap":
    case "create secret generic":
    case "create namespace":
      if (!args[0]) die("error: NAME is required");
      for (const f of flags["--from-file"] ?? []) if (!fs.existsSync(f.slice(f.indexOf("=") + 1))) die(`error: error reading ${f}: no such file or directory`);
      if (sub === "create secret generic") (state.objects.secrets ??= []).push({ name: args[0], ns });
      if (sub === "create namespace") state.namespaces.push(args[0]);
      save();
      return out(`${sub.split(" ")[1]}/${args[0]} created\n`);
    case "create --raw":
      return out("{}\n");
  }
}

const READY = [{ type: "Ready", status: "True" }];
function matches(labels, selector) {
  return (selector ?? "").split(",").filter(Boolean).every((kv) => {
    const [k, v] = kv.split("=");
    return labels[k] === v;
  });
}
function kubectlGet(args, ns, selector, flags) {
  const [kind, name] = args;
  const json = (o) => out(JSON.stringify(o) + "\n");
  if (one(flags, "-o", "--output") !== "json" && kind !== "namespace") die("stand-in: the driver reads everything with -o json");
  switch (kind) {
    case "nodes": {
      const zones = scenario.zones ?? ["zone-a", "zone-b", "zone-c"];
      return json({
        items: [
          { metadata: { name: "control-plane", labels: {} }, spec: { taints: [{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }] } },
          ...zones.map((z, i) => ({ metadata: { name: `worker${i + 1}`, labels: { "topology.kubernetes.io/zone": z } }, spec: {} })),
        ],
      });
    }
    case "pods": {
      // The run's own pods (toolbox) as applied; the stacks' pods as the selector asks: count from
      // scenario.podCounts, Ready unless scenario.neverReady names the selector.
      const own = (state.objects.pods ?? []).filter((p) => p.ns === ns && matches(p.labels, selector));
      const stack = own.length ? [] : Array.from({ length: scenario.podCounts?.[selector] ?? 1 }, (_, i) => ({ name: `pod-${i}`, labels: {} }));
      const pending = (scenario.neverReady ?? []).includes(selector);
      return json({
        items: [...own, ...stack].map((p) => ({
          metadata: { name: p.name, namespace: ns, labels: p.labels, uid: `${p.name}-uid` },
          spec: { nodeName: "worker2", initContainers: [{ name: "install-keyfile" }], containers: [{ name: "mongod" }] },
          status: pending
            ? { phase: "Pending", conditions: [{ type: "PodScheduled", status: "False", reason: "Unschedulable", message: "0/4 nodes are available" }] }
            : { phase: "Running", conditions: READY },
        })),
      });
    }
    case "jobs": {
      const field = one(flags, "--field-selector");
      const want = field?.startsWith("metadata.name=") ? field.slice(14) : undefined;
      if (field !== undefined && !want) die(`Error from server (BadRequest): unable to parse requirement: field label not supported: ${field}`);
      const created = (state.objects.jobs ?? []).filter((j) => j.ns === ns && matches(j.labels, selector) && (!want || j.name === want));
      const items = created.length ? created : want ? [] : [{ name: "stack-job", labels: {} }];
      const failing = (scenario.failJobs ?? []).some((s) => s === selector || items.some((j) => j.name.startsWith(s)));
      return json({
        items: items.map((j) => ({
          metadata: { name: j.name, creationTimestamp: "2026-01-01T00:00:00Z" },
          status: failing
            ? { failed: 1, conditions: [{ type: "Failed", status: "True", reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit" }] }
            : { succeeded: 1, conditions: [{ type: "Complete", status: "True" }] },
        })),
      });
    }
    case "namespace":
      if ((scenario.namespaces ?? state.namespaces).includes(name) || scenario.allNamespacesExist) return out(`namespace/${name}\n`);
      return die(`Error from server (NotFound): namespaces "${name}" not found`);
    case "secret":
      if (!(state.objects.secrets ?? []).some((s) => s.name === name && s.ns === ns) && !scenario.secretsExist) die(`Error from server (NotFound): secrets "${name}" not found`);
      return json({ type: "Opaque", data: { username: Buffer.from(name.replace(/^nyrkio-mongodb-/, "")).toString("base64"), password: "cGFzcw==", keyfile: "a2V5" } });
    case "statefulset":
      return json({ metadata: { name, uid: "sts-uid" } });
    case "pdb":
      return json({ status: { disruptionsAllowed: 0 } });
    default:
      return die(`error: the server doesn't have a resource type "${kind}"`);
  }
}

// ---------------------------------------------------------------- kind
function kind() {
  const unknown = (m) => die(`ERROR: ${m}`);
  if (argv[0] === "version") return out(`kind ${scenario.kindVersion ?? "v0.24.0"} go1.22.6 linux/amd64\n`);
  const sub = argv.slice(0, 2).join(" ");
  const rest = argv.slice(2);
  if (sub === "get clusters") {
    parseFlags(rest, [], [], unknown);
    if (state.clusters.length === 0) return process.stderr.write("No kind clusters found.\n");
    return out(state.clusters.join("\n") + "\n");
  }
  if (sub === "create cluster") {
    const { flags, positionals } = parseFlags(rest, ["--name", "-n", "--config", "--image", "--wait", "--kubeconfig"], ["--retain"], unknown);
    if (positionals.length) die(`ERROR: unknown command "${positionals[0]}" for "kind create cluster"`);
    const name = one(flags, "--name", "-n") ?? "kind";
    const config = one(flags, "--config");
    if (config) {
      const text = fs.readFileSync(config, "utf8");
      if (!/^kind: Cluster$/m.test(text) || !/^apiVersion: kind\.x-k8s\.io\/v1alpha4$/m.test(text)) die("ERROR: failed to create cluster: unknown apiVersion/kind in the config");
      fs.copyFileSync(config, path.join(dir, "kind-config.yaml"));
    }
    if (state.clusters.includes(name)) die(`ERROR: failed to create cluster: node(s) already exist for a cluster with the name "${name}"`);
    state.clusters.push(name);
    save();
    return process.stderr.write(`Creating cluster "${name}" ...\n`);
  }
  if (sub === "delete cluster") {
    const { flags } = parseFlags(rest, ["--name", "-n", "--kubeconfig"], [], unknown);
    const name = one(flags, "--name", "-n") ?? "kind";
    state.clusters = state.clusters.filter((c) => c !== name);
    save();
    return process.stderr.write(`Deleting cluster "${name}" ...\n`);
  }
  die(`ERROR: unknown command "${argv[0]}" for "kind"`);
}

// ---------------------------------------------------------------- terraform, docker, cdktf
function terraform() {
  if (argv.join(" ") !== "version -json") die(`stand-in terraform: only \`terraform version -json\`, got ${argv.join(" ")}`);
  out(JSON.stringify({ terraform_version: scenario.terraformVersion ?? "1.11.4", platform: "linux_amd64", provider_selections: {}, terraform_outdated: false }, null, 2) + "\n");
}
function docker() {
  if (argv[0] !== "info") die(`stand-in docker: only \`docker info\`, got ${argv.join(" ")}`);
  parseFlags(argv.slice(1), ["--format", "-f"], [], (m) => die(`${m}\nSee 'docker info --help'.`, 125));
  if (scenario.dockerDown) die("Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?");
  out("27.1.1\n");
}
function cdktf() {
  if (argv[0] !== "deploy") die(`stand-in cdktf: only deploy, got ${argv[0]}`);
  const { positionals } = parseFlags(argv.slice(1), ["--outputs-file", "--parallelism", "--refresh-only"], ["--auto-approve", "--ignore-missing-stack-dependencies", "--skip-synth"], (m) => die(`Unknown argument: ${m}`));
  if (positionals.length !== 1) die("stand-in cdktf: one stack, please");
  const file = process.env.NYRKIO_DB_CONFIG;
  if (!file || !fs.existsSync(file)) die(`stand-in cdktf: NYRKIO_DB_CONFIG ${file} does not exist`);
  JSON.parse(fs.readFileSync(file, "utf8"));
  if (!argv.includes("--auto-approve")) die("stand-in cdktf: a non-interactive deploy needs --auto-approve");
  out(`${positionals[0]}  Apply complete!\n`);
}

const tools = { kubectl, kind, terraform, docker, cdktf };
if (!Object.hasOwn(tools, tool)) die(`stand-in: unknown tool ${tool}`, 70);
tools[tool]();
