// The stand-in for verify.sh's throwaway mongod (test/bats/backup/scratch-mongod.ts) closes the
// localhost exception as mongod does: once any user OR role document exists
// (AuthzManagerExternalStateLocal::hasAnyPrivilegeDocuments, src/mongo/db/auth/
// authz_manager_external_state_local.cpp: admin.system.users, then admin.system.roles).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { authorize, ServerError } from "../support/mongod-authz";
import { scratchServer } from "../bats/backup/scratch-mongod";

let work: string;
let saved: string | undefined;
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), "scratch-mongod-"));
  saved = process.env.STANDIN_LOG;
  process.env.STANDIN_LOG = work;
  mkdirSync(join(work, "db"));
  writeFileSync(join(work, "scratch-mongod.json"), JSON.stringify({ dbpath: join(work, "db"), authorization: true, bindIp: "127.0.0.1", compressors: "snappy,zstd" }));
});
afterEach(() => {
  process.env.STANDIN_LOG = saved;
  rmSync(work, { recursive: true, force: true });
});

const state = (users: object, customRoles: object[]) => writeFileSync(join(work, "db", "standin-users.json"), JSON.stringify({ users, customRoles }));
const createUser = { createUser: "x", pwd: "p", roles: [{ role: "userAdminAnyDatabase", db: "admin" }], $db: "admin" };

describe("scratch mongod stand-in: the localhost exception", () => {
  it("holds while no user and no role exists", () => {
    state({}, []);
    const { server, fromLocalhost } = scratchServer();
    expect(() => authorize(server, { fromLocalhost }, createUser)).not.toThrow();
  });

  it("closes once a role exists, without any user (roles count as privilege documents)", () => {
    state({}, [{ role: "r", db: "admin", privileges: [], roles: [] }]);
    const { server, fromLocalhost } = scratchServer();
    expect(server.hasUsers).toBe(true);
    expect(() => authorize(server, { fromLocalhost }, createUser)).toThrow(ServerError);
  });
});
