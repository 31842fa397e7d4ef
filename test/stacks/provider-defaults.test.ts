// No perpetual diffs: fields that hashicorp/kubernetes v2.38.0 declares Optional without Computed,
// whose value the API server fills in and the provider's read writes back, are set explicitly
// (docs/day-2.md, "No perpetual diffs", lists the survey and why every other field is safe).

import { environments } from "../../config/environments";
import { Json, synthDatabase } from "./database-synth";

describe.each(Object.keys(environments))("%s", (env) => {
  const statefulSets = Object.entries(synthDatabase(environments[env]).resources("kubernetes_stateful_set_v1")) as [string, Json][];

  // schema_stateful_set_spec.go "update_strategy"/"rolling_update" (Optional, no Computed);
  // structures_stateful_set.go flattenStatefulSetSpecUpdateStrategy writes rolling_update with
  // its partition whenever the server's object has one.
  it.each(statefulSets)("StatefulSet %s: update_strategy with rolling_update.partition 0", (_id, ss) => {
    expect(ss.spec.update_strategy).toEqual([{ type: "RollingUpdate", rolling_update: [{ partition: 0 }] }]);
  });
});
