// Issue 12, Medium 11: the root Secret only where and while it is needed. It is mounted by Jobs
// alone (the reconcile Jobs, which create root in the handover, the sharding Job and the
// restore-user Job), each of which ends; never by a long-running pod (a StatefulSet's or a
// Deployment's), in any environment. The one-time bootstrap Secret is in the data members'
// bootstrap sidecar and the reconcile Jobs only, and its password is dead once the first
// reconcile has dropped the bootstrap user (test/replicaset/bootstrap-handover.test.ts).

import { environments } from "../../config/environments";
import { synthBackup } from "../backup/stack/support";
import { synthDatabase } from "../stacks/database-synth";
import { secretMounts } from "./secret-mounts";

describe.each(Object.keys(environments))("the root and bootstrap Secrets in %s", (env) => {
  const config = environments[env];
  const mounts = [...secretMounts(synthDatabase(config).json), ...secretMounts(synthBackup(config).json)];

  it("no container of a StatefulSet or Deployment mounts the root Secret or reads it into its environment; only Jobs and CronJobs do", () => {
    const root = mounts.filter((m) => m.secret === config.secrets.root);
    expect(root.length).toBeGreaterThan(0);
    expect(root.filter((m) => !/^(Job|CronJob) /.test(m.workload))).toEqual([]);
  });

  it("the bootstrap Secret: the data members' bootstrap sidecar and the reconcile Jobs, nothing else", () => {
    const bootstrap = mounts.filter((m) => m.secret === config.secrets.bootstrap);
    expect(bootstrap.length).toBeGreaterThan(0);
    for (const m of bootstrap) expect(`${m.workload}: ${m.container}`).toMatch(/^(StatefulSet mongodb-(rs\d+|cfg): bootstrap|Job mongodb-(rs\d+|cfg)-reconcile-<hash>: reconcile)$/);
  });
});
