// Storage growth never replaces the data StatefulSet. Terraform's provider forces a new
// StatefulSet when the volume claim template changes, and Kubernetes forbids changing it in
// place; so the template is under lifecycle.ignore_changes. Proof: two configs that differ only
// in storage.size (or the storage class) synthesize StatefulSets whose only differences lie under
// the claim template, and ignore_changes covers exactly that path. Nothing else changes either.

import { VOLUME_CLAIM_TEMPLATE_PATH } from "../../stacks/constructs/data-members";
import { devWith, Json, synthDatabase } from "./database-synth";

/** Paths (dot-separated, list indexes as [i]) where two JSON values differ. */
function differences(a: Json, b: Json, at = ""): string[] {
  if (a === b) return [];
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return [at];
  if (Array.isArray(a)) {
    if (a.length !== b.length) return [at];
    return a.flatMap((x, i) => differences(x, b[i], `${at}[${i}]`));
  }
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.flatMap((k) => differences(a[k], b[k], at ? `${at}.${k}` : k));
}

/**
 * A path in cdktf's JSON as Terraform addresses it: nested blocks with at most one item (spec,
 * metadata) are written as objects here and addressed as the list element [0] by Terraform.
 */
function terraformAddress(jsonPath: string): string {
  return jsonPath.replace(/^spec\./, "spec[0].");
}

/** true when `address` lies under one of the ignore_changes entries. */
function ignored(address: string, ignoreChanges: string[]): boolean {
  return ignoreChanges.some((p) => address === p || address.startsWith(`${p}[`) || address.startsWith(`${p}.`));
}

describe("growing storage", () => {
  const before = synthDatabase();
  const cases = {
    "a bigger storage.size": devWith((c) => (c.replsets[0].storage.size = "200Gi")),
    "another storage class": devWith((c) => (c.replsets[0].storage.storageClass = "fast-ssd")),
  };

  it.each(Object.entries(cases))("%s changes the StatefulSet only under the ignored claim template", (_, config) => {
    const after = synthDatabase(config);
    const ss = (s: typeof before) => s.named("kubernetes_stateful_set_v1", "mongodb-rs0");

    const changed = differences(ss(before), ss(after));
    // The change is real: the claim template differs (new claims get the new value)...
    expect(changed.length).toBeGreaterThan(0);
    const addresses = changed.map(terraformAddress);
    for (const address of addresses) expect(address.startsWith(`${VOLUME_CLAIM_TEMPLATE_PATH}[`)).toBe(true);
    // ...and every difference is one Terraform ignores, so the plan shows no change to the StatefulSet.
    const ignoreChanges: string[] = ss(after).lifecycle.ignore_changes;
    expect(ignoreChanges).toContain(VOLUME_CLAIM_TEMPLATE_PATH);
    for (const address of addresses) expect([address, ignored(address, ignoreChanges)]).toEqual([address, true]);
  });

  it("changes nothing else in the stack", () => {
    const after = synthDatabase(cases["a bigger storage.size"]);
    const changed = differences(before.json, after.json);
    expect(changed.every((p) => p.startsWith("resource.kubernetes_stateful_set_v1.mongodb_rs0.spec.volume_claim_template"))).toBe(true);
  });

  it("the ignored path is the claim template and nothing wider (pod template changes still apply)", () => {
    const ss = before.named("kubernetes_stateful_set_v1", "mongodb-rs0");
    expect(ss.lifecycle.ignore_changes).toEqual(["spec[0].volume_claim_template"]);
    expect(ignored("spec[0].template[0].spec[0].container[0].image", ss.lifecycle.ignore_changes)).toBe(false);
    expect(ignored("spec[0].replicas", ss.lifecycle.ignore_changes)).toBe(false);
  });

  it("the differences helper sees a change where there is one (the test can fail)", () => {
    expect(differences({ a: [1, { b: 2 }] }, { a: [1, { b: 3 }] })).toEqual(["a[1].b"]);
    expect(ignored("spec[0].template[0]", ["spec[0].volume_claim_template"])).toBe(false);
  });
});
