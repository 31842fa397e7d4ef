// The dump's users and roles, set aside before the one mongorestore call (backup/mongosh/dump-authz.js):
// mongorestore then has no users or roles intent and never runs _mergeAuthzCollections.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { dumpedUsers } from "../../support/mongorestore-rules";

const { setAsideAuthz, usersFileOf, usersInFile } = require("../../../backup/mongosh/dump-authz.js");
const { DUMP_USERS, userDocument } = require("./fixtures/artifact-builder.js");

let work: string;
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), "dump-authz-"));
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

function dump(files: Record<string, Buffer>): string {
  const dir = join(work, "dump");
  mkdirSync(join(dir, "admin"), { recursive: true });
  mkdirSync(join(dir, "nyrkio"), { recursive: true });
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), bytes);
  return dir;
}

describe("setAsideAuthz", () => {
  it("moves admin/system.users.* and system.roles.* (bson and metadata, gzipped or not) out of the dump, and nothing else", () => {
    const dir = dump({
      "admin/system.users.bson.gz": gzipSync(Buffer.concat(DUMP_USERS.map(userDocument))),
      "admin/system.users.metadata.json.gz": gzipSync("{}"),
      "admin/system.roles.bson": Buffer.alloc(0),
      "admin/system.roles.metadata.json": Buffer.from("{}"),
      "admin/system.version.bson.gz": gzipSync(Buffer.alloc(0)),
      "admin/appdata.bson.gz": gzipSync(Buffer.alloc(0)),
      "nyrkio/system.users.bson.gz": gzipSync(Buffer.alloc(0)),
    });
    expect(dumpedUsers(dir)).toEqual(["nyrkio-root@admin", "app@admin", "mallory@admin"]);
    const aside = join(work, "aside");
    const moved = setAsideAuthz(dir, aside);
    expect(moved).toEqual(["system.roles.bson", "system.roles.metadata.json", "system.users.bson.gz", "system.users.metadata.json.gz"]);
    expect(readdirSync(join(dir, "admin")).sort()).toEqual(["appdata.bson.gz", "system.version.bson.gz"]);
    expect(existsSync(join(dir, "nyrkio", "system.users.bson.gz"))).toBe(true);
    // What the stand-in (and mongorestore's intents) now see: no users to merge.
    expect(dumpedUsers(dir)).toBeUndefined();
    expect(statSync(aside).mode & 0o777).toBe(0o700);
    expect(usersInFile(usersFileOf(aside, moved))).toEqual(DUMP_USERS);
  });

  it("a dump without users or an admin directory: nothing moved, no users file", () => {
    const dir = join(work, "empty");
    mkdirSync(dir);
    const moved = setAsideAuthz(dir, join(work, "aside"));
    expect(moved).toEqual([]);
    expect(usersFileOf(join(work, "aside"), moved)).toBeUndefined();
  });

  it("a truncated users file is an error, never a partial list", () => {
    const dir = dump({ "admin/system.users.bson": Buffer.concat(DUMP_USERS.map(userDocument)).subarray(0, 100) });
    const moved = setAsideAuthz(dir, join(work, "aside"));
    expect(() => usersInFile(usersFileOf(join(work, "aside"), moved))).toThrow(/corrupt|truncated/);
  });
});
