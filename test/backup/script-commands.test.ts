// The commands the bats mongosh stand-in authorizes for each backup script (test/bats/backup/
// script-commands.ts) are the ones the script's source sends: every runCommand in the script is
// listed, every listed command has its call in the script, and the Secret it logs in with is the
// one the script reads. A script that starts sending something new fails here until the list
// (and so the authorization check) follows.

import { readFileSync } from "node:fs";
import { SCRIPT_COMMANDS } from "../bats/backup/script-commands";

/** How each command appears in a mongosh script's source. */
const CALLS: Record<string, RegExp> = {
  hello: /runCommand\(\{ hello: 1 \}\)/,
  replSetGetConfig: /runCommand\(\{ replSetGetConfig: 1 \}\)/,
  listDatabases: /runCommand\(\{ listDatabases: 1/,
  listCollections: /getCollectionInfos\(/,
  find: /\.(find|findOne)\(/,
  aggregate: /aggregate: name|\.countDocuments\(/,
  usersInfo: /runCommand\(\{ usersInfo: \{ forAllDBs: true \} \}\)/,
  dropUser: /runCommand\(\{ dropUser: user \}\)/,
};

describe("the backup scripts' server commands, as the bats stand-in authorizes them", () => {
  it.each(Object.entries(SCRIPT_COMMANDS))("%s", (script, spec) => {
    const source = readFileSync(`backup/mongosh/${script}`, "utf8");
    const connection = source.includes("connectMember(")
      ? readFileSync("backup/mongosh/member-connection.js", "utf8")
      : source.includes("connectTarget(")
        ? readFileSync("backup/mongosh/target-connection.js", "utf8")
        : source;
    const listed = spec.commands.map((c) => Object.keys(c)[0]);
    for (const name of listed) expect([name, CALLS[name]?.test(source)]).toEqual([name, true]);
    const sent = [...source.matchAll(/runCommand\(\{\s*(\w+):/g)].map((m) => m[1]);
    for (const name of sent) expect(listed).toContain(name);
    if (spec.userDirEnv) expect(connection).toContain(`process.env.${spec.userDirEnv}`);
    if (spec.uriEnv) expect(source).toContain(`process.env.${spec.uriEnv}`);
    if (spec.noConnectionWhenEnv) expect(source).toContain(`if (process.env.${spec.noConnectionWhenEnv}) {`);
  });

  it("covers every script that opens a connection", () => {
    const connecting = ["source-facts.js", "confirm-dumps.js", "snapshot-counts.js", "target-facts.js", "restored-users.js", "drop-restore-user.js", "compare-counts.js"];
    for (const script of connecting) expect(readFileSync(`backup/mongosh/${script}`, "utf8")).toMatch(/new Mongo\(|connectMember\(|connectTarget\(/);
    expect(Object.keys(SCRIPT_COMMANDS).sort()).toEqual(connecting.sort());
  });
});
