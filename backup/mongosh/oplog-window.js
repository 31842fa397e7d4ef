// The oplog window of a backup artifact, read from the artifact itself: the first and last `ts`
// of the oplog entries it holds and how many there are. A Node.js module (mongosh scripts load it
// with require(), which runs it as plain Node), streaming, so a large dump is never held in memory.
//
// Why read the artifact: `mongodump --oplog` picks the end of its oplog window internally (the
// newest entry after the collections are copied); a value read from the server before or after
// the dump is only a bound. A manifest must hold the exact end: too early and a restore target
// inside the dump's fuzzy window is accepted; too late and a slice boundary can fall in between
// and a restore silently misses the entries there.
//
// Two formats:
//   archive  `mongodump --archive --gzip`: magic number, then blocks of (header document, body
//            documents, 0xFFFFFFFF terminator). The first block is the prelude; the oplog's blocks
//            have the header {db: "", collection: "oplog"} (mongo-tools common/archive/spec.md).
//   bson     a plain stream of BSON documents (`mongodump -d local -c oplog.rs --out -`), gzipped.

"use strict";
/* global Buffer */

const fs = require("fs");
const zlib = require("zlib");

const ARCHIVE_MAGIC = 0x8199e26d;
const TERMINATOR = -1; // 0xFFFFFFFF read as a signed int32
const MIN_BSON = 5;
const MAX_BSON = 16 * 1024 * 1024 + 16 * 1024; // the server's maximum plus the tools' slack

/** Size in bytes of a BSON element's value of `type` starting at `pos`. */
function valueSize(buf, type, pos) {
  switch (type) {
    case 0x01: // double
    case 0x09: // UTC datetime
    case 0x11: // timestamp
    case 0x12: // int64
      return 8;
    case 0x02: // string
    case 0x0d: // JavaScript code
    case 0x0e: // symbol
      return 4 + buf.readInt32LE(pos);
    case 0x03: // document
    case 0x04: // array
    case 0x0f: // code with scope
      return buf.readInt32LE(pos);
    case 0x05: // binary
      return 4 + 1 + buf.readInt32LE(pos);
    case 0x06: // undefined
    case 0x0a: // null
    case 0x7f: // max key
    case 0xff: // min key
      return 0;
    case 0x07: // ObjectId
      return 12;
    case 0x08: // boolean
      return 1;
    case 0x0b: {
      // regex: two C strings
      const first = buf.indexOf(0, pos);
      return buf.indexOf(0, first + 1) + 1 - pos;
    }
    case 0x0c: // DBPointer
      return 4 + buf.readInt32LE(pos) + 12;
    case 0x10: // int32
      return 4;
    case 0x13: // decimal128
      return 16;
    default:
      throw new Error(`unknown BSON element type 0x${type.toString(16)} at byte ${pos}`);
  }
}

/**
 * Walks the fields of one BSON document (or array value) in order: visit(type, nameStart, nameEnd,
 * at, size) for each, until it returns true (then -1); else the position after the last field.
 * The one walker under topLevelFields, topLevelField and arrayDocuments.
 */
function walkFields(doc, visit) {
  let pos = 4;
  const end = doc.length - 1;
  while (pos < end) {
    const type = doc[pos];
    const nameEnd = doc.indexOf(0, pos + 1);
    if (nameEnd < 0 || nameEnd >= end) throw new Error("corrupt BSON document: unterminated field name");
    const at = nameEnd + 1;
    const size = valueSize(doc, type, at);
    if (visit(type, pos + 1, nameEnd, at, size)) return -1;
    pos = at + size;
  }
  return pos;
}

/**
 * The top-level fields of one BSON document that are strings, booleans, timestamps or integers
 * (enough for archive headers and an oplog entry's `ts` and term `t`); other fields are skipped.
 */
function topLevelFields(doc) {
  const fields = {};
  const last = walkFields(doc, (type, nameStart, nameEnd, at) => {
    const name = doc.toString("utf8", nameStart, nameEnd);
    if (type === 0x02) fields[name] = doc.toString("utf8", at + 4, at + 4 + doc.readInt32LE(at) - 1);
    else if (type === 0x08) fields[name] = doc[at] === 1;
    else if (type === 0x11) fields[name] = { t: doc.readUInt32LE(at + 4), i: doc.readUInt32LE(at) };
    // An oplog entry's term `t` is a long (src/mongo/db/repl/oplog_entry.idl, OpTimeBase); int32 accepted too.
    else if (type === 0x12) fields[name] = Number(doc.readBigInt64LE(at));
    else if (type === 0x10) fields[name] = doc.readInt32LE(at);
    return false;
  });
  if (last !== doc.length - 1) throw new Error("corrupt BSON document: fields overrun the document");
  return fields;
}

/** The value of top-level field `name` of a BSON document (its type and bytes), or undefined. */
function topLevelField(doc, name) {
  let found;
  walkFields(doc, (type, nameStart, nameEnd, at, size) => {
    if (doc.toString("utf8", nameStart, nameEnd) !== name) return false;
    found = { type, value: doc.subarray(at, at + size) };
    return true;
  });
  return found;
}

/** The elements of a BSON array value (the bytes topLevelField returns for type 4) that are documents. */
function arrayDocuments(array) {
  const out = [];
  walkFields(array, (type, nameStart, nameEnd, at, size) => {
    if (type === 0x03) out.push(array.subarray(at, at + size));
    return false;
  });
  return out;
}

/**
 * Splits a byte stream into BSON documents and archive terminators. Calls `onDocument(buf)` for
 * each document and `onTerminator()` for each 0xFFFFFFFF; `skipMagic` first checks and drops an
 * archive's 4-byte magic number.
 */
async function scanStream(stream, { skipMagic, onDocument, onTerminator }) {
  let pending = Buffer.alloc(0);
  let magicSeen = !skipMagic;
  for await (const chunk of stream) {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    let pos = 0;
    if (!magicSeen) {
      if (pending.length < 4) continue;
      if (pending.readUInt32LE(0) !== ARCHIVE_MAGIC) throw new Error("not a mongodump archive (bad magic number)");
      magicSeen = true;
      pos = 4;
    }
    while (pending.length - pos >= 4) {
      const size = pending.readInt32LE(pos);
      if (size === TERMINATOR) {
        if (!onTerminator) throw new Error("unexpected archive terminator in a BSON stream");
        onTerminator();
        pos += 4;
        continue;
      }
      if (size < MIN_BSON || size > MAX_BSON) throw new Error(`corrupt stream: ${size} is not a BSON document length`);
      if (pending.length - pos < size) break;
      const doc = pending.subarray(pos, pos + size);
      if (doc[size - 1] !== 0) throw new Error("corrupt stream: BSON document does not end with a null byte");
      onDocument(doc);
      pos += size;
    }
    pending = pending.subarray(pos);
  }
  if (!magicSeen) throw new Error("not a mongodump archive (shorter than its magic number)");
  if (pending.length) throw new Error(`truncated stream: ${pending.length} trailing bytes do not form a document`);
}

function windowTracker() {
  // lastTerm: the term (`t`) of the last entry, which decides whether a full dump's end is
  // majority-committed (backup/majority.ts); null when the entry has none.
  const w = { firstTs: null, lastTs: null, lastTerm: null, entries: 0 };
  return {
    window: w,
    add(doc) {
      const { ts, t } = topLevelFields(doc);
      if (!ts) throw new Error("an oplog entry has no timestamp field `ts`");
      if (w.lastTs && (ts.t < w.lastTs.t || (ts.t === w.lastTs.t && ts.i <= w.lastTs.i)))
        throw new Error(`oplog entries out of order: ${ts.t}:${ts.i} after ${w.lastTs.t}:${w.lastTs.i}`);
      if (!w.firstTs) w.firstTs = ts;
      w.lastTs = ts;
      w.lastTerm = Number.isInteger(t) ? t : null;
      w.entries += 1;
    },
  };
}

function open(path, gzip) {
  const file = fs.createReadStream(path);
  return gzip ? file.pipe(zlib.createGunzip()) : file;
}

/** The oplog window of a `mongodump --oplog --archive` file (gzip when `gzip`). */
async function archiveOplogWindow(path, { gzip = true } = {}) {
  const tracker = windowTracker();
  let state = "prelude"; // prelude | header | body
  let inOplog = false;
  let oplogBlocks = 0;
  await scanStream(open(path, gzip), {
    skipMagic: true,
    onDocument(doc) {
      if (state === "prelude" || (state === "body" && !inOplog)) return;
      if (state === "header") {
        const h = topLevelFields(doc);
        inOplog = h.db === "" && h.collection === "oplog" && h.EOF !== true;
        if (inOplog) oplogBlocks += 1;
        state = "body";
        return;
      }
      tracker.add(doc);
    },
    onTerminator() {
      state = "header";
      inOplog = false;
    },
  });
  if (oplogBlocks === 0 || tracker.window.entries === 0)
    throw new Error("the archive holds no oplog: was it made with mongodump --oplog?");
  return tracker.window;
}

/** The window of a plain BSON stream of oplog entries (gzip when `gzip`); entries 0 when empty. */
async function bsonOplogWindow(path, { gzip = true } = {}) {
  const tracker = windowTracker();
  await scanStream(open(path, gzip), { skipMagic: false, onDocument: (doc) => tracker.add(doc) });
  return tracker.window;
}

module.exports = { archiveOplogWindow, arrayDocuments, bsonOplogWindow, topLevelField, topLevelFields };
