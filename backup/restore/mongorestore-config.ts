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
