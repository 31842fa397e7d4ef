// The prerequisite check (pure): from what each tool's version command answered, which tools are
// missing, too old or not working, each with how to install it. e2e/run.ts runs the commands.

export type Tool = "docker" | "kind" | "kubectl" | "terraform";

/** The command that proves a tool is there and working, and how its answer reads. */
export const VERSION_COMMANDS: Record<Tool, string[]> = {
  // `docker info` talks to the daemon: it fails with "Cannot connect to the Docker daemon" when
  // the CLI is installed but the engine is not running (what kind needs is the engine).
  docker: ["info", "--format", "{{.ServerVersion}}"],
  // kind prints "kind v0.24.0 go1.22.6 linux/amd64" (sigs.k8s.io/kind pkg/cmd/kind/version).
  kind: ["version"],
  // https://kubernetes.io/docs/reference/kubectl/generated/kubectl_version/: --client, -o json.
  kubectl: ["version", "--client", "-o", "json"],
  // `terraform version -json` prints {"terraform_version": "1.11.4", ...}.
  terraform: ["version", "-json"],
};

/** Minimum versions: kind 0.24 is the first whose default CNI (kindnetd) enforces NetworkPolicy
 * (kubernetes-sigs/kind#842 closed with "available now in v0.24.0"); terraform 1.10 as the README. */
export const MIN_VERSION: Partial<Record<Tool, [number, number, number]>> = {
  kind: [0, 24, 0],
  terraform: [1, 10, 0],
};

export const INSTALL_HINT: Record<Tool, string> = {
  docker: "install Docker Engine (https://docs.docker.com/engine/install/) and start it (sudo systemctl start docker); kind runs the cluster's nodes as Docker containers",
  kind: "install kind 0.24 or newer: go install sigs.k8s.io/kind@v0.24.0, or the binary from https://kind.sigs.k8s.io/docs/user/quick-start/#installation",
  kubectl: "install kubectl: https://kubernetes.io/docs/tasks/tools/#kubectl",
  terraform: "install Terraform 1.10 or newer: https://developer.hashicorp.com/terraform/install",
};

/** What running a tool's version command gave: not found on PATH, or its exit code and output. */
export type ToolProbe = { found: false } | { found: true; code: number; stdout: string; stderr: string };

export interface Prerequisite {
  tool: Tool;
  ok: boolean;
  version?: string;
  /** Why it is not usable, and how to fix it; only when !ok. */
  problem?: string;
}

/** The tools a run needs: with an existing context no kind cluster is made, so no kind and no Docker. */
export function requiredTools(useExistingContext: boolean): Tool[] {
  return useExistingContext ? ["kubectl", "terraform"] : ["docker", "kind", "kubectl", "terraform"];
}

export function parseVersion(text: string): [number, number, number] | undefined {
  const m = /v?(\d+)\.(\d+)\.(\d+)/.exec(text);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

function versionOf(tool: Tool, stdout: string): string | undefined {
  try {
    if (tool === "kubectl") return (JSON.parse(stdout) as { clientVersion?: { gitVersion?: string } }).clientVersion?.gitVersion;
    if (tool === "terraform") return (JSON.parse(stdout) as { terraform_version?: string }).terraform_version;
  } catch {
    return undefined;
  }
  const v = parseVersion(stdout);
  return v ? v.join(".") : undefined;
}

function atLeast(have: [number, number, number], want: [number, number, number]): boolean {
  for (let i = 0; i < 3; i++) if (have[i] !== want[i]) return have[i] > want[i];
  return true;
}

export function assessTool(tool: Tool, probe: ToolProbe): Prerequisite {
  if (!probe.found) return { tool, ok: false, problem: `${tool} is not installed (not on PATH): ${INSTALL_HINT[tool]}` };
  if (probe.code !== 0) {
    const said = (probe.stderr.trim() || probe.stdout.trim()).split("\n")[0] ?? "";
    const what = tool === "docker" ? "docker is installed but the Docker engine is not reachable" : `\`${tool} ${VERSION_COMMANDS[tool].join(" ")}\` failed (exit ${probe.code})`;
    return { tool, ok: false, problem: `${what}${said ? `: ${said}` : ""}: ${INSTALL_HINT[tool]}` };
  }
  const version = versionOf(tool, probe.stdout);
  const min = MIN_VERSION[tool];
  if (min) {
    const parsed = version ? parseVersion(version) : undefined;
    if (!parsed) return { tool, ok: false, problem: `cannot read ${tool}'s version from ${JSON.stringify(probe.stdout.trim().slice(0, 80))}: ${INSTALL_HINT[tool]}` };
    if (!atLeast(parsed, min)) return { tool, ok: false, version, problem: `${tool} ${version} is too old, ${min.join(".")} or newer is needed: ${INSTALL_HINT[tool]}` };
  }
  return { tool, ok: true, version };
}

/** One line per missing prerequisite, then nothing else is run (exit code 3). */
export function formatPrerequisites(results: readonly Prerequisite[]): string {
  const missing = results.filter((r) => !r.ok);
  if (missing.length === 0) return `prerequisites: ${results.map((r) => `${r.tool} ${r.version ?? "ok"}`).join(", ")}\n`;
  return `e2e: ${missing.length} prerequisite(s) missing; nothing was run:\n${missing.map((r) => `  ${r.problem}\n`).join("")}`;
}
