import { assessTool, formatPrerequisites, parseVersion, requiredTools } from "../../e2e/prereq";

const ok = (stdout: string) => ({ found: true as const, code: 0, stdout, stderr: "" });

describe("the prerequisite check", () => {
  it("needs Docker and kind only when it creates the cluster", () => {
    expect(requiredTools(false)).toEqual(["docker", "kind", "kubectl", "terraform"]);
    expect(requiredTools(true)).toEqual(["kubectl", "terraform"]);
  });

  it("names a tool that is not on PATH, with how to install it", () => {
    const r = assessTool("kind", { found: false });
    expect(r.ok).toBe(false);
    expect(r.problem).toMatch(/^kind is not installed \(not on PATH\): install kind 0\.24 or newer: go install sigs\.k8s\.io\/kind@v0\.24\.0/);
  });

  it("tells Docker not running apart from Docker not installed", () => {
    const down = assessTool("docker", { found: true, code: 1, stdout: "", stderr: "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n" });
    expect(down.problem).toMatch(/^docker is installed but the Docker engine is not reachable: Cannot connect to the Docker daemon.*start it/);
    expect(assessTool("docker", { found: false }).problem).toMatch(/^docker is not installed.*https:\/\/docs\.docker\.com\/engine\/install\//);
    expect(assessTool("docker", ok("27.1.1\n"))).toEqual({ tool: "docker", ok: true, version: "27.1.1" });
  });

  it("refuses kind older than 0.24 (the first whose default network enforces NetworkPolicy)", () => {
    expect(assessTool("kind", ok("kind v0.23.0 go1.22.2 linux/amd64\n")).problem).toMatch(/^kind 0\.23\.0 is too old, 0\.24\.0 or newer is needed/);
    expect(assessTool("kind", ok("kind v0.24.0 go1.22.6 linux/amd64\n"))).toMatchObject({ ok: true, version: "0.24.0" });
    expect(assessTool("kind", ok("kind v1.0.0-alpha go1.23 linux/amd64\n"))).toMatchObject({ ok: true });
    expect(assessTool("kind", ok("something else\n")).problem).toMatch(/cannot read kind's version/);
  });

  it("reads kubectl's and terraform's JSON version output; terraform must be 1.10 or newer", () => {
    expect(assessTool("kubectl", ok(JSON.stringify({ clientVersion: { gitVersion: "v1.31.2" } })))).toEqual({ tool: "kubectl", ok: true, version: "v1.31.2" });
    expect(assessTool("terraform", ok(JSON.stringify({ terraform_version: "1.11.4" })))).toMatchObject({ ok: true, version: "1.11.4" });
    expect(assessTool("terraform", ok(JSON.stringify({ terraform_version: "1.9.8" }))).problem).toMatch(/terraform 1\.9\.8 is too old, 1\.10\.0 or newer/);
  });

  it("prints one line per missing prerequisite, and a summary when all are there", () => {
    const text = formatPrerequisites([assessTool("docker", { found: false }), assessTool("kind", { found: false }), assessTool("kubectl", ok('{"clientVersion":{"gitVersion":"v1.31.0"}}'))]);
    expect(text.split("\n")[0]).toBe("e2e: 2 prerequisite(s) missing; nothing was run:");
    expect(text).toMatch(/\n {2}docker is not installed[^\n]*\n {2}kind is not installed/);
    expect(text).not.toMatch(/kubectl/);
    expect(formatPrerequisites([assessTool("kubectl", ok('{"clientVersion":{"gitVersion":"v1.31.0"}}'))])).toBe("prerequisites: kubectl v1.31.0\n");
    expect(parseVersion("v0.24.0")).toEqual([0, 24, 0]);
  });
});
