// What the real mongorestore refuses before it restores anything, for the stand-ins that play it
// in tests: derived from mongo-tools (github.com/mongodb/mongo-tools, tag 100.18.0):
//   - options: mongorestore/options.go and common/options/options.go (the long option names;
//     go-flags refuses any other: "unknown flag"), listed in mongo-tools-flags.ts
//   - mongorestore/mongorestore.go ParseAndValidateOptions:
//       "cannot use --oplogLimit without --oplogReplay enabled"
//       "cannot use --oplogFile without --oplogReplay enabled"
//       "cannot use --oplogFile with --archive specified"
//       "cannot specify --preserveUUID without --drop"
//   - mongorestore/mongorestore.go Restore: a dump directory with a top-level oplog.bson plus
//     --oplogFile is an oplog conflict (common/intents/intent.go PutOplogIntent: two top-priority
//     oplogs): "cannot provide both an oplog.bson file and an oplog file with --oplogFile, ..."
//   - mongorestore/main/mongorestore.go prints "Failed: <error>" and exits 1 (util.ExitFailure).

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { deserialize } from "bson";
import { longOptions, MONGORESTORE_FLAGS, unknownOption } from "./mongo-tools-flags";

/** The "Failed: ..." line mongorestore would print for argv (without argv[0]), or undefined when it would start restoring. */
export function mongorestoreRefusal(args: readonly string[]): string | undefined {
  const unknown = unknownOption(args, MONGORESTORE_FLAGS);
  if (unknown) return unknown;
  const given = longOptions(args);
  const has = (n: string) => given.has(n);
  if (has("oplogLimit") && !has("oplogReplay")) return "Failed: cannot use --oplogLimit without --oplogReplay enabled";
  if (has("oplogFile") && !has("oplogReplay")) return "Failed: cannot use --oplogFile without --oplogReplay enabled";
  if (has("oplogFile") && has("archive")) return "Failed: cannot use --oplogFile with --archive specified";
  if (has("preserveUUID") && !has("drop")) return "Failed: cannot specify --preserveUUID without --drop";
  const dir = given.get("dir");
  if (has("oplogFile") && typeof dir === "string" && (existsSync(join(dir, "oplog.bson")) || existsSync(join(dir, "oplog.bson.gz")))) {
    return "Failed: cannot provide both an oplog.bson file and an oplog file with --oplogFile, nor can you provide both a local/oplog.rs.bson and a local/oplog.$main.bson file";
  }
  return undefined;
}

/**
 * The users a dump directory's admin/system.users.bson[.gz] holds (user@db), or undefined when it
 * has none: then mongorestore restores no users (mongo-tools common/intents/intent.go
 * PutWithNamespace keeps a users intent only with a BSON file; metadata.go
 * ShouldRestoreUsersAndRoles).
 */
export function dumpedUsers(dir: string): string[] | undefined {
  const file = ["system.users.bson.gz", "system.users.bson"].map((n) => join(dir, "admin", n)).find((f) => existsSync(f));
  if (!file) return undefined;
  let data = readFileSync(file);
  if (data[0] === 0x1f && data[1] === 0x8b) data = gunzipSync(data);
  const users: string[] = [];
  for (let at = 0; at < data.length; at += data.readInt32LE(at)) {
    const doc = deserialize(data.subarray(at, at + data.readInt32LE(at))) as { user: string; db: string };
    users.push(`${doc.user}@${doc.db}`);
  }
  return users;
}

/**
 * What a restore with --oplogReplay does to the user it runs as, as the sources say:
 * mongorestore restores the dump's users after the collections and before the oplog
 * (mongo-tools 100.18.0 mongorestore/mongorestore.go Restore: RestoreIntents,
 * RestoreUsersOrRoles, RestoreOplog) through `_mergeAuthzCollections` with `drop: <--drop>`
 * (metadata.go RestoreUsersOrRoles); with drop the server removes every user the dump does not
 * hold (src/mongo/db/commands/user_management_commands.cpp _processUsers, r8.0: usersToDrop) and
 * each of mongorestore's connections is logged out on its next command
 * (src/mongo/db/auth/authorization_session_impl.cpp _refreshUserInfoAsNeeded: UserNotFound →
 * clearUser), so the first applyOps of the replay is refused: code 13, "command applyOps
 * requires authentication". Returns mongorestore's "Failed: ..." line then (oplog.go ApplyOp:
 * "applyOps: %v", HandleOp "error applying oplog: %v", Restore "restore error: %v"), else undefined.
 * `user` is "name@authDb" of the connection.
 */
export function authzMergeRefusal(args: readonly string[], user: string): string | undefined {
  const given = longOptions(args);
  const dir = given.get("dir");
  if (!given.has("drop") || !given.has("oplogReplay") || given.has("db") || typeof dir !== "string") return undefined;
  const users = dumpedUsers(dir);
  if (!users || users.includes(user)) return undefined;
  return "Failed: restore error: error applying oplog: applyOps: (Unauthorized) command applyOps requires authentication";
}
