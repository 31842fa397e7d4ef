// What the backup stand-ins (bin/mongodump, bin/mongorestore, bin/mongosh) ask of the server
// before they write or replay anything: the connection's authentication and, for each command the
// real tool sends, mongod's authorization (test/support/mongod-authz.ts, every rule cited there).
// Bundled with esbuild once per .bats file by helpers.bash (server_model).
//   node server-model.js users <file> <backup user> <backup pwd> <restore user> <restore pwd>
//       the users the replica set holds, with the roles the reconcile Job gives them
//       (replicaset/users.ts managedUserRoles, customRoles), the application's user "app"
//       (app-pw) and the exporter's "monitor" (monitor-pw)
//   node server-model.js mongodump <argv...>
//   node server-model.js mongorestore <argv...>
//   node server-model.js mongosh <script name>
//   node server-model.js options <mongodump|mongorestore> <argv...>   (only the option names)
//   node server-model.js mongod <argv...>
//       verify.sh's throwaway mongod (bin/mongod): its options, --config file and keyfile checked as
//       mongod checks them, and what it enforces recorded (scratch-mongod.ts)
//   node server-model.js mongosh-script <script>
//       runs a mongosh script that talks to that throwaway mongod (verify-users.js) with a `Mongo`
//       whose every command goes through mongod's authorization, the localhost exception included
// Exit 0: the server would serve every command. Otherwise the tool's own failure: "Failed: <error>"
// and exit 1 (mongo-tools mongodump/main/mongodump.go and mongorestore/main/mongorestore.go:
// log "Failed: %v", os.Exit(util.ExitFailure), ExitFailure = 1), or for mongosh the server's
// error, as mongosh prints an uncaught MongoServerError, and exit 1.
// State read: $STANDIN_USERS (the users file) and, for the throwaway mongod of verify.sh, what
// bin/mongod recorded when it started and the users made on it since (scratch-mongod.ts).

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { deserialize } from "bson";
import type { PlatformConfig } from "../../../config/platform-config";
import { environments } from "../../../config/environments";
import { customRoles, managedUserRoles, restoreUserRoles, type ManagedUser } from "../../../replicaset/users";
import { SCRIPT_COMMANDS } from "./script-commands";
import { unknownToolOption, type Tool } from "../../support/mongo-tools-options";
import { mongodumpRefusal } from "../../support/mongo-tools-flags";
import { authzMergeRefusal, dumpNamespaces, mongorestoreRefusal } from "../../support/mongorestore-rules";
import { authorize, AuthzServer, AuthzSession, CustomRole, ServerError } from "../../support/mongod-authz";
import { applyScratchCommand, checkMongodStart, MongodRefusal, readScratch, scratchServer } from "./scratch-mongod";

type Doc = Record<string, unknown>;
interface UsersFile {
  users: Record<string, { pwd: string; roles: { role: string; db: string }[] }>;
  customRoles: CustomRole[];
}

class ToolFailure extends Error {}
/** go-flags' refusal, printed without "Failed:" (mongodump/main/mongodump.go: "error parsing command line options: %v", exit 1). */
class OptionsFailure extends Error {}

/**
 * What the tool's argv must hold to reach the replica set: only options the tool knows
 * (mongo-tools-options.ts, from mongo-tools 100.18.0), and, when the stand-in set runs with
 * requireTLS ($STANDIN_TLS_CA: the CA its certificates chain to), TLS verified against that CA
 * (--ssl and --sslCAFile, or tls=true&tlsCAFile in --uri: mongo-tools options.go
 * setOptionsFromURI merges the two). A requireTLS mongod closes a plaintext connection, and a
 * certificate from an unknown CA fails the driver's handshake. The throwaway mongod of verify.sh
 * listens on 127.0.0.1 without TLS.
 */
function transport(tool: Tool, argv: string[], opts: Map<string, string>, host: string): void {
  const unknown = unknownToolOption(tool, argv);
  if (unknown) throw new OptionsFailure(unknown);
  const ca = process.env.STANDIN_TLS_CA;
  if (!ca || serverFor(host).fromLocalhost) return;
  const uri = opts.get("uri") ?? "";
  const tls = opts.has("ssl") || /[?&](tls|ssl)=true(&|$)/i.test(uri);
  const caFile = opts.get("sslCAFile") ?? /[?&]tlsCAFile=([^&]*)/i.exec(uri)?.[1];
  const prefix = tool === "mongodump" ? "can't create session: " : "error connecting to host: ";
  if (!tls) throw new ToolFailure(`${prefix}failed to connect to mongodb://${host}/: connection() error occurred during connection handshake: EOF`);
  if (caFile !== ca) throw new ToolFailure(`${prefix}failed to connect to mongodb://${host}/: connection() error occurred during connection handshake: tls: failed to verify certificate: x509: certificate signed by unknown authority`);
}

const [mode, ...args] = process.argv.slice(2);

function writeUsers([file, backupUser, backupPwd, restoreUser, restorePwd]: string[]): void {
  // The shipped dev environment's users and roles, with the database the bats tests use.
  const config: PlatformConfig = { ...environments.dev, database: process.env.BACKUP_DATABASE ?? "nyrkio" };
  const roles = (user: ManagedUser) => managedUserRoles(config, user, "replicaset");
  const users: UsersFile = {
    users: {
      [backupUser]: { pwd: backupPwd, roles: roles("backup") },
      [restoreUser]: { pwd: restorePwd, roles: restoreUserRoles(config, "replicaset") },
      app: { pwd: "app-pw", roles: roles("app") },
      monitor: { pwd: "monitor-pw", roles: roles("monitor") },
    },
    customRoles: customRoles(config, "replicaset") as CustomRole[],
  };
  writeFileSync(file, JSON.stringify(users, null, 2));
}

/** --name=value and --name value options of a tool's argv, the last one winning. */
function options(argv: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("--")) continue;
    const eq = arg.indexOf("=");
    if (eq > 0) out.set(arg.slice(2, eq), arg.slice(eq + 1));
    else out.set(arg.slice(2), argv[i + 1] !== undefined && !argv[i + 1].startsWith("--") ? argv[++i] : "");
  }
  return out;
}

/** The password of a tools --config file: the one `password: '<text>'` line (YAML single quotes: '' is '). */
function configPassword(file: string): string | undefined {
  const line = readFileSync(file, "utf8").split("\n").find((l) => l.startsWith("password:"));
  const m = line?.match(/^password:\s*'((?:[^']|'')*)'\s*$/);
  return m ? m[1].replace(/''/g, "'") : line?.slice("password:".length).trim();
}

/**
 * The server the tool reaches. The replica set's members run with access control (a keyFile
 * implies authorization, https://www.mongodb.com/docs/manual/core/security-internal-authentication/).
 * The throwaway mongod on 127.0.0.1 that verify.sh starts enforces it as bin/mongod recorded it
 * (scratch-mongod.ts: a keyFile, --auth or security.authorization), holds the users made on it
 * since, and grants the localhost exception while it holds none.
 */
function serverFor(host: string): { server: AuthzServer; fromLocalhost: boolean; accessControl: boolean } {
  const users = JSON.parse(readFileSync(process.env.STANDIN_USERS ?? "", "utf8")) as UsersFile;
  const local = /^(127\.0\.0\.1|localhost)(:\d+)?$/.test(host) || /^mongodb:\/\/(127\.0\.0\.1|localhost)[:/]/.test(host);
  if (!local) return { server: { hasUsers: true, arbiter: false, customRoles: users.customRoles }, fromLocalhost: false, accessControl: true };
  return scratchServer();
}

/** SCRAM against admin (where every user lives): AuthenticationFailed (18) for anything else. */
function connect(host: string, user: string | undefined, password: string | undefined, authDb: string): { run: (cmd: Doc) => void } {
  const { fromLocalhost } = serverFor(host);
  const session: AuthzSession = { fromLocalhost };
  if (user !== undefined) {
    const users = fromLocalhost ? readScratch().users : (JSON.parse(readFileSync(process.env.STANDIN_USERS ?? "", "utf8")) as UsersFile).users;
    const known = Object.hasOwn(users, user) ? users[user] : undefined;
    if (!known || known.pwd !== password || authDb !== "admin") throw new ServerError(18, "AuthenticationFailed", "Authentication failed.");
    session.roles = known.roles;
  }
  // The server as it is at each command: a user made meanwhile closes the localhost exception.
  return {
    run: (cmd: Doc) => {
      const { server, accessControl } = serverFor(host);
      if (accessControl) authorize(server, session, cmd);
    },
  };
}

/** The user-defined roles (role@db) a user of the server holds: what a merge with drop can remove (mongorestore-rules.ts authzMergeRefusal). */
function userDefinedRoles(host: string, user: string): string[] {
  const { server, fromLocalhost } = serverFor(host);
  const users = fromLocalhost ? readScratch().users : (JSON.parse(readFileSync(process.env.STANDIN_USERS ?? "", "utf8")) as UsersFile).users;
  const custom = new Set((server.customRoles ?? []).map((r) => `${r.role}@${r.db}`));
  return (Object.hasOwn(users, user) ? users[user].roles : []).map((r) => `${r.role}@${r.db}`).filter((r) => custom.has(r));
}

/** The Go driver's text for a server error: "(CodeName) message" (mongo-driver's CommandError.Error). */
const driverError = (error: unknown) => (error instanceof ServerError ? `(${error.codeName}) ${error.message}` : String(error));

function step(wrap: (err: string) => string, action: () => void): void {
  try {
    action();
  } catch (error) {
    if (!(error instanceof ServerError)) throw error;
    throw new ToolFailure(wrap(driverError(error)));
  }
}

function credentials(opts: Map<string, string>): { host: string; user?: string; password?: string; authDb: string } {
  const config = opts.get("config");
  return {
    host: (opts.get("host") ?? "localhost:27017").replace(/^[^/]+\//, "").split(",")[0],
    user: opts.get("username"),
    password: opts.get("password") ?? (config ? configPassword(config) : undefined),
    authDb: opts.get("authenticationDatabase") ?? opts.get("db") ?? "admin",
  };
}

/**
 * The commands mongodump sends, in its order (mongo-tools mongodump/mongodump.go Init and Dump,
 * oplog_dump.go, prepare.go), each wrapped in the error text that function gives it.
 */
function mongodump(argv: string[]): void {
  // What mongodump refuses before connecting (its options and mongodump.go ValidateOptions).
  const refusal = mongodumpRefusal(argv);
  if (refusal) throw new ToolFailure(refusal.replace(/^Failed: /, ""));
  const opts = options(argv);
  if (opts.has("version") || opts.has("help")) return;
  const { host, user, password, authDb } = credentials(opts);
  transport("mongodump", argv, opts, host);
  let conn: ReturnType<typeof connect> | undefined;
  // Init: db.NewSessionProvider connects and authenticates: "can't create session: ...".
  step((e) => `can't create session: failed to connect to mongodb://${host}/: connection() error occurred during connection handshake: auth error: sasl conversation error: unable to authenticate using mechanism "SCRAM-SHA-256": ${e}`, () => {
    conn = connect(host, user, password, authDb);
  });
  const run = conn!.run;
  const db = opts.get("db") ?? "";
  const collection = opts.get("collection") ?? "";
  const toStdout = opts.get("out") === "-";
  // Dump: verifyCollectionExists (listCollections filtered by name).
  if (collection) step((e) => `error verifying collection info: ${e}`, () => run({ listCollections: 1, filter: { name: collection }, $db: db }));
  if (opts.has("oplog")) {
    // determineOplogCollectionName: isMaster; getOplogCopyStartTime: config.transactions, then the newest oplog entry.
    run({ isMaster: 1, $db: "admin" });
    step((e) => `error getting oplog start: config.transactions.findOne error: ${e}`, () => run({ find: "transactions", $db: "config" }));
    step((e) => `error getting oplog start: error getting recent oplog entry: ${e}`, () => run({ find: "oplog.rs", $db: "local" }));
  }
  // Intents: every database (GetValidDbs: listDatabases; local and config are skipped), its collections.
  const appDb = process.env.BACKUP_DATABASE ?? "nyrkio";
  const namespaces: [string, string][] = [];
  step((e) => `error creating intents to dump: ${e}`, () => {
    if (!db) run({ listDatabases: 1, nameOnly: true, $db: "admin" });
    for (const name of db ? [db] : ["admin", appDb]) {
      if (!collection) run({ listCollections: 1, $db: name });
      if (name === appDb) namespaces.push([name, collection || "results"]);
      if (name === db && collection) namespaces.push([name, collection]);
    }
  });
  // Phase I: metadata (indexes) of each collection, unless written to stdout; users and roles with the admin database.
  if (!toStdout) step((e) => `error dumping metadata: ${e}`, () => namespaces.forEach(([d, c]) => run({ listIndexes: c, $db: d })));
  if (!db || db === "admin")
    step((e) => `error dumping users and roles: ${e}`, () => ["system.users", "system.roles", "system.version"].forEach((c) => run({ find: c, $db: "admin" })));
  // Phase II: each collection (getCount unless there is a query, then the find).
  for (const [d, c] of namespaces) {
    if (!opts.has("query") && !opts.has("queryFile") && !(d === "local" && c === "oplog.rs")) step((e) => `error getting count from db: ${e}`, () => run({ count: c, $db: d }));
    step((e) => `error reading collection: ${e}`, () => run({ find: c, $db: d }));
  }
  // Phase III: the oplog captured meanwhile.
  if (opts.has("oplog")) step((e) => `error dumping oplog: ${e}`, () => run({ find: "oplog.rs", $db: "local" }));
}

/** The archive's namespaces and oplog entries (mongo-tools common/archive: magic, prelude, then blocks of BSON between terminators). */
function readArchive(file: string): { namespaces: [string, string][]; oplog: Doc[] } {
  let data = readFileSync(file);
  if (data[0] === 0x1f && data[1] === 0x8b) data = gunzipSync(data);
  const namespaces: [string, string][] = [];
  const oplog: Doc[] = [];
  let at = 4; // the magic number
  let current = "";
  while (at + 4 <= data.length) {
    const size = data.readInt32LE(at);
    if (size === -1) {
      at += 4;
      continue;
    }
    const doc = deserialize(data.subarray(at, at + size)) as Doc;
    at += size;
    // admin's users, roles and version are intents mongorestore never restores as collections (mongorestore-rules.ts dumpNamespaces, archivedAuthz).
    if ("type" in doc && "metadata" in doc && !(doc.db === "admin" && ["system.users", "system.roles", "system.version"].includes(String(doc.collection)))) namespaces.push([String(doc.db), String(doc.collection)]);
    else if ("EOF" in doc && "CRC" in doc) current = doc.collection === "oplog" && doc.db === "" ? "oplog" : "";
    else if (current === "oplog") oplog.push(doc);
  }
  return { namespaces, oplog };
}

/** A dump directory's namespaces as mongorestore queues them (mongorestore-rules.ts dumpNamespaces), and its top-level oplog.bson, if any. */
function readDumpDir(dir: string, gzip: boolean): { namespaces: [string, string][]; oplog: Doc[] } {
  return { namespaces: dumpNamespaces(dir, gzip), oplog: existsSync(`${dir}/oplog.bson`) ? readBsonStream(`${dir}/oplog.bson`) : [] };
}

/** A plain BSON stream (a slice), gzipped or not. */
function readBsonStream(file: string): Doc[] {
  let data = readFileSync(file);
  if (data[0] === 0x1f && data[1] === 0x8b) data = gunzipSync(data);
  const docs: Doc[] = [];
  for (let at = 0; at + 4 <= data.length; ) {
    const size = data.readInt32LE(at);
    docs.push(deserialize(data.subarray(at, at + size)) as Doc);
    at += size;
  }
  return docs;
}

/**
 * The commands mongorestore sends (mongo-tools mongorestore/mongorestore.go Restore, restore.go
 * RestoreIntent, oplog.go RestoreOplog/HandleOp): per collection of the archive drop (--drop),
 * create and insert; then the oplog, replayed with applyOps entry by entry.
 */
function mongorestore(argv: string[]): void {
  // What mongorestore refuses before connecting (its options, ParseAndValidateOptions, an oplog.bson beside --oplogFile).
  const refusal = mongorestoreRefusal(argv);
  if (refusal) throw new ToolFailure(refusal.replace(/^Failed: /, ""));
  const opts = options(argv);
  if (opts.has("version") || opts.has("help")) return;
  const { host, user, password, authDb } = credentials(opts);
  transport("mongorestore", argv, opts, host);
  let conn: ReturnType<typeof connect> | undefined;
  // mongorestore.go New: "error connecting to host: %w".
  step((e) => `error connecting to host: failed to connect to mongodb://${host}/: connection() error occurred during connection handshake: auth error: sasl conversation error: unable to authenticate using mechanism "SCRAM-SHA-256": ${e}`, () => {
    conn = connect(host, user, password, authDb);
  });
  const run = conn!.run;
  const archive = opts.get("archive");
  const dir = opts.get("dir");
  if (dir !== undefined && !existsSync(dir)) throw new ToolFailure(`error scanning filesystem: error reading root dump folder: open ${dir}: no such file or directory`);
  const oplogFile = opts.get("oplogFile");
  if (oplogFile !== undefined && !existsSync(oplogFile)) throw new ToolFailure(`error reading oplog file: stat ${oplogFile}: no such file or directory`);
  const { namespaces, oplog } = archive ? readArchive(archive) : dir ? readDumpDir(dir, opts.has("gzip")) : { namespaces: [], oplog: [] };
  for (const [d, c] of namespaces) {
    // restore.go: "error creating collection <ns>: ..."; a collection's failure is "<ns>: <error>"; mongorestore.go "restore error: %v".
    if (opts.has("drop")) step((e) => `restore error: ${d}.${c}: error dropping collection: ${e}`, () => run({ drop: c, $db: d }));
    step((e) => `restore error: ${d}.${c}: error creating collection ${d}.${c}: ${e}`, () => run({ create: c, $db: d }));
    step((e) => `restore error: ${d}.${c}: error restoring from ${archive ? `archive '${archive}'` : `${dir}/${d}/${c}.bson`}: ${e}`, () => run({ insert: c, $db: d }));
  }
  // The users-and-roles step, between the collections and the oplog (mongorestore.go Restore):
  // with --drop, a dump whose users do not include the connecting one logs it out before the
  // replay (mongorestore-rules.ts authzMergeRefusal, from mongo-tools and the server source).
  const lost = user !== undefined ? authzMergeRefusal(argv, `${user}@${authDb}`, userDefinedRoles(host, user)) : undefined;
  if (lost) throw new ToolFailure(lost.replace(/^Failed: /, ""));
  if (opts.has("oplogReplay")) {
    const entries = opts.has("oplogFile") ? readBsonStream(opts.get("oplogFile")!) : oplog;
    // oplog.go HandleOp → ApplyOps: "error applying oplog: %v"; then "restore error: %v".
    for (const entry of entries) step((e) => `restore error: error applying oplog: applyOps: ${e}`, () => run({ applyOps: [{ op: entry.op, ns: entry.ns }], $db: "admin" }));
  }
}

/** A mongosh script's connection and commands (script-commands.ts), as the script's own user. */
function mongosh([script]: string[]): void {
  const spec = SCRIPT_COMMANDS[script];
  if (!spec || (spec.noConnectionWhenEnv && process.env[spec.noConnectionWhenEnv])) return;
  const dir = spec.userDirEnv ? process.env[spec.userDirEnv] : undefined;
  const read = (name: string) => readFileSync(`${dir}/${name}`, "utf8").replace(/\n+$/, "");
  const host = spec.uriEnv ? (process.env[spec.uriEnv] ?? "") : "mongodb-rs0-0.mongodb-rs0.db.svc.cluster.local:27017";
  // db.auth() as mongosh sends it (against admin); a failure is thrown as MongoServerError.
  const { run } = connect(host, dir ? read("username") : undefined, dir ? read("password") : undefined, "admin");
  const appDb = process.env.BACKUP_DATABASE ?? "nyrkio";
  for (const cmd of spec.commands) run(JSON.parse(JSON.stringify(cmd).replace(/APPDB/g, appDb)) as Doc);
}

/**
 * A mongosh script run against the throwaway mongod, under Node as mongosh would run it (print,
 * quit, require; test/backup/mongosh/run-mongosh-script.js), with a `Mongo` of the shell's API
 * (new Mongo(uri), getDB, getSiblingDB, auth, runCommand, close) whose every command passes
 * mongod's authorization on the scratch server's state, then takes effect there (createUser,
 * createRole). A refusal is thrown as mongosh throws a MongoServerError.
 */
async function mongoshScript(file: string): Promise<void> {
  class Mongo {
    private roles: { role: string; db: string }[] | undefined;
    constructor(readonly uri: string) {
      if (!/^mongodb:\/\/(127\.0\.0\.1|localhost)[:/]/.test(uri)) throw new Error(`the model serves the throwaway mongod on 127.0.0.1 only, not ${uri}`);
      if (!existsSync(`${process.env.STANDIN_LOG}/mongod.running`)) throw new ServerError(6, "HostUnreachable", `connect ECONNREFUSED ${uri}`);
    }
    getDB(name: string) {
      const db = {
        getSiblingDB: (other: string) => this.getDB(other),
        // db.auth(): SCRAM against this database; mongosh throws "Authentication failed." on a refusal.
        auth: (user: string, pwd: string) => {
          const known = Object.hasOwn(readScratch().users, user) ? readScratch().users[user] : undefined;
          if (!known || known.pwd !== pwd || name !== "admin") throw new ServerError(18, "AuthenticationFailed", "Authentication failed.");
          this.roles = known.roles;
          return { ok: 1 };
        },
        runCommand: (cmd: Doc) => {
          const full = { ...cmd, $db: name };
          const { server, fromLocalhost, accessControl } = scratchServer();
          if (accessControl) authorize(server, { fromLocalhost, roles: this.roles }, full);
          return applyScratchCommand(full);
        },
      };
      return db;
    }
    close(): void {}
  }
  const AsyncFunction = (async () => {}).constructor as new (...args: string[]) => (...a: unknown[]) => Promise<unknown>;
  const body = new AsyncFunction("require", "print", "quit", "Mongo", readFileSync(file, "utf8"));
  await body(require, (...a: unknown[]) => console.log(...a), (code = 0) => process.exit(code), Mongo);
}

/** Each mode's failure as the tool prints it, and its exit code. */
function failed(error: unknown): never {
  if (error instanceof MongodRefusal) {
    // mongod prints its refusal and exits (EXIT_BADOPTIONS 2 for options, 1 for a bad keyfile).
    console.error(error.message);
    process.exit(error.exitCode);
  }
  if (error instanceof OptionsFailure) {
    console.error(`${new Date().toISOString().replace("Z", "+0000")}\terror parsing command line options: ${error.message.replace(/^error parsing command line options: /, "")}`);
    process.exit(1);
  }
  if (error instanceof ToolFailure) {
    console.error(`${new Date().toISOString().replace("Z", "+0000")}\tFailed: ${error.message}`);
    process.exit(1);
  }
  if (error instanceof ServerError) {
    // mongosh prints an uncaught server error as "MongoServerError[CodeName]: message" and exits 1.
    console.error(`MongoServerError[${error.codeName}]: ${error.message}`);
    process.exit(1);
  }
  throw error;
}

try {
  if (mode === "users") writeUsers(args);
  else if (mode === "mongodump") mongodump(args);
  else if (mode === "mongorestore") mongorestore(args);
  else if (mode === "mongosh") mongosh(args);
  else if (mode === "mongod") checkMongodStart(args);
  else if (mode === "mongosh-script") mongoshScript(args[0]).catch(failed);
  else if (mode === "options") {
    // options <tool> <argv...>: go-flags' refusal of an option the tool does not know, alone.
    const [tool, ...argv] = args as [Tool, ...string[]];
    const unknown = unknownToolOption(tool, argv);
    if (unknown) throw new OptionsFailure(unknown);
  }
  else {
    console.error(`server-model: unknown mode ${mode}`);
    process.exit(2);
  }
} catch (error) {
  failed(error);
}
