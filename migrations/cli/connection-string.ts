// A connection string, parsed by this project before the driver ever sees it, so that a malformed
// one is a usage error (exit 2) whose message never quotes any part of the user info, and so that
// redaction rebuilds the string from its parts instead of pattern-matching it.
//
// Why parse ourselves: the Node driver (mongodb-connection-string-url 3.0.2, lib/index.js,
// HOSTS_REGEX `^(?<protocol>[^/]+):\/\/(?:(?<username>[^:@]*)(?::(?<password>[^@]*))?@)?(?<hosts>(?!:)[^/?@]*)(?<rest>.*)`)
// ends the password at the FIRST `@`, so `migrator:S3cr@tP4ss@db` connects to host `tP4ss` and
// the resolver's error (`getaddrinfo ENOTFOUND tp4ss`) prints the password's tail. Its own parse
// errors also quote the string (`Invalid connection string "${uri}"`, `Username contains unescaped
// characters ${username}`). It refuses `:/?#[]@` in a password only when it found the password.
import { INSECURE_TLS_OPTIONS } from "../../config/tls";
import { UsageError } from "../runner/errors";

export type Scheme = "mongodb" | "mongodb+srv";

export interface ParsedConnectionString {
  scheme: Scheme;
  /** Raw (still percent-encoded) user info parts; undefined when the string has no `@`. */
  username?: string;
  password?: string;
  hosts: { host: string; port?: number }[];
  /** Whether a "/" follows the host list (kept when the string is rebuilt). */
  slash: boolean;
  /** The database named in the path, decoded; undefined when the path names none. */
  database?: string;
  /** Query options as given (names as written, values decoded). */
  options: [string, string][];
}

/** The characters RFC 3986 reserves as delimiters in a URI's user info (gen-delims); the driver refuses the same set. */
const USERINFO_FORBIDDEN = /[/?#[\]@]/;

function refuse(rule: string): never {
  // The message states the rule and never a part of the string: any part could be a password's.
  throw new UsageError(`the connection string is malformed: ${rule}`);
}

function decode(part: string, what: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return refuse(`${what} holds a "%" that is not followed by two hex digits (percent-encode "%" as %25)`);
  }
}

function parseHosts(scheme: Scheme, list: string): ParsedConnectionString["hosts"] {
  if (list === "") refuse("it names no host");
  const hosts = list.split(",").map((entry) => {
    const m = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~%-]+)(?::(\d*))?$/.exec(entry);
    if (!m) refuse('a host is not a host name, an IPv4 address or a bracketed IPv6 address with an optional ":port"');
    if (m[2] === undefined) return { host: m[1] };
    const port = Number(m[2]);
    if (m[2] === "" || port < 1 || port > 65535) refuse("a port is not a whole number from 1 to 65535");
    return { host: m[1], port };
  });
  // mongodb+srv names one DNS SRV record; the SRV answer gives hosts and ports (Connection String spec).
  if (scheme === "mongodb+srv" && (hosts.length !== 1 || hosts[0].port !== undefined)) {
    refuse("mongodb+srv:// takes exactly one host name and no port");
  }
  return hosts;
}

/** Parses `uri` strictly; throws a UsageError that quotes nothing of it. */
export function parseConnectionString(uri: string): ParsedConnectionString {
  const schemeMatch = /^(mongodb|mongodb\+srv):\/\//.exec(uri);
  // The driver accepts the schemes in lower case only (connectionStringHasValidScheme).
  if (!schemeMatch) refuse('it must start with "mongodb://" or "mongodb+srv://"');
  const scheme = schemeMatch[1] as Scheme;
  const rest = uri.slice(schemeMatch[0].length);
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\s\0-\x1f\x7f]/.test(rest)) refuse("it holds white space or a control character");
  // One `@` at most: the separator between the user info and the hosts. A second one is either an
  // unescaped `@` in the password or an option value, and the driver would read it differently.
  const ats = rest.split("@").length - 1;
  if (ats > 1) refuse('it holds more than one "@"; percent-encode an "@" inside a password or an option value as %40');
  let username: string | undefined;
  let password: string | undefined;
  let afterUserinfo = rest;
  if (ats === 1) {
    const at = rest.indexOf("@");
    const userinfo = rest.slice(0, at);
    afterUserinfo = rest.slice(at + 1);
    if (USERINFO_FORBIDDEN.test(userinfo) || userinfo.split(":").length > 2) {
      refuse('the user info holds an unescaped "/", "?", "#", "[", "]" or second ":"; percent-encode it (encodeURIComponent)');
    }
    const colon = userinfo.indexOf(":");
    username = colon === -1 ? userinfo : userinfo.slice(0, colon);
    password = colon === -1 ? undefined : userinfo.slice(colon + 1);
    if (username === "") refuse("the user info has an empty user name");
    decode(username, "the user name");
    if (password !== undefined) decode(password, "the password");
  }
  const pathAt = afterUserinfo.search(/[/?#]/);
  const hostList = pathAt === -1 ? afterUserinfo : afterUserinfo.slice(0, pathAt);
  const tail = pathAt === -1 ? "" : afterUserinfo.slice(pathAt);
  const hosts = parseHosts(scheme, hostList);
  if (tail.startsWith("#") || tail.includes("#")) refuse('it holds a "#" (a fragment); percent-encode it as %23');
  // The Connection String spec puts a "/" between the hosts and the options.
  if (tail.startsWith("?")) refuse('options must follow a "/" after the host list ("host/?option=value")');
  let database: string | undefined;
  const options: [string, string][] = [];
  if (tail !== "") {
    const q = tail.indexOf("?");
    const path = decode(q === -1 ? tail.slice(1) : tail.slice(1, q), "the database name");
    if (path !== "") database = path;
    if (q !== -1) {
      for (const pair of tail.slice(q + 1).split("&")) {
        if (pair === "") continue;
        const eq = pair.indexOf("=");
        if (eq <= 0) refuse('an option is not written "name=value"');
        options.push([pair.slice(0, eq), decode(pair.slice(eq + 1), "an option value")]);
      }
    }
  }
  // Nothing turns a TLS check off (docs/tls.md): option names are case-insensitive (Connection
  // String spec), so every spelling is caught. Names only: they hold no credentials.
  const insecure = [...new Set(options.map(([k]) => k).filter((k) => INSECURE_TLS_OPTIONS.some((o) => o.toLowerCase() === k.toLowerCase())))];
  if (insecure.length) {
    throw new UsageError(`the connection string turns off TLS verification (${insecure.join(", ")}); remove it and pass the CA that signed the server's certificate (tlsCAFile, or --tls-ca-file)`);
  }
  return { scheme, username, password, hosts, slash: tail.startsWith("/"), database, options };
}

/** An option's value; option names are case-insensitive (Connection String spec). */
export function connectionOption(parsed: ParsedConnectionString, name: string): string | undefined {
  const found = parsed.options.filter(([k]) => k.toLowerCase() === name.toLowerCase());
  return found.length ? found[found.length - 1][1] : undefined;
}

const REDACTED_CREDENTIALS = "<credentials>";

/**
 * The connection string rebuilt from its parts without the user info: safe to print. A string
 * that does not parse is not printed at all.
 */
export function redactConnectionString(uri: string): string {
  let parsed: ParsedConnectionString;
  try {
    parsed = parseConnectionString(uri);
  } catch {
    return "<a connection string that does not parse>";
  }
  const credentials = parsed.username !== undefined ? `${REDACTED_CREDENTIALS}@` : "";
  const hosts = parsed.hosts.map((h) => (h.port === undefined ? h.host : `${h.host}:${h.port}`)).join(",");
  const path = parsed.database === undefined ? "" : encodeURIComponent(parsed.database);
  const query = parsed.options.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join("&");
  const slash = parsed.slash ? "/" : "";
  return `${parsed.scheme}://${credentials}${hosts}${slash}${path}${query ? `?${query}` : ""}`;
}

/**
 * A message safe to print from text that may quote the connection string or its user info (a
 * driver error): the string becomes its rebuilt redacted form and every spelling of the user name
 * and password (as written, decoded, in either case) becomes "****". `keepUserName`: scrub the
 * password only (a user named "restore" would otherwise blank every "restore" in a progress line).
 */
export function scrubMessage(message: string, uri: string | undefined, options: { keepUserName?: boolean } = {}): string {
  if (!uri) return message;
  let out = message.split(uri).join(redactConnectionString(uri));
  let parsed: ParsedConnectionString | undefined;
  try {
    parsed = parseConnectionString(uri);
  } catch {
    parsed = undefined;
  }
  // Without a parse, everything between the scheme and the last "@" may be secret.
  const rest = uri.replace(/^[a-z+]*:\/\//i, "");
  const region = rest.slice(0, Math.max(0, rest.lastIndexOf("@")));
  const secrets = parsed
    ? [parsed.password, options.keepUserName ? undefined : parsed.username].filter((s): s is string => s !== undefined && s !== "")
    : region.includes(":")
      ? [region, region.slice(region.indexOf(":") + 1)]
      : [region];
  for (const secret of secrets) {
    let decoded = secret;
    try {
      decoded = decodeURIComponent(secret);
    } catch {
      // keep as written
    }
    for (const spelling of new Set([secret, decoded])) {
      if (spelling.length < 3) continue;
      out = replaceAllCaseInsensitive(out, spelling, "****");
    }
  }
  return out;
}

function replaceAllCaseInsensitive(text: string, needle: string, replacement: string): string {
  const lower = text.toLowerCase();
  const lowerNeedle = needle.toLowerCase();
  let out = "";
  let from = 0;
  for (let i = lower.indexOf(lowerNeedle); i !== -1; i = lower.indexOf(lowerNeedle, from)) {
    out += text.slice(from, i) + replacement;
    from = i + needle.length;
  }
  return out + text.slice(from);
}
