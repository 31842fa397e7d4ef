// The logical IDs (Terraform addresses) of the stateful resources are pinned. A rename of a
// construct must never move them: Terraform would destroy the StatefulSet (or the namespace,
// which deletes every claim in it) and create a new one. If this test fails, do not update the
// expectation; give the resource its old address back (pinLogicalId / overrideLogicalId), or
// write a `moved` block and say so in the change.

import { prod } from "../../config/environments/prod";
import { sharded } from "../../config/environments/sharded";
import { devWith, synthDatabase } from "./database-synth";

const ids = (s: ReturnType<typeof synthDatabase>, type: string) => Object.keys(s.resources(type)).sort();

describe("stateful logical IDs", () => {
  it("dev: the namespace and the StatefulSets of rs0", () => {
    const s = synthDatabase();
    expect(ids(s, "kubernetes_namespace_v1")).toEqual(["namespace"]);
    expect(ids(s, "kubernetes_stateful_set_v1")).toEqual(["mongodb_rs0", "mongodb_rs0_arbiter"]);
  });

  it("prod: the same addresses", () => {
    const s = synthDatabase(prod);
    expect(ids(s, "kubernetes_namespace_v1")).toEqual(["namespace"]);
    expect(ids(s, "kubernetes_stateful_set_v1")).toEqual(["mongodb_rs0", "mongodb_rs0_arbiter"]);
  });

  it("sharded: rs0 keeps its address as the first shard; rs1 gets its own", () => {
    const s = synthDatabase(sharded);
    expect(ids(s, "kubernetes_stateful_set_v1")).toEqual(expect.arrayContaining(["mongodb_rs0", "mongodb_rs1"]));
  });

  it("an address follows the replica set's name, not the config's order or size", () => {
    const s = synthDatabase(
      devWith((c) => {
        c.replsets[0].name = "main-set";
        c.replsets[0].members.push({ priority: 1, votes: 1 }, { priority: 1, votes: 1 });
      }),
    );
    expect(ids(s, "kubernetes_stateful_set_v1")).toEqual(["mongodb_main_set", "mongodb_main_set_arbiter"]);
  });
});
