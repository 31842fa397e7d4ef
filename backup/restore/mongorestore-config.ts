// The private config file `restore run` hands mongorestore with --config: the connection string
// (which may carry the user and password) and the password, so neither ever appears in argv,
// where every user of the machine could read it (ps, /proc/<pid>/cmdline).
//
// The connection string is parsed and redacted by the one implementation every CLI uses
// (migrations/cli/connection-string.ts): a malformed string, or one with more than one "@", is
// refused before anything runs, and no message ever quotes a part of its user info.
import { parseConnectionString, redactConnectionString, scrubMessage } from "../../migrations/cli/connection-string";

export interface ConnectionSecrets {
  uri: string;
  password?: string;
}

/** YAML for mongorestore --config, or why the values cannot be written safely. */
export function mongorestoreConfigYaml(secrets: ConnectionSecrets): { ok: true; yaml: string } | { ok: false; error: string } {
  if (!/^mongodb(\+srv)?:\/\//.test(secrets.uri)) return { ok: false, error: 'the URI file must hold a connection string starting with "mongodb://" or "mongodb+srv://"' };
  if (/[\r\n]/.test(secrets.uri)) return { ok: false, error: "the URI file must hold one line" };
  const malformed = connectionStringProblem(secrets.uri);
  if (malformed) return { ok: false, error: malformed };
  if (secrets.password !== undefined && /[\r\n]/.test(secrets.password)) return { ok: false, error: "the password file must hold one line" };
  const lines = [`uri: ${yamlQuote(secrets.uri)}`];
  if (secrets.password !== undefined) lines.push(`password: ${yamlQuote(secrets.password)}`);
  return { ok: true, yaml: `${lines.join("\n")}\n` };
}

/**
 * The connection of a mongorestore config file: its `uri:` and `password:` keys, each a plain or
 * quoted one-line scalar (what mongorestoreConfigYaml writes and what the runbook shows); anything
 * else is not understood, and the caller says so rather than guess.
 */
export function connectionOfConfigYaml(yaml: string): ConnectionSecrets | undefined {
  const value = (key: string): string | undefined => {
    const m = new RegExp(`^${key}:[ \t]*(.*?)[ \t]*$`, "m").exec(yaml);
    if (!m) return undefined;
    const raw = m[1];
    if (raw.startsWith("'") && raw.endsWith("'") && raw.length >= 2) return raw.slice(1, -1).replace(/''/g, "'");
    if (raw.startsWith('"') && raw.endsWith('"') && raw.length >= 2) return JSON.parse(raw) as string;
    return raw;
  };
  const uri = value("uri");
  if (!uri || !/^mongodb(\+srv)?:\/\//.test(uri)) return undefined;
  const password = value("password");
  return password === undefined ? { uri } : { uri, password };
}

/** A YAML single-quoted scalar: nothing is special inside but the quote, which doubles. */
function yamlQuote(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** The file's content without the one trailing newline editors and `echo` add. */
export function secretFileValue(content: string): string {
  return content.replace(/\r?\n$/, "");
}

/** Why `uri` is not a connection string this project accepts (the message quotes nothing of it), or undefined. */
export function connectionStringProblem(uri: string): string | undefined {
  try {
    parseConnectionString(uri);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** The connection string rebuilt without its user info, for messages (connection-string.ts). */
export function redactUri(uri: string): string {
  return redactConnectionString(uri);
}

/**
 * `message` (a driver's or mongorestore's) with the connection string and every spelling of the
 * password removed: as written, decoded, and as the config file and JSON quote them (a "'"
 * doubled, a JSON escape), in either case. The user name stays: it is not a secret, and the
 * restore user's name ("restore") is a word mongorestore's own lines use.
 */
export function scrubSecrets(message: string, secrets: ConnectionSecrets | undefined): string {
  if (!secrets) return message;
  const spellings = (s: string) => [s, s.replace(/'/g, "''"), JSON.stringify(s).slice(1, -1)];
  let out = message;
  for (const spelling of spellings(secrets.uri)) out = out.split(spelling).join(redactConnectionString(secrets.uri));
  out = scrubMessage(out, secrets.uri, { keepUserName: true });
  const passwords = [secrets.password];
  try {
    const raw = parseConnectionString(secrets.uri).password;
    if (raw !== undefined) passwords.push(raw, safeDecode(raw));
  } catch {
    // refused before anything runs; nothing more to scrub
  }
  for (const password of new Set(passwords)) {
    if (password === undefined || password.length < 3) continue;
    for (const spelling of spellings(password)) out = replaceAllCaseInsensitive(out, spelling, "****");
  }
  return out;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function replaceAllCaseInsensitive(text: string, needle: string, replacement: string): string {
  const lowerNeedle = needle.toLowerCase();
  let out = "";
  let from = 0;
  for (let i = text.toLowerCase().indexOf(lowerNeedle); i !== -1; i = text.toLowerCase().indexOf(lowerNeedle, from)) {
    out += text.slice(from, i) + replacement;
    from = i + needle.length;
  }
  return out + text.slice(from);
}
