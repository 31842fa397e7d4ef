// prod-pss: prod with three data members and no arbiter (primary, secondary, secondary), for
// teams whose `majority` writes must keep succeeding while one data member is down (a restart,
// a drain, a failure). The arbiter topology stays the default (the design's two data members and
// an arbiter); this costs a third copy of the data. See docs/read-write-concern.md.
import type { PlatformConfig } from "../platform-config";
import { prod } from "./prod";

export const prodPss: PlatformConfig = {
  ...prod,
  name: "prod-pss",
  // Its own namespace, state and backup prefix: deployable beside prod without touching it.
  kubernetes: { ...prod.kubernetes, namespace: "nyrkio-db-pss" },
  state: { backend: "kubernetes", secretSuffix: "nyrkio-db-prod-pss", namespace: "terraform-state" },
  backup: { ...prod.backup, storage: { ...prod.backup.storage, prefix: "prod-pss" } as typeof prod.backup.storage },
  replsets: [
    {
      ...prod.replsets[0],
      members: [
        { priority: 2, votes: 1 },
        { priority: 1, votes: 1 },
        { priority: 1, votes: 1 },
      ],
      arbiter: { ...prod.replsets[0].arbiter, enabled: false },
    },
  ],
};
