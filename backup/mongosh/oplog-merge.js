// The one oplog a point-in-time restore replays, merged and trimmed from the base dump's own oplog
// and the slices that continue it. A Node.js module (like oplog-window.js): the restore CLI and
// the in-cluster restore Job load the same code, streaming, so a week of slices is never held in
// memory.
//
// Why one file: mongorestore buffers a transaction's entries within one process (mongo-tools
// common/txn/meta.go, HandleTxnOp) and edits its own index catalog from the oplog's index DDL
// (common/idx/index_catalog.go), so the base and the whole replay must run in ONE mongorestore
// process, and it reads one oplog source: `--oplogFile` (refused with --archive, and refused
// beside a dump directory's top-level oplog.bson: mongorestore/mongorestore.go).
//
// What goes in, in this order:
//   1. every entry of the base dump's own oplog (the dump's consistency window, up to its lastTs);
//   2. of the slices, in chain order, only the entries AFTER the base's lastTs: the slice a dump
//      joins starts at or before the dump's end, and re-applying an entry to a state already past
//      it is not always harmless (a unique secondary index: MONGODB-FACTS, "trim a replay to the
//      entries after the base's lastTs", as Percona Backup for MongoDB does);
//   3. nothing at or after `limit` when one is given (exclusive, like --oplogLimit, which the
//      restore passes as well: mongorestore/oplog.go applies only entries with ts < limit).
// Timestamps are compared as (t, i), both unsigned: an ordinal i > 0 within the base's second is
// before or after the base exactly as the oplog orders it.
// The result must be strictly increasing; anything else (a slice out of order, a gap the chain
// should have refused) stops the merge with the entry named.
//
// Users and roles are not replayed (issue 12): an entry on admin.system.users or admin.system.roles,
// the auth schema document ({_id: "authSchema"} in admin.system.version), and an applyOps entry (a
// user-management command's transaction) whose every operation is one of those, is left out. That
// is exactly what the server writes for them (src/mongo/db/commands/user_management_commands.cpp,
// r8.0): createUser, updateUser, dropUser, dropAllUsersFromDatabase, grant/revokeRolesToUser,
// createRole, updateRole, grant/revoke{Privileges,Roles}{To,From}Role write plain CRUD entries on
// admin.system.users/roles (insertAuthzDocument, updateAuthzDocuments, removeAuthzDocuments through
// DBDirectClient); dropRole and dropAllRolesFromDatabase write one transaction (UMCTransaction,
// retryTransactionOps: on a replica set an applyOps entry with lsid/txnNumber holding their updates
// of admin.system.users and admin.system.roles and the role's delete); and every one of them first
// upserts {_id: "authSchema"} in admin.system.version (requireWritableAuthSchema28SCRAM →
// writeAuthSchemaVersionIfNeeded: an entry only when the document changes, e.g. the very first
// user). The DDL of the two collections (a `c` entry on admin.$cmd whose command names
// system.users or system.roles: create, drop, createIndexes, start/commit/abortIndexBuild,
// dropIndexes, collMod, or a renameCollection from or to them) is left out too: the target keeps its
// own users and roles, so their collections and indexes as well (mongorestore would apply it:
// oplog.go HandleNonTxnOp, and a `create` of an existing collection fails the replay). Other
// admin.system.version documents (featureCompatibilityVersion, shardIdentity) are not users or
// roles, and admin's other collections (mongorestore's own admin.tempusers among them) are data:
// both are kept. An applyOps mixing users or roles with data is kept whole: the server writes none
// (a user-management transaction holds only its own admin writes, UMCTransaction validNamespace; a
// client's transaction cannot write to the admin database,
// https://www.mongodb.com/docs/manual/core/transactions-operations/), only a client's own applyOps
// command could. mongorestore itself would replay users and roles (mongo-tools 100.18.0
// mongorestore/oplog.go shouldIgnoreNamespace skips only __mdb_internal* and most of config.*, and
// a transaction's operations, which HandleTxnOp hands to HandleNonTxnOp, skip even that), but the restore sets the
// dump's users and roles aside (dump-authz.js): an `updateUser` of a user the target lacks would
// then fail the replay, since applyOps no longer upserts a missing document (server 6.2+:
// jstests/core/apply_ops2.js, "alwaysUpsert not specified, should default to false").

"use strict";
/* global Buffer */

const fs = require("fs");
const zlib = require("zlib");
const { arrayDocuments, topLevelField, topLevelFields } = require("./oplog-window.js");

const AUTHZ_NAMESPACES = new Set(["admin.system.users", "admin.system.roles"]);
/** AuthorizationManager::versionDocumentQuery: the auth schema's document in admin.system.version. */
const AUTH_SCHEMA_ID = "authSchema";

const AUTHZ_COLLECTIONS = new Set(["system.users", "system.roles"]);

/** A BSON document's first field: its name, and its value when that is a string. */
function firstField(doc) {
  if (doc.length <= 5) return {};
  const nameEnd = doc.indexOf(0, 5);
  const at = nameEnd + 1;
  return { name: doc.toString("utf8", 5, nameEnd), value: doc[4] === 0x02 ? doc.toString("utf8", at + 4, at + 4 + doc.readInt32LE(at) - 1) : undefined };
}

/** Whether a command entry's `o` is DDL of admin.system.users or admin.system.roles (`ns` admin.$cmd). */
function isAuthzDdl(o) {
  const { name, value } = firstField(o);
  if (name === "renameCollection") return AUTHZ_NAMESPACES.has(value) || AUTHZ_NAMESPACES.has(topLevelFields(o).to);
  return name !== "applyOps" && AUTHZ_COLLECTIONS.has(value);
}

/** The `_id` an entry on a collection writes: o._id for an insert or delete, o2._id for an update. */
function entryId(doc, op) {
  const target = topLevelField(doc, op === "u" ? "o2" : "o");
  return target && target.type === 0x03 ? topLevelFields(target.value)._id : undefined;
}

/**
 * Whether an oplog entry changes users or roles: its namespace is admin.system.users or
 * admin.system.roles, it writes the auth schema document of admin.system.version, it is DDL of
 * those two collections, or it is an
 * applyOps command whose every operation is one of those (what a user-management command's
 * transaction writes: user_management_commands.cpp UMCTransaction; a nested applyOps is looked
 * into the same way, as mongorestore's HandleNonTxnOp unpacks it).
 */
function isAuthzEntry(doc, fields = topLevelFields(doc)) {
  const { op, ns } = fields;
  if (AUTHZ_NAMESPACES.has(ns)) return true;
  if (ns === "admin.system.version") return entryId(doc, op) === AUTH_SCHEMA_ID;
  if (op !== "c") return false;
  const o = topLevelField(doc, "o");
  if (!o || o.type !== 0x03) return false;
  if (ns === "admin.$cmd" && isAuthzDdl(o.value)) return true;
  const ops = topLevelField(o.value, "applyOps");
  if (!ops || ops.type !== 0x04) return false;
  const inner = arrayDocuments(ops.value);
  return inner.length > 0 && inner.every((d) => isAuthzEntry(d));
}

function cmp(a, b) {
  return a.t !== b.t ? (a.t < b.t ? -1 : 1) : a.i === b.i ? 0 : a.i < b.i ? -1 : 1;
}

/**
 * Whether an entry at `ts` from source `source` ("base" or "slice") goes into the merged oplog:
 * the base's own entries always (below the limit), a slice's only after `after`.
 */
function keepEntry(ts, source, after, limit) {
  if (limit && cmp(ts, limit) >= 0) return false;
  return source === "base" || cmp(ts, after) > 0;
}

async function* documents(path, gzip) {
  const input = fs.createReadStream(path);
  const gunzip = gzip ? zlib.createGunzip() : null;
  // pipe() does not pass the source's errors on: a missing file would leave the loop waiting forever.
  if (gunzip) input.on("error", (err) => gunzip.destroy(err));
  const stream = gunzip ? input.pipe(gunzip) : input;
  let pending = Buffer.alloc(0);
  for await (const chunk of stream) {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    let pos = 0;
    while (pending.length - pos >= 4) {
      const size = pending.readInt32LE(pos);
      if (size < 5 || size > 16 * 1024 * 1024 + 16 * 1024) throw new Error(`${path}: corrupt stream: ${size} is not a BSON document length`);
      if (pending.length - pos < size) break;
      yield pending.subarray(pos, pos + size);
      pos += size;
    }
    pending = pending.subarray(pos);
  }
  if (pending.length) throw new Error(`${path}: truncated stream: ${pending.length} trailing bytes do not form a document`);
}

/**
 * Writes the merged oplog to `out`: uncompressed BSON (what --oplogFile reads without --gzip), or
 * with `gzipOut` gzipped (mongorestore reads --oplogFile through gzip when --gzip is given, as it
 * must be for a gzipped dump directory: mongo-tools mongorestore/filepath.go CreateIntentForOplog).
 *   base    {path, gzip}: the dump's own oplog.bson
 *   slices  [{path, gzip}] in chain order
 *   after   {t, i}: the base's lastTs
 *   limit   {t, i} | null: exclusive upper bound
 *   gzipOut write `out` gzipped
 * Returns {entries, fromBase, fromSlices, skippedAtOrBeforeBase, skippedAtOrAfterLimit, skippedUsersAndRoles, firstTs, lastTs}.
 */
async function mergeOplog({ base, slices, after, limit, gzipOut }, out) {
  const file = fs.createWriteStream(out, { mode: 0o600 });
  const sink = gzipOut ? zlib.createGzip() : file;
  const done = new Promise((resolve, reject) => {
    file.on("finish", resolve);
    file.on("error", reject);
    if (gzipOut) sink.on("error", reject);
  });
  if (gzipOut) sink.pipe(file);
  // Backpressure: wait for the sink to drain when its buffer is full, so memory stays bounded.
  const write = async (doc) => {
    if (!sink.write(doc)) await new Promise((resolve) => sink.once("drain", resolve));
  };
  const result = { entries: 0, fromBase: 0, fromSlices: 0, skippedAtOrBeforeBase: 0, skippedAtOrAfterLimit: 0, skippedUsersAndRoles: 0, firstTs: null, lastTs: null };
  let failed = null;
  try {
    const sources = [{ ...base, source: "base" }, ...slices.map((s) => ({ ...s, source: "slice" }))];
    for (const src of sources) {
      for await (const doc of documents(src.path, src.gzip)) {
        const fields = topLevelFields(doc);
        const { ts } = fields;
        if (!ts) throw new Error(`${src.path}: an oplog entry has no timestamp field \`ts\``);
        if (!keepEntry(ts, src.source, after, limit)) {
          if (limit && cmp(ts, limit) >= 0) result.skippedAtOrAfterLimit += 1;
          else result.skippedAtOrBeforeBase += 1;
          continue;
        }
        if (src.source === "base" && cmp(ts, after) > 0) throw new Error(`${src.path}: the base dump's oplog holds ${ts.t}:${ts.i}, after its lastTs ${after.t}:${after.i}: the manifest does not describe this dump`);
        if (result.lastTs && cmp(ts, result.lastTs) <= 0)
          throw new Error(`${src.path}: entry ${ts.t}:${ts.i} is not after ${result.lastTs.t}:${result.lastTs.i}: the merged oplog would be out of order`);
        if (!result.firstTs) result.firstTs = ts;
        result.lastTs = ts;
        if (isAuthzEntry(doc, fields)) {
          result.skippedUsersAndRoles += 1;
          continue;
        }
        await write(doc);
        result.entries += 1;
        if (src.source === "base") result.fromBase += 1;
        else result.fromSlices += 1;
      }
    }
  } catch (err) {
    failed = err;
  }
  sink.end();
  try {
    await done;
  } catch (err) {
    failed = failed || err;
  }
  if (failed) {
    fs.rmSync(out, { force: true });
    throw failed;
  }
  return result;
}

module.exports = { isAuthzEntry, keepEntry, mergeOplog };
