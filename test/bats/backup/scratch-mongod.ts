// The throwaway mongod that verify.sh starts (bin/mongod is its stand-in): what it refuses at start,
// what it enforces, and the users made on it. Part of the server model (server-model.ts).
//
// At start (checkMongodStart), as mongod 8.0 checks them:
// - options: only those the stand-in knows, else "Error parsing command line: unrecognised option"
//   and exit 2 (EXIT_BADOPTIONS); a --config file is YAML whose keys must be options mongod knows,
//   else "Unrecognized option: <key>" (src/mongo/util/options_parser/options_parser.cpp), exit 2;
// - wire compressors: snappy, zstd, zlib or disabled (net.compression.compressors,
//   https://www.mongodb.com/docs/manual/reference/configuration-options/#mongodb-setting-net.compression.compressors);
// - the keyfile (--keyFile or security.keyFile): it must exist, group and others must have no
//   access ("permissions on <file> are too open", src/mongo/db/auth/security_file.cpp
//   readSecurityFile: st_mode & (S_IRWXG | S_IRWXO)), and hold 6 to 1024 base64 characters once
//   whitespace is dropped ("security key in <file> has length <n>, must be between 6 and 1024
//   chars", src/mongo/db/auth/security_key.cpp; "may only contain characters in the base64 set",
//   https://www.mongodb.com/docs/manual/core/security-internal-authentication/#keyfiles); exit 1.
// What it enforces: access control when started with --auth, security.authorization: enabled, or
// a keyfile ("Enforcing keyfile access control ... also enables authorization", same docs page);
// --noauth or authorization: disabled without a keyfile leaves it off.
// Its users live in its dbpath (a fresh dbpath holds none), so the localhost exception holds until
// the first user or role document exists (shouldAllowLocalhost,
// src/mongo/db/auth/authz_session_external_state_server_common.cpp, asks hasAnyPrivilegeDocuments:
// a document in admin.system.users OR admin.system.roles, AuthzManagerExternalStateLocal,
// authz_manager_external_state_local.cpp).

import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { parse } from "yaml";
import type { AuthzServer, CustomRole } from "../../support/mongod-authz";
import { isKnownRole, ServerError } from "../../support/mongod-authz";

type Doc = Record<string, unknown>;

export class MongodRefusal extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** Options with a value, and flags, that the stand-in's mongod knows (mongod --help, 8.0). */
const VALUE_OPTIONS = new Set(["dbpath", "port", "bind_ip", "unixSocketPrefix", "wiredTigerCacheSizeGB", "logpath", "keyFile", "replSet", "setParameter", "config", "oplogSize", "tlsMode", "tlsCertificateKeyFile", "tlsCAFile", "networkMessageCompressors"]);
const FLAG_OPTIONS = new Set(["auth", "noauth", "quiet", "bind_ip_all", "fork"]);
/** Config-file settings the stand-in knows (configuration-options docs); setParameter.* takes any name. */
const CONFIG_KEYS = new Set([
  "net.port",
  "net.bindIp",
  "net.bindIpAll",
  "net.compression.compressors",
  "net.unixDomainSocket.pathPrefix",
  "security.authorization",
  "security.keyFile",
  "security.clusterAuthMode",
  "storage.dbPath",
  "storage.oplogMinRetentionHours",
  "storage.wiredTiger.engineConfig.cacheSizeGB",
  "systemLog.destination",
  "systemLog.path",
  "replication.replSetName",
]);

interface ScratchStart {
  dbpath: string;
  authorization: boolean;
  bindIp: string;
  compressors: string;
  keyFile?: string;
  keyFileMode?: string;
  config?: Doc;
}

const startFile = () => `${process.env.STANDIN_LOG}/scratch-mongod.json`;
const usersFile = (dbpath: string) => `${dbpath}/standin-users.json`;

function flatten(doc: Doc, prefix = ""): [string, unknown][] {
  return Object.entries(doc).flatMap(([k, v]) => (v !== null && typeof v === "object" && !Array.isArray(v) ? flatten(v as Doc, `${prefix}${k}.`) : [[`${prefix}${k}`, v] as [string, unknown]]));
}

/** bin/mongod's argv: refused as mongod refuses it, or its start recorded for the model. */
export function checkMongodStart(argv: string[]): void {
  const opts = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const name = arg === "-f" ? "config" : arg.replace(/^--/, "");
    if (arg.startsWith("--") || arg === "-f") {
      if (VALUE_OPTIONS.has(name)) {
        opts.set(name, argv[++i] ?? "");
        continue;
      }
      if (FLAG_OPTIONS.has(name)) {
        opts.set(name, "");
        continue;
      }
    }
    throw new MongodRefusal(`Error parsing command line: unrecognised option '${arg}'`, 2);
  }
  let config: Doc = {};
  if (opts.has("config")) {
    const file = opts.get("config")!;
    if (!existsSync(file)) throw new MongodRefusal(`Error reading config file: No such file or directory`, 2);
    config = (parse(readFileSync(file, "utf8")) as Doc | null) ?? {};
    for (const [key] of flatten(config)) if (!CONFIG_KEYS.has(key) && !key.startsWith("setParameter.")) throw new MongodRefusal(`Error parsing YAML config file: Unrecognized option: ${key}`, 2);
  }
  const setting = (key: string) => flatten(config).find(([k]) => k === key)?.[1];
  const compressors = opts.get("networkMessageCompressors") ?? String(setting("net.compression.compressors") ?? "snappy,zstd,zlib");
  for (const c of compressors.split(",")) if (!["snappy", "zstd", "zlib", "disabled"].includes(c)) throw new MongodRefusal(`Error parsing command line: invalid compressor '${c}'`, 2);
  const authSetting = setting("security.authorization");
  if (authSetting !== undefined && authSetting !== "enabled" && authSetting !== "disabled") throw new MongodRefusal(`Error parsing YAML config file: security.authorization must be enabled or disabled`, 2);
  const keyFile = opts.get("keyFile") ?? (setting("security.keyFile") as string | undefined);
  let keyFileMode: string | undefined;
  if (keyFile !== undefined) {
    if (!existsSync(keyFile)) throw new MongodRefusal(`Error reading file ${keyFile}: No such file or directory`, 1);
    const mode = statSync(keyFile).mode & 0o777;
    keyFileMode = mode.toString(8).padStart(3, "0");
    if (mode & 0o077) throw new MongodRefusal(`permissions on ${keyFile} are too open`, 1);
    const key = readFileSync(keyFile, "utf8").replace(/\s+/g, "");
    if (!/^[A-Za-z0-9+/=]*$/.test(key)) throw new MongodRefusal(`invalid char in key file ${keyFile}`, 1);
    if (key.length < 6 || key.length > 1024) throw new MongodRefusal(`security key in ${keyFile} has length ${key.length}, must be between 6 and 1024 chars`, 1);
  }
  const dbpath = opts.get("dbpath") ?? String(setting("storage.dbPath") ?? "/data/db");
  const authorization = keyFile !== undefined || opts.has("auth") || (authSetting === "enabled" && !opts.has("noauth"));
  const bindIp = opts.get("bind_ip") ?? String(setting("net.bindIp") ?? (opts.has("bind_ip_all") || setting("net.bindIpAll") ? "0.0.0.0" : "127.0.0.1"));
  const start: ScratchStart = { dbpath, authorization, bindIp, compressors, keyFile, keyFileMode, config };
  writeFileSync(startFile(), JSON.stringify(start, null, 2));
  if (!existsSync(usersFile(dbpath)) && existsSync(dbpath)) writeFileSync(usersFile(dbpath), JSON.stringify({ users: {}, customRoles: [] }));
}

interface ScratchUsers {
  users: Record<string, { pwd: string; roles: { role: string; db: string }[] }>;
  customRoles: CustomRole[];
}

function started(): ScratchStart {
  if (!existsSync(startFile())) throw new ServerError(6, "HostUnreachable", "connection refused: the throwaway mongod was never started");
  return JSON.parse(readFileSync(startFile(), "utf8")) as ScratchStart;
}

/** The users and roles made on the throwaway mongod so far. */
export function readScratch(): ScratchUsers {
  const file = usersFile(started().dbpath);
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as ScratchUsers) : { users: {}, customRoles: [] };
}

/** The throwaway mongod as the authorization model sees it now; every client of it is on loopback. */
export function scratchServer(): { server: AuthzServer; fromLocalhost: true; accessControl: boolean } {
  const { authorization } = started();
  const state = readScratch();
  return { server: { hasUsers: Object.keys(state.users).length > 0 || state.customRoles.length > 0, arbiter: false, customRoles: state.customRoles }, fromLocalhost: true, accessControl: authorization };
}

/**
 * What an authorized command does on the throwaway mongod: createUser and createRole take effect
 * (user_management_commands.cpp: a user or role that exists is refused, 51003 "User ... already
 * exists" / 51002 "Role ... already exists"; a role granted that does not exist, 31 RoleNotFound).
 * Any other command has no effect the model tracks.
 */
export function applyScratchCommand(cmd: Doc): Doc {
  const name = Object.keys(cmd)[0];
  const db = String(cmd.$db ?? "admin");
  if (name !== "createUser" && name !== "createRole") return { ok: 1 };
  const state = readScratch();
  const roles = ((cmd.roles as unknown[] | undefined) ?? []).map((r) => (typeof r === "string" ? { role: r, db } : (r as { role: string; db: string })));
  for (const r of roles) if (!isKnownRole(r, state.customRoles)) throw new ServerError(31, "RoleNotFound", `Could not find role: ${r.role}@${r.db}`);
  if (name === "createUser") {
    const user = String(cmd.createUser);
    if (db !== "admin") throw new Error("the model keeps users in admin only");
    if (Object.hasOwn(state.users, user)) throw new ServerError(51003, "Location51003", `User "${user}@${db}" already exists`);
    state.users[user] = { pwd: String(cmd.pwd), roles };
  } else {
    const role = String(cmd.createRole);
    if (state.customRoles.some((r) => r.role === role && r.db === db)) throw new ServerError(51002, "Location51002", `Role "${role}@${db}" already exists`);
    state.customRoles.push({ role, db, privileges: (cmd.privileges as CustomRole["privileges"]) ?? [], roles });
  }
  writeFileSync(usersFile(started().dbpath), JSON.stringify(state, null, 2));
  return { ok: 1 };
}
