// The database stack: Nyrkiö's MongoDB as a replica set of data members and an arbiter (or, with
// sharding on, the shards of a sharded cluster), in its own namespace, brought to the desired
// state by a reconcile Job, and published to applications without a password.

import { Construct } from "constructs";
import { AUTH_SOURCE } from "../replicaset/users";
import { desiredStateHash, reconcileConfigMapData, reconcileMaxRunSeconds, ReconcileFilesOptions, reconcileUsernameSecrets, reconcileUserSecrets } from "../replicaset/reconcile-files";
import { ConnectionInfo } from "./constructs/connection-info";
import { DatabaseNamespace } from "./constructs/database-namespace";
import { DatabaseServiceAccount } from "./constructs/database-service-account";
import { baseEgressRules, EgressPolicy } from "./constructs/egress-policy";
import { ReconcileJob } from "./constructs/reconcile-job";
import { Monitoring } from "./constructs/monitoring/monitoring";
import { databasePodSelector, ReplicaSet } from "./constructs/replica-set";
import { RetentionCronJob } from "./constructs/retention-cron-job";
import type { ShardedCluster } from "./constructs/sharding/sharded-cluster";
import { commonLabels, CONNECTION_CONFIG_MAP, databaseStackName, dataStatefulSetName, DB_CLIENT_LABEL, MONGODB_PORT, mongosHost, projectPodSelector } from "./naming";
import { clientsUseTls } from "../config/tls";
import { PlatformStack, PlatformStackProps } from "./platform-stack";

/** The service account every pod of the database runs as (no API token mounted). */
export const DATABASE_SERVICE_ACCOUNT = "mongodb";

export class DatabaseStack extends PlatformStack {
  readonly namespace: DatabaseNamespace;
  readonly replicaSets: ReplicaSet[] = [];
  readonly reconcileJobs: ReconcileJob[] = [];
  readonly connectionInfo: ConnectionInfo;
  /** Sharded only: the config servers, mongos and the sharding Job (docs/sharding.md). */
  readonly shardedCluster?: ShardedCluster;
  /** Scheduled deletion of old results (docs/retention.md); suspended when retention.enabled is false. */
  readonly retention: RetentionCronJob;
  /** Default-deny egress for every pod of the project (the backup stack's pods too); absent when network.egress.restrict is false. */
  readonly egressPolicy?: EgressPolicy;
  /** Rules, dashboard, metrics Service (docs/observability.md); absent when monitoring.enabled is false. */
  readonly monitoring?: Monitoring;

  constructor(scope: Construct, props: PlatformStackProps) {
    super(scope, databaseStackName(props.config), props);
    const config = this.config;
    const labels = commonLabels(config);
    const sharded = config.sharding.enabled;

    this.namespace = new DatabaseNamespace(this, "namespace", {
      name: config.kubernetes.namespace,
      create: config.kubernetes.createNamespace,
      labels,
    });
    const namespace = this.namespace.name;
    const serviceAccount = new DatabaseServiceAccount(this, "service-account", { namespace, name: DATABASE_SERVICE_ACCOUNT, labels });
    if (config.network.egress.restrict) {
      this.egressPolicy = new EgressPolicy(this, "egress-policy", {
        namespace,
        name: "mongodb-egress",
        labels,
        pods: projectPodSelector(config),
        egress: baseEgressRules(config.network.egress, databasePodSelector(config), MONGODB_PORT),
      });
    }

    for (const replset of config.replsets) {
      // The construct id is the replica set's name: the first shard keeps the replica set's
      // resources when the topology becomes sharded.
      const replicaSet = new ReplicaSet(this, replset.name, {
        config,
        replset,
        namespace,
        serviceAccountName: serviceAccount.name,
        clusterRole: sharded ? "shardsvr" : undefined,
        admitClients: !(sharded && config.sharding.clientsOnMongosOnly),
      });
      this.replicaSets.push(replicaSet);

      // A shard's default read/write concern is the cluster's, set on the config servers; the
      // cluster's users live there too, so a shard holds only the local users that direct
      // connections need (the per-replica-set backups and restores).
      const reconcile: ReconcileFilesOptions = sharded ? { users: "shard", manageDefaultRWConcern: false } : { users: "replicaset" };
      const files = reconcileConfigMapData(config, replset, reconcile);
      this.reconcileJobs.push(
        new ReconcileJob(this, `${replset.name}-reconcile`, {
          namespace,
          namePrefix: `${dataStatefulSetName(replset)}-reconcile`,
          labels: { ...labels, "app.kubernetes.io/component": "reconcile" },
          podLabels: { ...DB_CLIENT_LABEL },
          image: config.image,
          serviceAccountName: serviceAccount.name,
          files,
          stateHash: desiredStateHash(files),
          userSecrets: reconcileUserSecrets(config, reconcile),
          bootstrapSecret: config.secrets.bootstrap,
          usernameSecrets: reconcileUsernameSecrets(config, reconcile),
          activeDeadlineSeconds: reconcileMaxRunSeconds() + 300,
              dependsOn: replicaSet.statefulSets,
          tls: config.tls,
        }),
      );
    }

    // Sharded: the config server replica set, mongos and the sharding Job; the replica sets above are the shards.
    if (sharded) {
      // Loaded only for a sharded topology: its provider modules (Deployment and the rest) are about
      // a tenth of a second of every unsharded synth (docs/performance.md).
      const sharding = require("./constructs/sharding/sharded-cluster") as typeof import("./constructs/sharding/sharded-cluster");
      this.shardedCluster = new sharding.ShardedCluster(this, "sharding", {
        config,
        namespace,
        serviceAccountName: serviceAccount.name,
        shards: this.replicaSets,
        shardReconcileJobs: this.reconcileJobs,
      });
    }

    // MongoDB's order for a conversion: add the shard, then move the clients
    // (https://www.mongodb.com/docs/manual/tutorial/convert-replica-set-to-replicated-shard-cluster/).
    // Until the sharding Job has finished, mongos may have no shard, and the cluster's users may
    // not exist yet: what points clients at mongos changes only after it.
    const afterSharding = this.shardedCluster ? [this.shardedCluster.shardingJob.job] : undefined;
    const [first] = this.replicaSets;
    this.connectionInfo = new ConnectionInfo(this, "connection", {
      namespace,
      name: CONNECTION_CONFIG_MAP,
      labels,
      // Sharded: applications connect through mongos, which is not a replica set.
      ...(sharded ? { hosts: [mongosHost(config)] } : { replicaSet: config.replsets[0].name, hosts: first.dataHosts }),
      database: config.database,
      authSource: AUTH_SOURCE,
      credentialsSecret: config.secrets.app,
      ...(clientsUseTls(config.tls) && config.tls.certificates ? { tlsCaSecret: config.tls.certificates.secretName } : {}),
      dependsOn: afterSharding,
    });

    if (config.monitoring.enabled) this.monitoring = new Monitoring(this, "monitoring", { config, namespace, databasePods: databasePodSelector(config) });

    // Deletes results older than the retention window, keeping those a change point refers to.
    // Always present: retention.enabled false suspends the CronJob (an in-place update) rather
    // than destroying it and its ConfigMap, so turning it on again is a one-field change.
    this.retention = new RetentionCronJob(this, "retention", { config, serviceAccountName: serviceAccount.name, dependsOn: afterSharding });
  }
}
