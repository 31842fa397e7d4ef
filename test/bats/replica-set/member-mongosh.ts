// What the bats stand-in mongosh (bin/mongosh) runs once mongod "answers": the real script from
// stacks/scripts/mongosh/ (or the --eval expression of a ping), as mongosh would, against a
// stand-in member with mongod's authorization model (test/stacks/member-stand-in.ts and
// test/support/mongod-authz.ts). The member's state lives in a JSON file between calls, so a
// bootstrap's steps see what the previous ones did. Bundled with esbuild by helpers.bash.
//   node member-mongosh.js <state.json> <mongosh argv...>
// State: { hello: "NOT_INITIATED" | "SECONDARY" | "PRIMARY", users: MemberUser[],
//          initiateFailures?: number, electionPolls?: number }
//   initiateFailures  replSetInitiate answers NodeNotFound this many times (a member not up yet)
//   electionPolls     after the initiate, hello reports SECONDARY this many times before PRIMARY

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import vm from "node:vm";
import { CustomRole, ServerError } from "../../support/mongod-authz";
import { MemberUser, StandInMember } from "../../stacks/member-stand-in";
import { runMongoshFile, serverError } from "../../stacks/mongosh-sandbox";

type Doc = Record<string, unknown>;
type HelloState = "NOT_INITIATED" | "SECONDARY" | "PRIMARY";
interface State {
  hello: HelloState;
  users: MemberUser[];
  /** Roles defined on the server (the rotator's nyrkioCertRotation, say). */
  customRoles?: CustomRole[];
  /** How many rotateCertificates the member has run. */
  rotations?: number;
  /** An arbiter (no users: its localhost exception never closes), its tlsMode, and replSetGetStatus's members. */
  arbiter?: boolean;
  tlsMode?: string;
  statusMembers?: Doc[];
  /** How many shutdowns the member has run. */
  shutdowns?: number;
  initiateFailures?: number;
  electionPolls?: number;
}

const HELLO: Record<HelloState, Doc> = {
  // hello of a member without a config (src/mongo/db/repl/replication_info.cpp).
  NOT_INITIATED: { isWritablePrimary: false, secondary: false, info: "Does not have a valid replica set config", isreplicaset: true, ok: 1 },
  SECONDARY: { setName: "rs0", isWritablePrimary: false, secondary: true, ok: 1 },
  PRIMARY: { setName: "rs0", isWritablePrimary: true, secondary: false, ok: 1 },
};

const [stateFile, ...argv] = process.argv.slice(2);
const state = JSON.parse(readFileSync(stateFile, "utf8")) as State;
const uri = argv.find((a) => a.startsWith("mongodb://")) ?? "";
// The pod's scripts connect to 127.0.0.1: the localhost exception applies to them.
const fromLocalhost = /^mongodb:\/\/(127\.0\.0\.1|localhost)[:/]/.test(uri);

const member = new StandInMember({
  hello: () => {
    if (state.hello === "SECONDARY" && state.electionPolls !== undefined) {
      if (state.electionPolls <= 0) state.hello = "PRIMARY";
      else state.electionPolls--;
    }
    return { ...HELLO[state.hello] };
  },
  users: state.users,
  customRoles: state.customRoles,
  arbiter: state.arbiter,
  tlsMode: state.tlsMode,
  statusMembers: state.statusMembers,
  onShutdown: () => {
    state.shutdowns = (state.shutdowns ?? 0) + 1;
  },
  onRotateCertificates: () => {
    state.rotations = (state.rotations ?? 0) + 1;
  },
  initiate: () => {
    if ((state.initiateFailures ?? 0) > 0) {
      state.initiateFailures!--;
      throw serverError(74, "NodeNotFound", "replSetInitiate quorum check failed because not all proposed set members responded affirmatively");
    }
    // The member elects itself at once, or after electionPolls hellos as SECONDARY.
    state.hello = (state.electionPolls ?? 0) > 0 ? "SECONDARY" : "PRIMARY";
    return { ok: 1 };
  },
});

function finish(code: number, output: string[]): never {
  state.users = member.users;
  writeFileSync(stateFile, JSON.stringify(state));
  for (const line of output) console.log(line);
  process.exit(code);
}

const fileArg = argv.indexOf("--file");
if (fileArg >= 0) {
  const { db, rs } = member.connect((produce) => produce(), fromLocalhost);
  // Peers (initiate.js asks the other members) cannot be reached from a bats test.
  class Mongo {
    constructor(peer: string) {
      throw serverError(6, "HostUnreachable", `connect ECONNREFUSED ${peer}`);
    }
  }
  const script = argv[fileArg + 1];
  const files: Record<string, string> = {};
  for (const name of ["REPLICASET_CONFIG", "TLS_MODE_FILE"]) if (process.env[name]) files[process.env[name]!] = readFileSync(process.env[name]!, "utf8");
  // The bootstrap Secret's volume is optional (stacks/constructs/data-members.ts): its files may be absent.
  for (const secretDir of [process.env.BOOTSTRAP_SECRET_DIR, process.env.TLS_ROTATOR_SECRET_DIR])
    if (secretDir) for (const key of ["username", "password"]) if (existsSync(`${secretDir}/${key}`)) files[`${secretDir}/${key}`] = readFileSync(`${secretDir}/${key}`, "utf8");
  const run = runMongoshFile(script, () => ({ db, rs, Mongo, env: process.env as Record<string, string>, files }));
  if (run.error) run.output.push(`${(run.error as ServerError).codeName ?? "Error"}: ${(run.error as Error).message}`);
  finish(run.exitCode, run.output);
}

const evalArg = argv.indexOf("--eval");
if (evalArg >= 0) {
  const { db } = member.connect((produce) => produce(), fromLocalhost);
  try {
    // quit(code) ends mongosh with that exit code (mongosh's shell API, ShellApi.quit).
    const value = vm.runInNewContext(argv[evalArg + 1], { db, quit: (code = 0) => finish(Number(code), []) }) as unknown;
    finish(0, [String(value)]);
  } catch (err) {
    finish(1, [`${(err as ServerError).codeName ?? "Error"}: ${(err as Error).message}`]);
  }
}
finish(2, [`member-mongosh: neither --file nor --eval in ${argv.join(" ")}`]);
