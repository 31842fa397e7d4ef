// Deletes results older than the retention window, in bounded batches, keeping those a change
// point refers to. Runs as `mongosh --nodb --quiet --file retention.js` in the retention CronJob.
// The decisions (retentionSteps and the functions it calls) are prepended to this file at synth
// time from migrations/retention/retention-steps.ts, with RETENTION_PARAMS_FILE: see
// retention-script.ts. This part only does the I/O.
/* global RETENTION_PARAMS_FILE, retentionSteps, driveSync */

const { readFileSync } = require("fs");

function readSecretFile(path) {
  return readFileSync(path, "utf8").replace(/\r?\n$/, "");
}

const params = JSON.parse(readFileSync(RETENTION_PARAMS_FILE, "utf8"));
const conn = connect(params.uri);
conn.getSiblingDB("admin").auth(readSecretFile(params.usernameFile), readSecretFile(params.passwordFile));
const database = conn.getSiblingDB(params.database);

function perform(request) {
  switch (request.kind) {
    case "find": {
      let cursor = database.getCollection(request.collection).find(request.filter, request.projection);
      if (request.sort) cursor = cursor.sort(request.sort);
      if (request.limit) cursor = cursor.limit(request.limit);
      return cursor.toArray();
    }
    case "deleteMany":
      return database.getCollection(request.collection).deleteMany(request.filter).deletedCount;
    case "progress":
      print(JSON.stringify(request.report));
      return undefined;
    case "pause":
      sleep(request.ms);
      return undefined;
    default:
      throw new Error(`unknown retention request: ${request.kind}`);
  }
}

const nowSeconds = params.nowSeconds === undefined ? Math.floor(Date.now() / 1000) : params.nowSeconds;
print(JSON.stringify({ start: true, database: params.database, resultsDays: params.resultsDays, batchSize: params.batchSize, dryRun: params.dryRun, nowSeconds }));
const totals = driveSync(
  retentionSteps({ resultsDays: params.resultsDays, batchSize: params.batchSize, pauseMs: params.pauseMs, dryRun: params.dryRun, nowSeconds }),
  perform,
);
print(JSON.stringify({ done: true, ...totals }));
