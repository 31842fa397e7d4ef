#!/usr/bin/env node
// Runs a `mongosh --nodb` script under plain Node, as mongosh would: top-level await (the body
// runs as an async function), print(), quit(), require() of Node modules. For tests only: the
// scripts that open a connection are stood in for, never run here.
"use strict";

const fs = require("fs");
const path = require("path");

const file = path.resolve(process.argv[2]);
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
