// Security contexts of the run's own pods (pure).
/**
 * The "restricted" Pod Security Standard, which the database's namespace enforces
 * (stacks/constructs/database-namespace.ts): non-root with a numeric user, no privilege
 * escalation, every capability dropped, the runtime's seccomp profile.
 * https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
 */
export function restrictedPod(uid: number) {
  return { runAsNonRoot: true, runAsUser: uid, runAsGroup: uid, seccompProfile: { type: "RuntimeDefault" } };
}
export function restrictedContainer(uid: number) {
  return { runAsNonRoot: true, runAsUser: uid, runAsGroup: uid, allowPrivilegeEscalation: false, privileged: false, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } };
}
/** The official mongo image's mongodb user; the node image's node user. */
export const MONGO_IMAGE_UID = 999;
export const NODE_IMAGE_UID = 1000;

