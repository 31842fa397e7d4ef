// Removing the arbiter in the same deploy that adds a data member: Terraform destroys the
// arbiter's StatefulSet at once, while the reconcile Job (which runs after the StatefulSets) only
// then starts adding the new member. For the new member's whole initial sync the set would have a
// dead voter, and one more failure would cost it its primary. The deploy is refused at plan time
// instead: a Terraform precondition compares the desired config with the replicaset.json of the
// last deploy (read from the cluster by a data source), so nothing is applied. The safe order
// takes two deploys (docs/runbooks/remove-arbiter.md): add the member without a vote, then give
// it its vote and remove the arbiter.

/**
 * A Terraform condition (HCL, inside `${}`) that is true unless the last deployed config
 * (`deployedJson`: an HCL expression for its replicaset.json text; it may fail or be absent on a
 * first deploy, which counts as "no arbiter") has an arbiter and `desiredHosts` (this deploy's
 * data members, which have no arbiter) hold a host it did not have.
 */
export function arbiterRemovalCondition(deployedJson: string, desiredHosts: readonly string[]): string {
  const deployed = `try(jsondecode(${deployedJson}).members, [])`;
  const hadArbiter = `anytrue([for m in ${deployed} : try(m.arbiterOnly, false)])`;
  const added = `setsubtract(${JSON.stringify([...desiredHosts])}, [for m in ${deployed} : m.host])`;
  return `\${!${hadArbiter} || length(${added}) == 0}`;
}

export const ARBITER_REMOVAL_MESSAGE =
  "this deploy removes the arbiter and adds a data member at once: Terraform would destroy the arbiter before the new member has synced, leaving the set with a dead voter. Add the member first with { priority: 0, votes: 0 } and the arbiter still enabled; once it is SECONDARY, give it its vote and priority and disable the arbiter in a second deploy (docs/runbooks/remove-arbiter.md).";
