// Where the reconcile Job finds its inputs. The Job (stacks/constructs) mounts:
//   - the ConfigMap data from reconcileConfigMapData() at RECONCILE_CONFIG_DIR;
//   - the root user's Secret at ROOT_SECRET_DIR, each managed user's Secret at userSecretDir(user),
//     every Secret with the keys `username` and `password` (SECRET_KEYS);
//   - the bootstrap Secret at BOOTSTRAP_SECRET_DIR, optional: the one-time first user that the
//     bootstrap sidecar creates and the Job replaces with root (mongosh/reconcile.js, handover).
// The script reads passwords from these files; none is ever on a command line.

export const RECONCILE_CONFIG_DIR = "/etc/nyrkio/reconcile";
export const SECRETS_DIR = "/etc/nyrkio/secrets";
export const ROOT_SECRET_DIR = `${SECRETS_DIR}/root`;
/** The bootstrap Secret (config secrets.bootstrap), where the data pods and the reconcile Job mount it. */
export const BOOTSTRAP_SECRET_DIR = `${SECRETS_DIR}/bootstrap`;
export const SECRET_KEYS = { username: "username", password: "password" } as const;

/** File names (ConfigMap keys) under RECONCILE_CONFIG_DIR. */
export const RECONCILE_FILES = {
  /** The designed replica-set config: renderReplicaSetConfigJson(), byte for byte. */
  replicaSet: "replicaset.json",
  users: "users.json",
  /** The setDefaultRWConcern command, or `null` where this job must not set it (shards). */
  rwConcern: "rw-concern.json",
  settings: "settings.json",
  /** The designed TLS modes and the URI options of a direct connection to one member (tls-plan.ts). */
  tls: "tls.json",
  script: "reconcile.js",
} as const;

/** Mount path of a managed user's Secret: /etc/nyrkio/secrets/<user>/. */
export function userSecretDir(user: string): string {
  return `${SECRETS_DIR}/${user}`;
}

/** The Job's container command: no credentials in argv, the script reads them from files. */
export const RECONCILE_COMMAND: readonly string[] = ["mongosh", "--nodb", "--quiet", "--file", `${RECONCILE_CONFIG_DIR}/${RECONCILE_FILES.script}`];

/** mongosh writes its log and history under $HOME: point it at the writable /tmp emptyDir. */
export const RECONCILE_ENV: Readonly<Record<string, string>> = { HOME: "/tmp" };
