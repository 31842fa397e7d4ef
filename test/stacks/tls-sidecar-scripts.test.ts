// mongosh/rotate-certificates.js (the TLS sidecar's one command) against a stand-in member with
// mongod's authorization: plainly and under mongosh's async rewriter (every reply a promise, as in
// the pod). Only the rotator's role (rotateCertificates on the cluster) lets it through.
import { rotationRole } from "../../replicaset/users";
import type { CustomRole } from "../support/mongod-authz";
import { StandInMember } from "./member-stand-in";
import { MongoshAsyncWriter, runMongoshScript, runMongoshScriptRewritten, SandboxGlobals, Reply } from "./mongosh-sandbox";

const DIR = "/etc/nyrkio/secrets/rotator";
const users = [
  { user: "nyrkio-rotator", pwd: "rot-pw", roles: [{ role: "nyrkioCertRotation", db: "admin" }] },
  { user: "nyrkio-app", pwd: "app-pw", roles: [{ role: "readWrite", db: "nyrkio" }] },
];

function setup(user: string, pwd: string) {
  let rotations = 0;
  const member = new StandInMember({ hello: { isWritablePrimary: true, ok: 1 }, users, customRoles: [rotationRole() as CustomRole], onRotateCertificates: () => rotations++ });
  const globals = (reply: Reply): SandboxGlobals => ({
    db: member.connect(reply, true).db,
    env: { TLS_ROTATOR_SECRET_DIR: DIR },
    files: { [`${DIR}/username`]: `${user}\n`, [`${DIR}/password`]: `${pwd}\n` },
  });
  return { globals, rotations: () => rotations, commands: () => member.commands.map((c) => Object.keys(c)[0]) };
}

describe("rotate-certificates.js", () => {
  test("as the rotator: one rotateCertificates, on admin, exit 0", () => {
    const s = setup("nyrkio-rotator", "rot-pw");
    const r = runMongoshScript("rotate-certificates.js", s.globals);
    expect(r.exitCode).toBe(0);
    expect(r.output).toEqual(['{"event":"rotated"}']);
    expect(s.rotations()).toBe(1);
    expect(s.commands()).toEqual(["rotateCertificates"]);
  });

  test("as the application's user: refused by mongod, nothing rotated, exit 1", () => {
    const s = setup("nyrkio-app", "app-pw");
    const r = runMongoshScript("rotate-certificates.js", s.globals);
    expect(r.exitCode).toBe(1);
    expect(s.rotations()).toBe(0);
    expect(JSON.parse(r.output[0])).toMatchObject({ event: "error", message: expect.stringMatching(/not authorized on admin to execute command \{ rotateCertificates/) });
  });

  (MongoshAsyncWriter ? test : test.skip)("under mongosh's async rewriter: the same, each reply awaited", async () => {
    const ok = setup("nyrkio-rotator", "rot-pw");
    const r = await runMongoshScriptRewritten("rotate-certificates.js", ok.globals);
    expect([r.exitCode, ok.rotations()]).toEqual([0, 1]);
    const refused = setup("nyrkio-app", "app-pw");
    const r2 = await runMongoshScriptRewritten("rotate-certificates.js", refused.globals);
    expect([r2.exitCode, refused.rotations()]).toEqual([1, 0]);
  });
});
