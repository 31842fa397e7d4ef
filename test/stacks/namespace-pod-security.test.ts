// Issue 12 item 10: when the stack does not create the namespace, the plan refuses a namespace
// that does not enforce the restricted Pod Security Standard (a postcondition on the namespace
// data source). The condition is evaluated by the real Terraform CLI (`terraform console`,
// offline: no provider needed), with the data source's labels replaced by what the cluster holds.
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EXISTING_NAMESPACE_ID, POD_SECURITY_MESSAGE_PREFIX } from "../../stacks/constructs/database-namespace";
import { devWith, synthDatabase } from "./database-synth";

const terraform = spawnSync("terraform", ["version"], { encoding: "utf8" }).status === 0;
if (!terraform) console.log("namespace pod security: the terraform CLI is missing, its condition is not evaluated");
const itTerraform = terraform ? it : it.skip;
const LABELS_REF = "self.metadata[0].labels";

/** The condition's value for each labels expression (HCL), by `terraform console`. */
function evaluate(condition: string, labels: string[]): string[] {
  const expression = condition.replace(/^\$\{/, "").replace(/\}$/, "");
  expect(expression).toContain(LABELS_REF);
  const cwd = mkdtempSync(join(tmpdir(), "tf-console-"));
  return labels.map((l) => {
    const run = spawnSync("terraform", ["console"], { input: `${expression.split(LABELS_REF).join(l)}\n`, encoding: "utf8", cwd, timeout: 60000 });
    expect(run.stderr).not.toMatch(/Error/);
    return run.stdout.trim();
  });
}

describe("an existing namespace (kubernetes.createNamespace: false)", () => {
  const external = synthDatabase(devWith((c) => (c.kubernetes = { ...c.kubernetes, createNamespace: false })));
  const data = external.json.data?.kubernetes_namespace_v1?.[EXISTING_NAMESPACE_ID];

  it("is read at plan time and must enforce the restricted profile, or the plan fails with a message that says how to fix it", () => {
    expect(data.metadata).toEqual({ name: "nyrkio-db-dev" });
    expect(data.lifecycle.postcondition).toEqual([{ condition: expect.stringContaining(LABELS_REF), error_message: expect.stringContaining(POD_SECURITY_MESSAGE_PREFIX) }]);
    expect(data.lifecycle.postcondition[0].error_message).toContain("kubectl label namespace nyrkio-db-dev pod-security.kubernetes.io/enforce=restricted");
  });

  it("a namespace created here needs no check (it is created with the labels)", () => {
    const own = synthDatabase();
    expect(own.json.data?.kubernetes_namespace_v1).toBeUndefined();
    expect(own.resource("kubernetes_namespace_v1", "namespace").metadata.labels).toMatchObject({ "pod-security.kubernetes.io/enforce": "restricted" });
  });

  itTerraform("passes only a namespace whose enforce label is restricted", () => {
    const condition = data.lifecycle.postcondition[0].condition as string;
    expect(
      evaluate(condition, [
        'tomap({"pod-security.kubernetes.io/enforce" = "restricted", "pod-security.kubernetes.io/enforce-version" = "latest"})',
        'tomap({"pod-security.kubernetes.io/enforce" = "baseline"})',
        'tomap({"pod-security.kubernetes.io/warn" = "restricted"})', // warn/audit only: nothing is refused
        "tomap({})",
        "null", // a namespace that does not exist: the data source reads no labels
      ]),
    ).toEqual(["true", "false", "false", "false", "false"]);
  });
});
