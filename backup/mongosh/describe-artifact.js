// Reads an artifact's own oplog window (oplog-window.js) and prints `entries`, `firstTs` and
// `lastTs` (<seconds>:<ordinal>), and `lastTerm` (the term of the last entry) as `key=value` lines. Runs with `mongosh --nodb`.
//   ARTIFACT       the file
//   ARTIFACT_KIND  full (a mongodump --oplog --archive --gzip) or oplog (a gzipped BSON stream)

const { archiveOplogWindow, bsonOplogWindow } = require(`${process.env.BACKUP_MONGOSH_DIR}/oplog-window.js`);

const kind = process.env.ARTIFACT_KIND;
if (kind !== "full" && kind !== "oplog") throw new Error(`ARTIFACT_KIND must be full or oplog, got ${kind}`);
const read = kind === "full" ? archiveOplogWindow : bsonOplogWindow;
// No top-level await: mongosh parses a script file as a script, where `await` outside an async
// function is a SyntaxError. It does wait for the promise the file's last statement evaluates to
// (a rejection fails the run with exit 1), so the read runs in an async function that ends the file.
(async () => {
  const window = await read(process.env.ARTIFACT);
  print(`entries=${window.entries}`);
  if (window.entries > 0) {
    print(`firstTs=${window.firstTs.t}:${window.firstTs.i}`);
    print(`lastTs=${window.lastTs.t}:${window.lastTs.i}`);
    if (window.lastTerm !== null) print(`lastTerm=${window.lastTerm}`);
  }
})();
