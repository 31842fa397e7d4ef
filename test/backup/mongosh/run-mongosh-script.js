#!/usr/bin/env node
// Runs a `mongosh --nodb` script under plain Node, as mongosh would: print(), quit(), require()
// of Node modules, and a promise that the file's last statement returns is awaited. Like mongosh,
// it refuses a top-level `await` (mongosh reads a file as a script, not a module). For tests
// only: the scripts that open a connection are stood in for, never run here.
"use strict";

const fs = require("fs");
const path = require("path");

const vm = require("vm");

const file = path.resolve(process.argv[2]);
try {
  new vm.Script(fs.readFileSync(file, "utf8"), { filename: file });
} catch (err) {
  console.error(`${err.name}: ${err.message}`);
  process.exit(1);
}
const AsyncFunction = (async () => {}).constructor;
const body = new AsyncFunction("require", "print", "quit", "__dirname", "__filename", fs.readFileSync(file, "utf8"));
body(
  require,
  (...args) => console.log(...args),
  (code = 0) => process.exit(code),
  path.dirname(file),
  file,
).catch((err) => {
  console.error(`${err.name}: ${err.message}`);
  process.exit(1);
});
