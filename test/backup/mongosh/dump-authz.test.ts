// The dump's users and roles, set aside before the one mongorestore call (backup/mongosh/dump-authz.js):
// mongorestore then has no users or roles intent and never runs _mergeAuthzCollections.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { serialize } from "bson";
import { archivedAuthz, authzMergeRefusal, dumpedRoles, dumpedUsers, dumpNamespaces } from "../../support/mongorestore-rules";

const { setAsideAuthz, usersFileOf, usersInFile } = require("../../../backup/mongosh/dump-authz.js");
const { DUMP_USERS, archive, userDocument } = require("./fixtures/artifact-builder.js");

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

// The stand-ins' rule for what the merge does to the restoring user (mongorestore-rules.ts
// authzMergeRefusal), held to the source: mongorestore merges users OR roles whenever it finds
// either file (mongo-tools 100.18.0 metadata.go ShouldRestoreUsersAndRoles, RestoreUsersOrRoles),
// and with drop the server removes every role the dump does not hold (user_management_commands.cpp
// r8.0 _processRoles), so setting only the users aside is not enough.
describe("authzMergeRefusal: a roles file alone is merged too", () => {
  const argv = (dir: string) => [`--dir=${dir}`, "--gzip", "--oplogReplay", "--oplogFile=x", "--oplogLimit=1:0", "--stopOnError", "--drop"];
  const role = (name: string) => serialize({ _id: `admin.${name}`, role: name, db: "admin", privileges: [], roles: [] });
  const user = "restore-0123456789abcdef@admin";

  it("with drop, a dump whose roles lack the restore user's nyrkioRestore removes it before the replay: the first applyOps is refused", () => {
    const dir = dump({ "admin/system.roles.bson.gz": gzipSync(role("nyrkioApp")) });
    expect(dumpedRoles(dir, true)).toEqual(["nyrkioApp@admin"]);
    expect(authzMergeRefusal(argv(dir), user)).toMatch(/applyOps: \(Unauthorized\) not authorized on admin/);
    // Without --drop the merge only adds and updates (drop: false): nothing is removed.
    expect(authzMergeRefusal(argv(dir).filter((a) => a !== "--drop"), user)).toBeUndefined();
  });

  it("a dump whose roles hold nyrkioRestore keeps it; set aside (dump-authz.js), there is nothing to merge", () => {
    const kept = dump({ "admin/system.roles.bson.gz": gzipSync(Buffer.concat([role("nyrkioApp"), role("nyrkioRestore")])) });
    expect(authzMergeRefusal(argv(kept), user)).toBeUndefined();
    const dir = join(work, "second");
    mkdirSync(join(dir, "admin"), { recursive: true });
    writeFileSync(join(dir, "admin", "system.roles.bson.gz"), gzipSync(role("nyrkioApp")));
    setAsideAuthz(dir, join(work, "aside2"));
    expect(authzMergeRefusal(argv(dir), user)).toBeUndefined();
  });

  it("with --gzip mongorestore reads only <coll>.bson.gz (filepath.go getInfoFromFile): a plain system.users.bson is skipped, not merged", () => {
    const dir = dump({ "admin/system.users.bson": Buffer.concat(DUMP_USERS.map(userDocument)) });
    expect(dumpedUsers(dir, true)).toBeUndefined();
    expect(dumpedUsers(dir, false)).toEqual(["nyrkio-root@admin", "app@admin", "mallory@admin"]);
    expect(authzMergeRefusal(argv(dir), user)).toBeUndefined();
    expect(authzMergeRefusal(argv(dir).filter((a) => a !== "--gzip"), user)).toMatch(/requires authentication/);
  });
});

// What the stand-ins restore as collections from a dump directory, held to mongorestore's own
// rules (mongorestore-rules.ts dumpNamespaces): after the set-aside, admin/ holds only
// system.version, which is never restored; admin's other collections are data and are restored.
describe("dumpNamespaces: what mongorestore queues as collections", () => {
  it("after the set-aside nothing of admin is restored but its ordinary collections; --gzip reads only .bson.gz", () => {
    const dir = dump({
      "admin/system.users.bson.gz": gzipSync(Buffer.concat(DUMP_USERS.map(userDocument))),
      "admin/system.roles.bson.gz": gzipSync(Buffer.alloc(0)),
      "admin/system.version.bson.gz": gzipSync(Buffer.alloc(0)),
      "admin/system.version.metadata.json.gz": gzipSync("{}"),
      "admin/appdata.bson.gz": gzipSync(Buffer.alloc(0)),
      "nyrkio/results.bson.gz": gzipSync(Buffer.alloc(0)),
      "nyrkio/system.profile.bson.gz": gzipSync(Buffer.alloc(0)),
      "nyrkio/a%2Fb.bson.gz": gzipSync(Buffer.alloc(0)),
      "nyrkio/plain.bson": Buffer.alloc(0),
    });
    setAsideAuthz(dir, join(work, "aside"));
    expect(dumpNamespaces(dir, true)).toEqual([["admin", "appdata"], ["nyrkio", "a/b"], ["nyrkio", "results"]]);
    expect(dumpNamespaces(dir, false)).toEqual([["nyrkio", "plain"]]);
  });
});

// A schemaVersion 1 base is an --archive: its users cannot be set aside, so mongorestore merges
// them (the prelude lists admin.system.users: filepath.go CreateIntentsForDB, a special-collection
// cache as the intent's file), and with --drop the temporary user is gone before the replay. The
// planner refuses that combination (an archive base takes no drop); the stand-ins must fail it as
// the server would, not pass it.
describe("authzMergeRefusal: archives", () => {
  const MAGIC = Buffer.from([0x6d, 0xe2, 0x99, 0x81]);
  const END = Buffer.from([0xff, 0xff, 0xff, 0xff]);
  const head = (db: string, collection: string, EOF: boolean) => serialize({ db, collection, EOF, CRC: 0 });
  function usersArchive(): string {
    const file = join(work, "users.archive.gz");
    const parts = [
      MAGIC,
      serialize({ concurrent_collections: 4, version: "0.1", server_version: "8.0.12", tool_version: "100.18.0" }),
      serialize({ db: "admin", collection: "system.users", metadata: "{}", size: 100, type: "collection" }),
      END,
      head("admin", "system.users", false),
      ...DUMP_USERS.map(userDocument),
      END,
      head("admin", "system.users", true),
      END,
    ];
    writeFileSync(file, gzipSync(Buffer.concat(parts)));
    return file;
  }
  const argv = (file: string, drop: boolean) => [`--archive=${file}`, "--gzip", "--oplogReplay", "--oplogLimit=1:0", "--stopOnError", ...(drop ? ["--drop"] : [])];

  it("an archive holding users, with --drop: the temporary user is removed before the replay; without --drop it is kept", () => {
    const file = usersArchive();
    expect(archivedAuthz(file)).toEqual({ users: ["nyrkio-root@admin", "app@admin", "mallory@admin"] });
    expect(authzMergeRefusal(argv(file, true), "restore-0123456789abcdef@admin")).toMatch(/requires authentication/);
    expect(authzMergeRefusal(argv(file, false), "restore-0123456789abcdef@admin")).toBeUndefined();
  });

  it("an archive without users or roles merges nothing", () => {
    const file = join(work, "plain.archive.gz");
    writeFileSync(file, gzipSync(archive(["1:1"])));
    expect(archivedAuthz(file)).toEqual({});
    expect(authzMergeRefusal(argv(file, true), "restore-0123456789abcdef@admin")).toBeUndefined();
  });
});
