// The runner records migrations with transactions, which MongoDB offers on replica sets and
// sharded clusters only. Said up front, before the lock, rather than at the first changelog write.
import type { Db, Document } from "mongodb";
import { RunnerError } from "./errors";
import { assessReplSetHealth, describeUnhealthy } from "./replset-health";

/** From a `hello` reply: a replica set member (setName) or a mongos (msg "isdbgrid"). */
export function supportsTransactions(hello: Document): boolean {
  return typeof hello.setName === "string" || hello.msg === "isdbgrid";
}

export async function assertTransactionsSupported(db: Db): Promise<void> {
  const hello = await db.admin().command({ hello: 1 });
  if (!supportsTransactions(hello)) {
    throw new RunnerError(
      "the target is a standalone mongod: the runner needs a replica set or a sharded cluster (its changelog writes are transactions)",
      "standalone",
    );
  }
}

/**
 * Refuses (exit 1, nothing sent) unless every data-bearing member is healthy and caught up
 * (replset-health.ts). Through mongos there is no replSetGetStatus (it is a replica-set member's
 * command): the shards' health is not checked here, which docs/migrations.md says.
 */
export async function assertHealthy(db: Db, progress: (line: string) => void): Promise<void> {
  const admin = db.admin();
  const hello = await admin.command({ hello: 1 });
  if (hello.msg === "isdbgrid") {
    progress("through mongos: the shards' replica set health is not checked (replSetGetStatus is a member's command)");
    return;
  }
  const status: Document = await admin.command({ replSetGetStatus: 1 });
  const verdict = assessReplSetHealth(status, hello);
  if (!verdict.ok) throw new RunnerError(describeUnhealthy(verdict), "unhealthy", undefined, { problems: verdict.problems });
}
