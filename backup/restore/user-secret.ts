// `restore user-secret`: the credentials of one restore's temporary user (issue 12, High 4: the
// restore user is as strong as root, so none exists all the time). It generates a name
// `restore-<24 hex>` (a name no dump holds, the prefix the reconcile Job treats as temporary:
// replicaset/user-plan.ts RESTORE_USER_PREFIX) and a random password, writes them to a new file
// readable only by its owner (`username=`/`password=` lines: what `kubectl create secret
// --from-env-file` reads and what `restore run --user-file` reads), and prints the commands that
// make the Secret from that file and start the restore-user Job, which creates the user on the
// replica set as root (backup/mongosh/restore-user.js). The password never reaches argv, the
// environment or the output.

import { randomBytes } from "node:crypto";
import { restoreCredentialsSecretName, restoreUserCronJobName } from "../../config/backup-names";

/** What backup/mongosh/restore-user.js accepts (it refuses any other name). */
export const TEMPORARY_USER_NAME = /^restore-[a-z0-9]{16,64}$/;

export interface UserCredentials {
  username: string;
  password: string;
}

/** A new temporary user: restore-<24 hex>, and a 40-character password of letters and digits. */
export function generateUserCredentials(random: (n: number) => Buffer = randomBytes): UserCredentials {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  let password = "";
  // Rejection sampling: bytes >= 248 are dropped so every character is equally likely.
  while (password.length < 40) for (const b of random(64)) if (b < 248 && password.length < 40) password += alphabet[b % alphabet.length];
  return { username: `restore-${random(12).toString("hex")}`, password };
}

/** The file `--out` holds: kubectl's env-file format (KEY=VALUE lines). */
export function userFileText(c: UserCredentials): string {
  return `username=${c.username}\npassword=${c.password}\n`;
}

/** The credentials of a user file (`user-secret --out`), or why it is not one. */
export function parseUserFile(text: string): { ok: true; credentials: UserCredentials } | { ok: false; error: string } {
  const values = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    if (line === "" || line.startsWith("#")) continue;
    const eq = line.indexOf("=");
    if (eq <= 0) return { ok: false, error: "every line must be KEY=VALUE (username=..., password=...), as `restore user-secret` writes it" };
    const key = line.slice(0, eq);
    if (key !== "username" && key !== "password") return { ok: false, error: `unknown key ${JSON.stringify(key)}: only username and password` };
    if (values.has(key)) return { ok: false, error: `${key} is given twice` };
    values.set(key, line.slice(eq + 1));
  }
  const username = values.get("username");
  const password = values.get("password");
  if (!username || !password) return { ok: false, error: "needs both username= and password=" };
  return { ok: true, credentials: { username, password } };
}

/** Whether a restore connects as a temporary restore user; a connection without a user (no access control) counts as one. */
export function temporaryUserProblem(username: string | undefined): string | undefined {
  if (username === undefined || TEMPORARY_USER_NAME.test(username)) return undefined;
  return (
    `the restore connects as ${JSON.stringify(username)}, not as a temporary restore-<random> user: a restore user is as strong as root and should exist ` +
    "only for one restore (`restore user-secret`, then the restore-user Job: docs/runbooks/restore.md, step 6)"
  );
}

export interface UserSecretPlan {
  username: string;
  secretName: string;
  cronJob: string;
  /** The commands, each as argv (no secret in any of them). */
  commands: string[][];
}

/** What the SRE runs with the file: the Secret from it, then the restore-user Job. */
export function userSecretPlan(replicaSet: string, namespace: string, file: string, username: string, job: string): UserSecretPlan {
  const secretName = restoreCredentialsSecretName(replicaSet);
  const cronJob = restoreUserCronJobName(replicaSet);
  return {
    username,
    secretName,
    cronJob,
    commands: [
      ["kubectl", "-n", namespace, "create", "secret", "generic", secretName, `--from-env-file=${file}`],
      ["kubectl", "-n", namespace, "create", "job", `--from=cronjob/${cronJob}`, job],
      ["kubectl", "-n", namespace, "wait", `job/${job}`, "--for=condition=complete", "--timeout=5m"],
      ["kubectl", "-n", namespace, "logs", `job/${job}`],
    ],
  };
}

/**
 * The connection string of `--uri-file` with the user of `--user-file` put in (percent-encoded),
 * or why not: the URI file must then name no user itself.
 */
export function uriWithUser(uri: string, username: string): { ok: true; uri: string } | { ok: false; error: string } {
  const m = /^(mongodb(?:\+srv)?:\/\/)([^/?#]*)(.*)$/s.exec(uri);
  if (!m) return { ok: false, error: 'the URI file must hold a connection string starting with "mongodb://" or "mongodb+srv://"' };
  if (m[2].includes("@")) return { ok: false, error: "with --user-file the URI file names the hosts only: the user and password come from the user file" };
  return { ok: true, uri: `${m[1]}${encodeURIComponent(username)}@${m[2]}${withAuthSourceAdmin(m[3])}` };
}

/**
 * The connection a restore runs as: the hosts of a URI file and a temporary user's file (`restore
 * user-secret --out`). Says which of the two files is wrong, for the caller's message.
 */
export function connectionWithUser(uri: string, userText: string): { ok: true; uri: string; password: string } | { ok: false; file: "user" | "uri"; error: string } {
  const user = parseUserFile(userText);
  if (!user.ok) return { ok: false, file: "user", error: user.error };
  const withUser = uriWithUser(uri, user.credentials.username);
  if (!withUser.ok) return { ok: false, file: "uri", error: withUser.error };
  return { ok: true, uri: withUser.uri, password: user.credentials.password };
}

/**
 * The temporary user lives in `admin` (restore-user.js creates it there), but a driver
 * authenticates against the URI's database when no authSource is given (the connection string
 * spec, "defaultauthdb"): `authSource=admin` is added unless the URI names one.
 */
function withAuthSourceAdmin(rest: string): string {
  const hash = rest.indexOf("#");
  const [beforeHash, fragment] = hash < 0 ? [rest, ""] : [rest.slice(0, hash), rest.slice(hash)];
  const q = beforeHash.indexOf("?");
  const query = q < 0 ? "" : beforeHash.slice(q + 1);
  if (query.split("&").some((kv) => kv.split("=")[0].toLowerCase() === "authsource")) return rest;
  const path = q < 0 ? beforeHash : beforeHash.slice(0, q);
  const base = path === "" ? "/" : path;
  return `${base}?${query === "" ? "" : `${query}&`}authSource=admin${fragment}`;
}

/** The user a connection string names (percent-decoded), or undefined. */
export function connectionUser(uri: string): string | undefined {
  const m = /^mongodb(?:\+srv)?:\/\/([^/?#@]*)@/.exec(uri);
  if (!m) return undefined;
  const raw = m[1].split(":")[0];
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}
