// Where the CLIs connect: MONGODB_URI or the first line of a file given by --uri-file. A
// connection string never comes from argv: with a password in it, it would be readable by every
// user of the machine in the process list and land in CI logs.
import { UsageError } from "../runner/errors";

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
  if (!/^mongodb(\+srv)?:\/\//i.test(uri)) {
    throw new UsageError(`the connection string must start with mongodb:// or mongodb+srv:// (from ${source.uriFile !== undefined ? `--uri-file ${source.uriFile}` : "MONGODB_URI"})`);
  }
  return uri;
}

/** A connection string safe to print: the password replaced. */
export function redactUri(uri: string): string {
  return uri.replace(/^(mongodb(?:\+srv)?:\/\/[^:/@]+):[^@/]*@/i, "$1:****@");
}

export function validateDbName(name: string): string {
  // MongoDB forbids these characters in database names (and an empty name).
  if (name.length === 0 || name.length > 63 || /[/\\. "$*<>:|?\0]/.test(name)) {
    throw new UsageError(`--db ${JSON.stringify(name)}: not a valid database name`);
  }
  return name;
}
