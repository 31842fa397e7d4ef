// Where the CLIs connect: MONGODB_URI or the first line of a file given by --uri-file. A
// connection string never comes from argv: with a password in it, it would be readable by every
// user of the machine in the process list and land in CI logs.
import { accessSync, constants } from "node:fs";
import { MongoClient, MongoServerSelectionError, type MongoClientOptions } from "mongodb";
import { RunnerError, UsageError } from "../runner/errors";
import { connectionOption, parseConnectionString, redactConnectionString, scrubMessage, type ParsedConnectionString } from "./connection-string";

export const DEFAULT_DB = "nyrkio";

const URI_PATTERN = /mongodb(\+srv)?:\/\//i;

export const URI_ON_COMMAND_LINE =
  "a connection string is not accepted on the command line (its password would show in the process list and CI logs); put it in a file and pass --uri-file <path>, or set MONGODB_URI";

/** Refuses `--uri`, `--uri=...` and any argument that is a connection string, before parsing. */
export function refuseUriArguments(argv: readonly string[]): void {
  for (const arg of argv) {
    if (arg === "--uri" || arg.startsWith("--uri=") || URI_PATTERN.test(arg)) throw new UsageError(URI_ON_COMMAND_LINE);
  }
}

export interface TargetSource {
  uriFile?: string;
  envUri?: string;
}

/** The connection string, from --uri-file first, then MONGODB_URI. */
export function resolveUri(source: TargetSource, readFile: (path: string) => string): string {
  let uri: string | undefined;
  if (source.uriFile !== undefined) {
    let text: string;
    try {
      text = readFile(source.uriFile);
    } catch (error) {
      throw new UsageError(`--uri-file ${source.uriFile}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
    uri = text.split(/\r?\n/).map((l) => l.trim()).find((l) => l.length > 0);
    if (!uri) throw new UsageError(`--uri-file ${source.uriFile}: the file is empty`);
  } else {
    uri = source.envUri?.trim() || undefined;
  }
  if (!uri) throw new UsageError("no target database: set MONGODB_URI or pass --uri-file <path>");
  if (!/^mongodb(\+srv)?:\/\//.test(uri)) {
    throw new UsageError(`the connection string must start with mongodb:// or mongodb+srv:// (from ${source.uriFile !== undefined ? `--uri-file ${source.uriFile}` : "MONGODB_URI"})`);
  }
  // Parsed here, before any connection: a malformed string is a usage error that quotes nothing of it.
  parseConnectionString(uri);
  return uri;
}

/** A connection string safe to print: rebuilt from its parts without the user info. */
export function redactUri(uri: string): string {
  return redactConnectionString(uri);
}

/** The driver's default when the string sets none would be 30 s; a CLI in CI should say sooner. */
export const DEFAULT_SERVER_SELECTION_TIMEOUT_MS = 20_000;

/**
 * The database to use: --db, else the one the connection string names, else `fallback`. Both
 * given and different is refused: silently preferring one would migrate the wrong database.
 */
export function chooseDatabase(flag: string | undefined, parsed: ParsedConnectionString, fallback: string): string {
  // A path naming admin, local or config says where to authenticate (the Connection String
  // spec's default authSource); it is never the database to migrate.
  const named = parsed.database !== undefined && !SYSTEM_DATABASES.includes(parsed.database) ? parsed.database : undefined;
  if (flag !== undefined && named !== undefined && flag !== named) {
    throw new UsageError(`--db ${JSON.stringify(flag)} differs from the database the connection string names; drop one of them`);
  }
  return validateDbName(flag ?? named ?? fallback);
}

const SYSTEM_DATABASES: readonly string[] = ["admin", "local", "config"];

export interface Connection {
  client: MongoClient;
  parsed: ParsedConnectionString;
  /** The server selection timeout in force: the string's own, else the default. */
  serverSelectionTimeoutMS: number;
}

/**
 * A client for `uri`, not yet connected. The driver parses options in its constructor (unknown
 * option, bad value): any refusal there is a usage error, decided before a connection is tried.
 * The string's own serverSelectionTimeoutMS wins (an option passed here would override it).
 */
export function openClient(uri: string, appName: string, tlsCaFile?: string): Connection {
  const parsed = parseConnectionString(uri);
  const fromUri = connectionOption(parsed, "serverSelectionTimeoutMS");
  const options: MongoClientOptions = { appName, ...tlsClientOptions(parsed, tlsCaFile) };
  if (fromUri === undefined) options.serverSelectionTimeoutMS = DEFAULT_SERVER_SELECTION_TIMEOUT_MS;
  let client: MongoClient;
  try {
    client = new MongoClient(uri, options);
  } catch (error) {
    // The driver's message may quote the option; options hold no credentials, user info is not quoted.
    throw new UsageError(`the connection string is not accepted by the driver: ${scrubMessage((error as Error).message, uri)}`);
  }
  const timeout = fromUri === undefined ? DEFAULT_SERVER_SELECTION_TIMEOUT_MS : Number(fromUri);
  return { client, parsed, serverSelectionTimeoutMS: timeout };
}

/**
 * --tls-ca-file: TLS on, the server's certificate verified against that CA and its host name
 * checked (the driver's default; https://www.mongodb.com/docs/drivers/node/current/security/tls/).
 * Refused, before any connection, when the file cannot be read or the string says otherwise
 * (tls=false, or another tlsCAFile): a silent choice between the two would be a guess.
 */
export function tlsClientOptions(parsed: ParsedConnectionString, tlsCaFile: string | undefined, readable: (path: string) => boolean = isReadable): MongoClientOptions {
  if (tlsCaFile === undefined) return {};
  const tls = connectionOption(parsed, "tls") ?? connectionOption(parsed, "ssl");
  if (tls !== undefined && tls.toLowerCase() !== "true") throw new UsageError(`--tls-ca-file turns TLS on, and the connection string says tls=${tls}; drop one of them`);
  const caInUri = connectionOption(parsed, "tlsCAFile");
  if (caInUri !== undefined && caInUri !== tlsCaFile) throw new UsageError("--tls-ca-file differs from the connection string's tlsCAFile; drop one of them");
  if (!readable(tlsCaFile)) throw new UsageError(`--tls-ca-file ${tlsCaFile}: cannot read it`);
  return { tls: true, tlsCAFile: tlsCaFile };
}

function isReadable(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

/** Connects; an unreachable server becomes one sentence naming the timeout. */
export async function connect(connection: Connection, uri: string): Promise<void> {
  try {
    await connection.client.connect();
  } catch (error) {
    if (error instanceof MongoServerSelectionError) {
      const seconds = connection.serverSelectionTimeoutMS / 1000;
      throw new RunnerError(
        `could not reach the server within ${seconds} s (serverSelectionTimeoutMS ${connection.serverSelectionTimeoutMS}): ${scrubMessage(error.message, uri)}`,
        "unreachable",
      );
    }
    throw error;
  }
}

export function validateDbName(name: string): string {
  // MongoDB forbids these characters in database names (and an empty name).
  if (name.length === 0 || name.length > 63 || /[/\\. "$*<>:|?\0]/.test(name)) {
    throw new UsageError(`--db ${JSON.stringify(name)}: not a valid database name`);
  }
  return name;
}
