// The runner records migrations with transactions, which MongoDB offers on replica sets and
// sharded clusters only. Said up front, before the lock, rather than at the first changelog write.
import type { Db, Document } from "mongodb";
import { RunnerError } from "./errors";

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
