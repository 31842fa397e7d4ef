// The label by which the operator's wait-job command finds the Jobs a deploy starts (reconcile,
// sharding) without knowing their hashed names: its value is the Job's series, the name prefix
// that every desired state of the same Job shares (e.g. mongodb-rs0-reconcile).

export const DEPLOY_JOB_LABEL = "nyrkio.io/deploy-job";
