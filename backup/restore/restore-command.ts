// The restore CLI's commands (windows, plan, run) with their I/O passed in: restore-cli.ts is the
// entry that gives them the real process, tests give them stand-ins. With --cluster they go to
// cluster-command.ts.

import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { type CatalogEntry, escapeControl } from "../manifest";
import { restoreWindows } from "./chain";
import { loadCatalog, selectReplicaSet } from "./catalog";
import { CliOptions, EXIT, parseArgs, USAGE } from "./cli-args";
import { runClusterCommand } from "./cluster-command";
import { CliDeps, dropTemporaryUser, PLAN_CONFIG_PLACEHOLDER, PLAN_WORK_DIR_PLACEHOLDER, planOptionsFrom, requestedTarget } from "./command-context";
import { executePlan, shellQuote } from "./executor";
import { ConnectionSecrets, connectionOfConfigYaml, connectionStringProblem, mongorestoreConfigYaml, redactUri, scrubSecrets, secretFileValue } from "./mongorestore-config";
import { planRestore } from "./planner";
import { executionJson, planJson, planText, restoredUsersJson, restoredUsersText, windowsJson, windowsText } from "./report";
import type { RestoreTarget } from "./target";
import { targetRefusal } from "./target-check";
import type { FoundUser } from "./target-probe";
import { connectionUser, connectionWithUser, temporaryUserProblem, userFileText, generateUserCredentials, userSecretPlan } from "./user-secret";
import { verifyArtifacts } from "./verify-artifacts";
import { EXIT_SIGINT, EXIT_SIGTERM } from "../../migrations/runner/stop";

export type { CliDeps } from "./command-context";
export { PLAN_CONFIG_PLACEHOLDER, PLAN_WORK_DIR_PLACEHOLDER } from "./command-context";

export async function runCli(argv: readonly string[], rawDeps: CliDeps): Promise<number> {
  // Names from a catalog (file and directory names, replica set names) reach the output: every
  // line goes out with its control characters escaped (manifest.ts escapeControl).
  const deps: CliDeps = { ...rawDeps, stdout: (t) => rawDeps.stdout(escapeControl(t)), stderr: (t) => rawDeps.stderr(escapeControl(t)) };
  const out = (text: string) => deps.stdout(`${text}\n`);
  const err = (text: string) => deps.stderr(`restore: ${text}\n`);
  const parsed = parseArgs(argv);
  if (parsed.kind === "help") {
    out(USAGE);
    return EXIT.ok;
  }
  if (parsed.kind === "usage-error") {
    err(`${parsed.message} (see --help)`);
    return EXIT.usage;
  }
  const opts = parsed.options;
  if (opts.command === "user-secret") return userSecret(opts, deps);
  const catalogDir = resolve(opts.catalog);
  if (!(await isDirectory(catalogDir))) {
    err(`--catalog ${opts.catalog}: not a directory (download the backup storage first: docs/runbooks/restore.md)`);
    return EXIT.usage;
  }
  if (opts.cluster) return runClusterCommand(opts, catalogDir, deps);

  const loaded = await loadCatalog(catalogDir);
  if (loaded.problems.length > 0) {
    for (const p of loaded.problems) for (const line of p.message.split("\n")) err(`${opts.ignoreInvalid ? "warning: skipped" : "malformed manifest"}: ${line}`);
    if (!opts.ignoreInvalid) {
      err(`${loaded.problems.length} malformed manifest(s): nothing was planned (--ignore-invalid skips them; a skipped manifest can only shrink what is reachable)`);
      return EXIT.catalog;
    }
  }
  const selected = selectReplicaSet(loaded.entries, opts.replicaSet);
  if (!selected.ok) {
    err(selected.error);
    return EXIT.catalog;
  }
  const entries = selected.entries;

  if (opts.command === "windows") {
    const windows = restoreWindows(entries);
    out(opts.json ? JSON.stringify(windowsJson(selected.replicaSet, entries, windows), null, 2) : windowsText(selected.replicaSet, entries, windows));
    return EXIT.ok;
  }

  const target = requestedTarget(opts, err);
  if (!target) return EXIT.usage;

  if (opts.command === "plan") {
    const planned = plan(entries, target, opts, catalogDir, opts.configFile ?? PLAN_CONFIG_PLACEHOLDER, PLAN_WORK_DIR_PLACEHOLDER);
    if (!planned.ok) {
      err(planned.error);
      return EXIT.unreachable;
    }
    const problems = opts.verify ? await verifyArtifacts(planned.plan.artifacts, (f) => join(catalogDir, f), deps.inspector, (l) => err(l)) : undefined;
    out(opts.json ? JSON.stringify(planJson(planned.plan, problems), null, 2) : planText(planned.plan));
    for (const p of problems ?? []) err(`FAILED verification: step ${p.step}: ${p.file} ${p.problem}`);
    if (problems && problems.length > 0) return EXIT.failed;
    if (!opts.json) {
      out(`\nNothing was run.${opts.verify ? " Every artifact matches its manifest." : ""} To restore: \`restore run\` with the same --catalog and target, plus --uri-file or --config-file, and --yes.`);
      if (!opts.configFile) out(`(run writes ${PLAN_CONFIG_PLACEHOLDER} and ${PLAN_WORK_DIR_PLACEHOLDER} into a private temporary directory.)`);
    }
    return EXIT.ok;
  }

  return runRestore(entries, target, opts, catalogDir, deps);
}

async function runRestore(entries: CatalogEntry[], target: RestoreTarget, opts: CliOptions, catalogDir: string, deps: CliDeps): Promise<number> {
  const out = (text: string) => deps.stdout(`${text}\n`);
  const err = (text: string) => deps.stderr(`restore: ${text}\n`);

  // Plan before touching anything: an unreachable target needs no credentials to be refused.
  const preview = plan(entries, target, opts, catalogDir, opts.configFile ?? PLAN_CONFIG_PLACEHOLDER, PLAN_WORK_DIR_PLACEHOLDER);
  if (!preview.ok) {
    err(preview.error);
    return EXIT.unreachable;
  }
  let connection = `the connection in ${opts.configFile}`;
  let secrets: { uri: string; password?: string } | undefined;
  let probeWith: ConnectionSecrets | undefined;
  if (opts.configFile) {
    try {
      probeWith = connectionOfConfigYaml(await readFile(opts.configFile, "utf8"));
    } catch (e) {
      err(`cannot read the mongorestore config file: ${(e as Error).message}`);
      return EXIT.usage;
    }
    if (!probeWith) {
      err(`cannot check the target: ${opts.configFile} has no one-line "uri: mongodb://..." (use --uri-file, or write the config as docs/runbooks/restore.md shows)`);
      return EXIT.usage;
    }
    const malformed = connectionStringProblem(probeWith.uri);
    if (malformed) {
      err(`${opts.configFile}: ${malformed}`);
      return EXIT.usage;
    }
  } else if (opts.uriFile) {
    try {
      secrets = {
        uri: secretFileValue(await readFile(opts.uriFile, "utf8")).trim(),
        ...(opts.passwordFile ? { password: secretFileValue(await readFile(opts.passwordFile, "utf8")) } : {}),
      };
      if (opts.userFile) {
        const c = connectionWithUser(secrets.uri, await readFile(opts.userFile, "utf8"));
        if (!c.ok) {
          err(`${c.file === "user" ? `--user-file ${opts.userFile}` : `--uri-file ${opts.uriFile}`}: ${c.error}`);
          return EXIT.usage;
        }
        secrets = { uri: c.uri, password: c.password };
      }
    } catch (e) {
      err(`cannot read the connection: ${(e as Error).message}`);
      return EXIT.usage;
    }
    // Refused here, before the plan is shown or the target contacted: a string the driver would
    // read differently (a second "@") is a usage error that quotes nothing of it.
    const yaml = mongorestoreConfigYaml(secrets);
    if (!yaml.ok) {
      err(yaml.error);
      return EXIT.usage;
    }
    connection = redactUri(secrets.uri);
    probeWith = secrets;
  }
  // Issue 12: a restore runs as a temporary restore-<random> user. Another user is warned about,
  // not refused: the restore works as any user with nyrkioRestore's privileges (the dump's users
  // are set aside, so none is lost), and only the operator knows whether the user is temporary.
  const asUser = probeWith ? connectionUser(probeWith.uri) : undefined;
  const notTemporary = temporaryUserProblem(asUser);
  if (notTemporary) err(`warning: ${notTemporary}`);
  if (!opts.yes) {
    out(planText(preview.plan));
    err(`nothing was run: this restores into ${connection}${opts.drop ? " with --drop (collections the dump holds are dropped first)" : ""}. Add --yes to run it.`);
    return EXIT.usage;
  }

  // From here on a signal (Ctrl-C, a cancelled job) stops the restore: the running mongorestore is
  // stopped and waited for, no further step starts, the private directory holding the password
  // is removed, and the exit code says which signal (130, 143).
  const stop = new AbortController();
  let stoppedBy: "SIGINT" | "SIGTERM" | undefined;
  const unlisten = deps.onSignal?.((signal) => {
    stoppedBy ??= signal;
    stop.abort();
  });
  try {
    return await restoreWithStop(entries, target, opts, catalogDir, deps, { connection, secrets, probeWith, stop: stop.signal, stoppedBy: () => stoppedBy });
  } finally {
    unlisten?.();
    // The temporary user was made for this restore: it drops itself, success or failure, as the
    // in-cluster Job's does (issue 12). Only a restore-<random> user: never one the CLI did not make for it.
    if (probeWith) await dropTemporaryUser(probeWith, deps);
  }
}

interface RunContext {
  connection: string;
  secrets: ConnectionSecrets | undefined;
  probeWith: ConnectionSecrets | undefined;
  stop: AbortSignal;
  stoppedBy: () => "SIGINT" | "SIGTERM" | undefined;
}

const signalExit = (signal: "SIGINT" | "SIGTERM") => (signal === "SIGINT" ? EXIT_SIGINT : EXIT_SIGTERM);

async function restoreWithStop(entries: CatalogEntry[], target: RestoreTarget, opts: CliOptions, catalogDir: string, deps: CliDeps, ctx: RunContext): Promise<number> {
  const out = (text: string) => deps.stdout(`${text}\n`);
  const err = (text: string) => deps.stderr(`restore: ${text}\n`);
  const { connection, secrets, probeWith } = ctx;
  // Before anything is written: a target with data from another moment, or a mongos, is refused.
  try {
    const refusal = targetRefusal(await deps.probeTarget(probeWith as ConnectionSecrets), { drop: opts.drop, cluster: false, name: connection });
    if (refusal) {
      err(`REFUSED: ${refusal}. Nothing was written.`);
      return EXIT.target;
    }
  } catch (e) {
    err(`cannot check the target ${connection} before restoring: ${scrubSecrets((e as Error).message, probeWith)}. Nothing was written.`);
    return EXIT.failed;
  }

  const before = ctx.stoppedBy();
  if (before) {
    err(`stopped by ${before} before anything was written`);
    return signalExit(before);
  }

  const work = await mkdtemp(join(deps.tmpdir, "nyrkio-restore-"));
  try {
    await chmod(work, 0o700);
    // The unpacked dump and the merged oplog (executor.ts creates what it needs inside).
    const workDir = join(work, "work");
    await mkdir(workDir, { mode: 0o700 });
    let configFile = opts.configFile as string;
    if (secrets) {
      const yaml = mongorestoreConfigYaml(secrets);
      if (!yaml.ok) {
        err(yaml.error);
        return EXIT.usage;
      }
      configFile = join(work, "mongorestore.yaml");
      await writeFile(configFile, yaml.yaml, { mode: 0o600 });
    }
    const planned = plan(entries, target, opts, catalogDir, configFile, workDir);
    if (!planned.ok) throw new Error(`the plan changed between preview and run: ${planned.error}`);
    err(`restoring into ${connection}${opts.drop ? " with --drop" : ""}`);
    // mongorestore's own lines and the report quoting them pass through the scrubber: whatever a
    // tool prints about its connection, no credential reaches the terminal or the JSON.
    const scrub = (text: string) => scrubSecrets(text, probeWith);
    const report = await executePlan(planned.plan, { resolve: (f) => join(catalogDir, f), fromStep: opts.fromStep, stop: ctx.stop }, { ...deps, progress: (l) => err(scrub(l)) });
    // Which users the restored data holds (issue 12): a directory dump's, read from its users file
    // as the executor set it aside (never restored: dump-authz.js); an archive's, restored by
    // mongorestore, listed from the target after a successful restore. A failed listing is a
    // warning, the restore itself stands.
    let users: FoundUser[] | undefined = report.dumpUsers;
    if (report.ok && !users && deps.listUsers && probeWith) {
      try {
        users = await deps.listUsers(probeWith);
      } catch (e) {
        err(`warning: cannot list the users in the restored data: ${scrub((e as Error).message)}`);
      }
    }
    const restored = users && report.ok ? { restoredUsers: restoredUsersJson(users), ...(report.dumpUsers ? { restoredUsersSetAside: true } : {}) } : {};
    if (opts.json) out(JSON.stringify({ ...executionJson(planned.plan, report), ...restored }, (_k, v: unknown) => (typeof v === "string" ? scrub(v) : v), 2));
    else out(scrub(report.ok ? report.message : `${report.message}\nnext: ${report.next ?? "see the lines above"}`));
    if (users && report.ok && !opts.json) out(scrub(restoredUsersText(users, report.dumpUsers !== undefined)));
    const stoppedBy = ctx.stoppedBy();
    if (stoppedBy) return signalExit(stoppedBy);
    return report.ok ? EXIT.ok : EXIT.failed;
  } finally {
    // The config file may hold the password: it does not outlive the run.
    await rm(work, { recursive: true, force: true });
  }
}

function plan(entries: CatalogEntry[], target: RestoreTarget, opts: CliOptions, catalogDir: string, configFile: string, workDir: string): ReturnType<typeof planRestore> {
  return planRestore(entries, target, planOptionsFrom(opts, catalogDir, configFile, workDir));
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * `restore user-secret`: a new temporary user's name and password into a new private file, and the
 * commands that turn it into the Secret and the user (user-secret.ts). Exit 1 when the file cannot
 * be written (it exists: a file with credentials is never replaced).
 */
async function userSecret(opts: CliOptions, deps: CliDeps): Promise<number> {
  const out = (text: string) => deps.stdout(`${text}\n`);
  const err = (text: string) => deps.stderr(`restore: ${text}\n`);
  const file = opts.out as string;
  const credentials = generateUserCredentials();
  // The plan first: a name it refuses (too long a replica set name) leaves no credentials behind.
  const plan = userSecretPlan(opts.replicaSet as string, opts.namespace as string, file, credentials.username, `restore-user-${Math.floor(deps.now() / 1000)}`);
  try {
    await writeFile(file, userFileText(credentials), { mode: 0o600, flag: "wx" });
    await chmod(file, 0o600);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    err(`cannot write ${file}: ${code === "EEXIST" ? "it exists (a file of credentials is never replaced: remove it or name another)" : (e as Error).message}`);
    return EXIT.failed;
  }
  if (opts.json) {
    out(JSON.stringify({ user: plan.username, file, secretName: plan.secretName, cronJob: plan.cronJob, commands: plan.commands }, null, 2));
    return EXIT.ok;
  }
  out(`Wrote ${file} (mode 0600): the temporary restore user ${plan.username} and its password.`);
  out(`Create its Secret from the file, then the user (the restore-user Job, as root, on the restore's target):`);
  for (const argv of plan.commands) out(`  ${argv.map(shellQuote).join(" ")}`);
  out(
    `Then restore as that user: \`restore run ... --uri-file <hosts only> --user-file ${file}\` from a workstation, or the restore Job (docs/runbooks/restore.md, step 6). ` +
      `It drops itself when the restore ends (the reconcile Job drops it at its expiry, 24 h, if nothing did); then delete the Secret and ${file}.`,
  );
  return EXIT.ok;
}
