// The private config file `restore run` hands mongorestore with --config: the connection string
// (which may carry the user and password) and the password, so neither ever appears in argv,
// where every user of the machine could read it (ps, /proc/<pid>/cmdline).

export interface ConnectionSecrets {
  uri: string;
  password?: string;
}

/** YAML for mongorestore --config, or why the values cannot be written safely. */
export function mongorestoreConfigYaml(secrets: ConnectionSecrets): { ok: true; yaml: string } | { ok: false; error: string } {
  if (!/^mongodb(\+srv)?:\/\//.test(secrets.uri)) return { ok: false, error: 'the URI file must hold a connection string starting with "mongodb://" or "mongodb+srv://"' };
  if (/[\r\n]/.test(secrets.uri)) return { ok: false, error: "the URI file must hold one line" };
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

/** The connection string with any user:password@ replaced, for messages. */
export function redactUri(uri: string): string {
  return uri.replace(/^(mongodb(?:\+srv)?:\/\/)[^@/]*@/, "$1<credentials>@");
}
