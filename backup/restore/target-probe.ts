// Reads the facts target-check.ts decides on from a live target, with the Node.js driver: whether
// it is a mongos (`hello`.msg "isdbgrid", https://www.mongodb.com/docs/manual/reference/command/hello/)
// and which collections outside admin, local and config hold a document. The restore user may
// read everything (nyrkioRestore, replicaset/users.ts).

import { MongoClient } from "mongodb";
import type { ConnectionSecrets } from "./mongorestore-config";
import type { TargetFacts } from "./target-check";

const INTERNAL_DATABASES = new Set(["admin", "local", "config"]);

/** The user the connection string names (the password comes from its own file). */
function uriUser(uri: string): string | undefined {
  const m = /^mongodb(?:\+srv)?:\/\/([^:@/]+)(?::[^@/]*)?@/.exec(uri);
  return m ? decodeURIComponent(m[1]) : undefined;
}

export async function probeTarget(connection: ConnectionSecrets): Promise<TargetFacts> {
  const client = new MongoClient(connection.uri, {
    // 15 s unless the connection string sets its own.
    ...(/[?&]serverSelectionTimeoutMS=/i.test(connection.uri) ? {} : { serverSelectionTimeoutMS: 15_000 }),
    // A restore writes to the primary; the probe looks where it will write.
    readPreference: "primary",
    ...(connection.password !== undefined ? { auth: { username: uriUser(connection.uri), password: connection.password } } : {}),
  });
  try {
    await client.connect();
    const admin = client.db("admin");
    const hello = await admin.command({ hello: 1 });
    if (hello.msg === "isdbgrid") return { mongos: true, namespacesWithData: [] };
    const { databases } = await admin.command({ listDatabases: 1, nameOnly: true });
    const found: string[] = [];
    for (const { name } of databases as { name: string }[]) {
      if (INTERNAL_DATABASES.has(name)) continue;
      const db = client.db(name);
      const collections = await db.listCollections({ type: "collection" }, { nameOnly: true }).toArray();
      for (const c of collections) {
        if (c.name.startsWith("system.")) continue;
        if ((await db.collection(c.name).findOne({}, { projection: { _id: 1 } })) !== null) found.push(`${name}.${c.name}`);
      }
    }
    return { mongos: false, namespacesWithData: found.sort() };
  } finally {
    await client.close();
  }
}

/**
 * The temporary restore user drops itself at the end of a workstation restore (issue 12: it is as
 * strong as root; the in-cluster Job's drop-restore-user.js does the same). Its nyrkioRestore
 * role (anyAction) covers dropUser. A user that can no longer log in (AuthenticationFailed, 18:
 * dropped already) is "gone", not an error.
 */
export async function dropOwnUser(connection: ConnectionSecrets): Promise<"dropped" | "gone"> {
  const username = uriUser(connection.uri);
  if (username === undefined) throw new Error("the connection names no user to drop");
  const client = new MongoClient(connection.uri, {
    ...(/[?&]serverSelectionTimeoutMS=/i.test(connection.uri) ? {} : { serverSelectionTimeoutMS: 15_000 }),
    readPreference: "primary",
    ...(connection.password !== undefined ? { auth: { username, password: connection.password } } : {}),
  });
  try {
    try {
      await client.connect();
    } catch (e) {
      if ((e as { code?: number }).code === 18 || /Authentication failed/i.test(String((e as Error).message))) return "gone";
      throw e;
    }
    await client.db("admin").command({ dropUser: username });
    return "dropped";
  } finally {
    await client.close();
  }
}

/** A user as usersInfo returns it (its password hash is not asked for). */
export interface FoundUser {
  user: string;
  db: string;
  roles: { role: string; db: string }[];
}

/**
 * Every user of every database on the target after a restore: mongorestore restores
 * admin.system.users whenever no --db is given, so these are the restored data's users (and the
 * restore user itself). usersInfo {forAllDBs: true} needs viewUser on the cluster
 * (user_management_commands.cpp, r8.0), which nyrkioRestore's anyAction covers.
 */
export async function listUsers(connection: ConnectionSecrets): Promise<FoundUser[]> {
  const client = new MongoClient(connection.uri, {
    ...(/[?&]serverSelectionTimeoutMS=/i.test(connection.uri) ? {} : { serverSelectionTimeoutMS: 15_000 }),
    readPreference: "primary",
    ...(connection.password !== undefined ? { auth: { username: uriUser(connection.uri), password: connection.password } } : {}),
  });
  try {
    await client.connect();
    const { users } = await client.db("admin").command({ usersInfo: { forAllDBs: true } });
    return (users as FoundUser[]).map((u) => ({ user: u.user, db: u.db, roles: (u.roles ?? []).map((r) => ({ role: r.role, db: r.db })) }));
  } finally {
    await client.close();
  }
}
