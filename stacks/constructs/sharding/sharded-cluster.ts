// What sharding adds to the database stack: the config server replica set (with its reconcile
// Job, which manages the cluster's users, the balancer window's role among theirs, and the
// default read/write concern), mongos, and the sharding Job. The shards themselves are the
// stack's replica sets, started as shard servers, each holding only the local users of direct
// backups and restores; the first one is the former replica set, converted in place
// (docs/runbooks/convert-to-sharded.md).

import { dependable } from "cdktf";
import { Construct } from "constructs";
import type { PlatformConfig } from "../../../config/platform-config";
import { desiredStateHash, reconcileConfigMapData, reconcileMaxRunSeconds, ReconcileFilesOptions, reconcileUsernameSecrets, reconcileUserSecrets } from "../../../replicaset/reconcile-files";
import { configServerReplset } from "../../../sharding/config-server";
import { commonLabels, dataStatefulSetName, DB_CLIENT_LABEL } from "../../naming";
import { ReconcileJob } from "../reconcile-job";
import { ReplicaSet } from "../replica-set";
import { Mongos } from "./mongos";
import { ShardingJob } from "./sharding-job";

export interface ShardedClusterProps {
  config: PlatformConfig;
  namespace: string;
  serviceAccountName: string;
  /** The shards (the stack's replica sets) and their reconcile Jobs: the sharding Job is created after them. */
  shards: ReplicaSet[];
  shardReconcileJobs: ReconcileJob[];
}

export class ShardedCluster extends Construct {
  readonly configServers: ReplicaSet;
  readonly configServerReconcile: ReconcileJob;
  readonly mongos: Mongos;
  readonly shardingJob: ShardingJob;

  constructor(scope: Construct, id: string, props: ShardedClusterProps) {
    super(scope, id);
    const { config, namespace, serviceAccountName } = props;
    const labels = commonLabels(config);
    const cfg = configServerReplset(config);

    // No application ever connects to the config servers: they admit only the cluster and the jobs.
    this.configServers = new ReplicaSet(this, cfg.name, { config, replset: cfg, namespace, serviceAccountName, clusterRole: "configsvr", admitClients: false });

    // MongoDB's upgrade order for a sharded cluster: the config servers, then the shards, then
    // mongos ("Upgrade a Sharded Cluster", https://www.mongodb.com/docs/manual/release-notes/8.0-upgrade-sharded-cluster/).
    // Every StatefulSet waits for its rollout (wait_for_rollout), so a dependency orders an image
    // change: no shard member restarts before every config server runs the new binary, and mongos
    // (below) only after every shard. A downgrade needs the reverse order, which this one cannot
    // express: config/image-change.ts refuses it and points to docs/runbooks/downgrade-sharded.md.
    // dependable(): the form cdktf gives a dependsOn prop (a bare address, as depends_on takes it).
    const configServerSets = this.configServers.statefulSets.map((s) => dependable(s));
    for (const shard of props.shards) for (const set of shard.statefulSets) set.dependsOn = [...(set.dependsOn ?? []), ...configServerSets];

    // The cluster's users live on the config servers, and the cluster-wide default read/write
    // concern is set there (shards refuse setDefaultRWConcern).
    const reconcile: ReconcileFilesOptions = { configsvr: true, users: "cluster" };
    const files = reconcileConfigMapData(config, cfg, reconcile);
    this.configServerReconcile = new ReconcileJob(this, `${cfg.name}-reconcile`, {
      namespace,
      namePrefix: `${dataStatefulSetName(cfg)}-reconcile`,
      labels: { ...labels, "app.kubernetes.io/component": "reconcile" },
      podLabels: { ...DB_CLIENT_LABEL },
      image: config.image,
      serviceAccountName,
      files,
      stateHash: desiredStateHash(files),
      userSecrets: reconcileUserSecrets(config, reconcile),
      bootstrapSecret: config.secrets.bootstrap,
      usernameSecrets: reconcileUsernameSecrets(config, reconcile),
      activeDeadlineSeconds: reconcileMaxRunSeconds() + 300,
      dependsOn: this.configServers.statefulSets,
      tls: config.tls,
    });

    this.mongos = new Mongos(this, "mongos", {
      config,
      namespace,
      serviceAccountName,
      dependsOn: [...this.configServers.statefulSets, ...props.shards.flatMap((shard) => shard.statefulSets)],
    });

    this.shardingJob = new ShardingJob(this, "sharding-job", {
      config,
      namespace,
      serviceAccountName,
      dependsOn: [
        this.mongos.deployment,
        this.configServerReconcile.job,
        ...props.shards.flatMap((shard) => shard.statefulSets),
        ...props.shardReconcileJobs.map((reconcile) => reconcile.job),
      ],
    });
  }
}
