// `restore windows|plan|run --cluster`: every replica set of a sharded cluster (the config servers
// and each shard) to the same target, from a catalog root holding one catalog per replica set
// (`<root>/<rs>/`, as the backup storage lays them out). The decisions are in cluster-plan.ts;
// this file does the I/O, as restore-command.ts does for one replica set.
//
// `run --cluster` refuses everything it can before it touches a database: an unreachable target,
// a missing connection file, a connection file for a replica set the root has no catalog of (a
// shard whose catalog was not downloaded), any artifact of any replica set that fails its
// checksum. Then it restores the config servers first and the shards after them, each with the
// one-replica-set executor, and stops at the first failure, saying which replica sets are done.

import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describeTs } from "../timestamp";
import { loadClusterCatalog, LoadedReplicaSetCatalog } from "./catalog";
import { CliOptions, EXIT } from "./cli-args";
import { clusterCatalogProblem, ClusterPlanResult, ClusterRestorePlan, clusterWindows, planClusterRestore } from "./cluster-plan";
import { targetRefusal } from "./target-check";
import { CliDeps, dropTemporaryUser, PLAN_CONFIG_PLACEHOLDER, PLAN_WORK_DIR_PLACEHOLDER, planOptionsFrom, requestedTarget } from "./command-context";
import { stopBalancerWithDriver } from "./balancer-settings";
import { executePlan } from "./executor";
import { EXIT_SIGINT, EXIT_SIGTERM } from "../../migrations/runner/stop";
import { mongorestoreConfigYaml, redactUri, scrubSecrets, secretFileValue } from "./mongorestore-config";
import { clusterExecutionJson, clusterPlanJson, clusterPlanText, clusterWindowsJson, clusterWindowsText, ReplicaSetRun } from "./report";
import { describeTarget, RestoreTarget } from "./target";
import { unwindowedBases, unwindowedMessage } from "./unwindowed";
import { connectionUser, connectionWithUser, temporaryUserProblem } from "./user-secret";
import { ArtifactProblem, rememberingInspector, verifyArtifacts } from "./verify-artifacts";

export async function runClusterCommand(opts: CliOptions, root: string, deps: CliDeps): Promise<number> {
  const out = (text: string) => deps.stdout(`${text}\n`);
  const err = (text: string) => {
    for (const line of text.split("\n")) deps.stderr(`restore: ${line}\n`);
  };

  const loaded = await loadClusterCatalog(root);
  if (loaded.problems.length > 0) {
    for (const p of loaded.problems) for (const line of p.message.split("\n")) err(`${opts.ignoreInvalid ? "warning: skipped" : "malformed manifest"}: ${line}`);
    if (!opts.ignoreInvalid) {
      err(`${loaded.problems.length} malformed manifest(s): nothing was planned (--ignore-invalid skips them; a skipped manifest can only shrink what is reachable)`);
      return EXIT.catalog;
    }
  }
  const catalogProblem = loaded.errors.length > 0 ? loaded.errors.join("\n") : clusterCatalogProblem(loaded.catalogs);
  if (catalogProblem) {
    err(catalogProblem);
    return EXIT.catalog;
  }
  const catalogs = loaded.catalogs;

  if (opts.command === "windows") {
    const windows = clusterWindows(catalogs);
    out(opts.json ? JSON.stringify(clusterWindowsJson(windows, catalogs), null, 2) : clusterWindowsText(windows, catalogs));
    return EXIT.ok;
  }

  const target = requestedTarget(opts, err);
  if (!target) return EXIT.usage;
  const preview = planCluster(catalogs, target, opts, root, () => PLAN_CONFIG_PLACEHOLDER, PLAN_WORK_DIR_PLACEHOLDER);
  if (!preview.ok) {
    err(preview.error);
    return preview.kind === "catalog" ? EXIT.catalog : EXIT.unreachable;
  }
  const unwindowed = unwindowedBases(preview.plan, catalogs);
  if (unwindowed.length > 0) {
    err(unwindowedMessage(unwindowed, opts.allowUnwindowed));
    if (!opts.allowUnwindowed) return EXIT.catalog;
  }

  if (opts.command === "plan") {
    const problems = opts.verify ? await verifyCluster(preview.plan, root, 0, 1, deps.inspector, err) : undefined;
    out(opts.json ? JSON.stringify(clusterPlanJson(preview.plan, problems), null, 2) : clusterPlanText(preview.plan));
    const failed = [...(problems?.entries() ?? [])].flatMap(([rs, ps]) => ps.map((p) => `FAILED verification: ${rs}: step ${p.step}: ${p.file} ${p.problem}`));
    for (const line of failed) err(line);
    if (failed.length > 0) return EXIT.failed;
    if (!opts.json) {
      out(
        `\nNothing was run.${opts.verify ? " Every artifact of every replica set matches its manifest." : ""} To restore: \`restore run --cluster\` with the same --catalog and ` +
          "target, --uri-dir <dir> (<rs>.uri and <rs>.password per replica set) and --yes; or one `restore run --catalog <root>/<rs>` per replica set, config servers first.",
      );
    }
    return EXIT.ok;
  }

  return runClusterRestore(catalogs, target, preview.plan, opts, root, deps);
}

function planCluster(catalogs: LoadedReplicaSetCatalog[], target: RestoreTarget, opts: CliOptions, root: string, configFile: (rs: string) => string, workDir: string): ClusterPlanResult {
  // Each replica set unpacks and merges in a directory of its own.
  return planClusterRestore(catalogs, target, { planOptions: (rs) => planOptionsFrom(opts, join(root, rs), configFile(rs), join(workDir, rs)) });
}

/** Checks the artifacts of the replica sets from `fromIndex` on (the first of them from `fromStep`); problems by replica set. */
async function verifyCluster(
  plan: ClusterRestorePlan,
  root: string,
  fromIndex: number,
  fromStep: number,
  inspector: CliDeps["inspector"],
  progress: (line: string) => void,
): Promise<Map<string, ArtifactProblem[]>> {
  const problems = new Map<string, ArtifactProblem[]>();
  for (const [k, r] of plan.replicaSets.entries()) {
    if (k < fromIndex) continue;
    const steps = r.plan.artifacts.filter((s) => k > fromIndex || s.step >= fromStep);
    problems.set(r.replicaSet, await verifyArtifacts(steps, (f) => join(root, r.replicaSet, f), inspector, (line) => progress(`${r.replicaSet}: ${line}`)));
  }
  return problems;
}

interface Connection {
  uri: string;
  password?: string;
}

async function runClusterRestore(catalogs: LoadedReplicaSetCatalog[], target: RestoreTarget, preview: ClusterRestorePlan, opts: CliOptions, root: string, deps: CliDeps): Promise<number> {
  const out = (text: string) => deps.stdout(`${text}\n`);
  const err = (text: string) => {
    for (const line of text.split("\n")) deps.stderr(`restore: ${line}\n`);
  };
  const order = preview.replicaSets.map((r) => r.replicaSet);
  const fromIndex = opts.fromReplicaSet === undefined ? 0 : order.indexOf(opts.fromReplicaSet);
  if (fromIndex < 0) {
    err(`--from-replica-set ${opts.fromReplicaSet}: not one of this cluster's replica sets (${order.join(", ")})`);
    return EXIT.usage;
  }

  // Every connection before anything runs: a cluster restored up to a missing file is worse than none.
  const uriDir = opts.uriDir as string; // parseArgs requires it for run --cluster
  let files: string[];
  try {
    files = await readdir(uriDir);
  } catch (e) {
    err(`--uri-dir ${uriDir}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    return EXIT.usage;
  }
  const strangers = files.filter((f) => f.endsWith(".uri") && !order.includes(f.slice(0, -".uri".length)));
  if (strangers.length > 0) {
    err(
      `--uri-dir names replica set(s) the catalog root holds no catalog of: ${strangers.map((f) => f.slice(0, -".uri".length)).join(", ")}. ` +
        `Every replica set of the cluster is restored to the same point: fetch the missing catalog(s) into ${root}/<rs>/ (or remove the stray .uri file)`,
    );
    return EXIT.catalog;
  }
  const connections = new Map<string, Connection>();
  for (const rs of order) {
    try {
      let uri = secretFileValue(await readFile(join(uriDir, `${rs}.uri`), "utf8")).trim();
      let password: string | undefined;
      try {
        password = secretFileValue(await readFile(join(uriDir, `${rs}.password`), "utf8"));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
      }
      // <rs>.user: that replica set's temporary restore user (`restore user-secret --out`).
      let userText: string | undefined;
      try {
        userText = await readFile(join(uriDir, `${rs}.user`), "utf8");
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
      }
      if (userText !== undefined) {
        if (password !== undefined) {
          err(`${rs}: give ${rs}.user or ${rs}.password in --uri-dir, not both (the user file holds the password)`);
          return EXIT.usage;
        }
        const c = connectionWithUser(uri, userText);
        if (!c.ok) {
          err(`${rs}.${c.file}: ${c.error}`);
          return EXIT.usage;
        }
        uri = c.uri;
        password = c.password;
      }
      const yaml = mongorestoreConfigYaml({ uri, password });
      if (!yaml.ok) {
        err(`${rs}: ${yaml.error}`);
        return EXIT.usage;
      }
      connections.set(rs, { uri, password });
    } catch (e) {
      err(`cannot read the connection of replica set ${rs} (${rs}.uri in --uri-dir): ${(e as Error).message}`);
      return EXIT.usage;
    }
  }
  // Issue 12: each replica set's restore runs as its own temporary restore-<random> user; any
  // other user is warned about (restore-command.ts says why it is not refused).
  for (const rs of order.slice(fromIndex)) {
    const problem = temporaryUserProblem(connectionUser((connections.get(rs) as Connection).uri));
    if (problem) err(`warning: ${rs}: ${problem}`);
  }
  const into = order.map((rs, k) => `${rs} into ${redactUri((connections.get(rs) as Connection).uri)}${k < fromIndex ? " (skipped: --from-replica-set)" : ""}`);
  if (!opts.yes) {
    out(clusterPlanText(preview));
    err(
      `nothing was run: this restores, in this order, ${into.join("; ")}, each with --drop --preserveUUID (collections the dumps hold are dropped first; their UUIDs are kept). ` +
        "Stop the balancer and every mongos first (docs/runbooks/restore.md, Sharded cluster). Add --yes to run it.",
    );
    return EXIT.usage;
  }

  // Issue 10, item 7: every replica set keeps its collection UUIDs (--preserveUUID, cluster-plan.ts),
  // which mongos cannot serve: each connection must reach a replica set directly. Checked for
  // every set before anything is written.
  for (const rs of order.slice(fromIndex)) {
    const connection = connections.get(rs) as Connection;
    try {
      const refusal = targetRefusal(await deps.probeTarget(connection), { drop: true, cluster: true, name: `replica set ${rs} (${redactUri(connection.uri)})` });
      if (refusal) {
        err(`REFUSED: ${refusal}. Nothing was written.`);
        return EXIT.target;
      }
    } catch (e) {
      err(`cannot check replica set ${rs} (${redactUri(connection.uri)}) before restoring: ${scrubSecrets((e as Error).message, connection)}. Nothing was written.`);
      return EXIT.failed;
    }
  }

  // A signal (Ctrl-C, a cancelled job) stops the running mongorestore, starts nothing further,
  // still keeps the balancer stopped on the config servers, removes the private directory with
  // the passwords, and exits 130/143 (as restore-command.ts for one replica set).
  const stop = new AbortController();
  let stoppedBy: "SIGINT" | "SIGTERM" | undefined;
  const unlisten = deps.onSignal?.((signal) => {
    stoppedBy ??= signal;
    stop.abort();
  });
  const work = await mkdtemp(join(deps.tmpdir, "nyrkio-restore-"));
  try {
    await chmod(work, 0o700);
    const workDir = join(work, "work");
    await mkdir(workDir, { mode: 0o700 });
    for (const rs of order) {
      const yaml = mongorestoreConfigYaml(connections.get(rs) as Connection);
      if (yaml.ok) await writeFile(join(work, `${rs}.yaml`), yaml.yaml, { mode: 0o600 });
    }
    const planned = planCluster(catalogs, target, opts, root, (rs) => join(work, `${rs}.yaml`), workDir);
    if (!planned.ok) throw new Error(`the plan changed between preview and run: ${planned.error}`);
    const plan = planned.plan;
    const runs: ReplicaSetRun[] = plan.replicaSets.map((r, k) => ({ replicaSet: r.replicaSet, role: r.role, plan: r.plan, status: k < fromIndex ? "skipped" : "not run" }));
    const finish = (outcome: { ok: boolean; message: string; next?: string }): number => {
      if (opts.json) out(JSON.stringify(clusterExecutionJson(plan, runs, outcome), null, 2));
      else out(outcome.ok ? outcome.message : `${outcome.message}\nnext: ${outcome.next ?? "see the lines above"}`);
      if (stoppedBy) return stoppedBy === "SIGINT" ? EXIT_SIGINT : EXIT_SIGTERM;
      return outcome.ok ? EXIT.ok : EXIT.failed;
    };

    // Every artifact of every replica set first: nothing is restored unless all of it can be.
    const inspector = rememberingInspector(deps.inspector);
    const problems = [...(await verifyCluster(plan, root, fromIndex, opts.fromStep, inspector, err)).entries()].flatMap(([rs, ps]) => ps.map((p) => ({ rs, ...p })));
    if (problems.length > 0) {
      for (const p of problems) err(`REFUSED: ${p.rs}: step ${p.step}: ${p.file} ${p.problem}`);
      return finish({
        ok: false,
        message: `refused: ${problems.length} artifact(s) failed verification (${problems.map((p) => `${p.rs}/${p.file}`).join(", ")}); nothing was run, no replica set was touched`,
        next: "fetch the artifacts again from the backup storage (or pick a target every replica set reaches without them: `restore windows --cluster`), then rerun",
      });
    }

    err(`restoring ${plan.replicaSets.length - fromIndex} replica set(s), config servers first: ${describeTarget(plan.target)}`);
    for (const [k, r] of plan.replicaSets.entries()) {
      if (k < fromIndex) continue;
      const fromStep = k === fromIndex ? opts.fromStep : 1;
      err(`== replica set ${k + 1}/${plan.replicaSets.length}: ${r.replicaSet} (${r.role === "configsvr" ? "config servers" : "shard"}) into ${redactUri((connections.get(r.replicaSet) as Connection).uri)}`);
      // The config servers' restore replays config.settings as of the target: the balancer is
      // kept stopped before it and again right after it (balancer-settings.ts).
      const keepBalancerStopped = async (when: string): Promise<string | undefined> => {
        if (r.role !== "configsvr") return undefined;
        try {
          await (deps.stopBalancer ?? stopBalancerWithDriver)(connections.get(r.replicaSet) as Connection);
          err(`${r.replicaSet}: balancer settings: stopped: true written ${when}`);
          return undefined;
        } catch (e) {
          return `cannot write stopped: true to config.settings on ${r.replicaSet} ${when} (${scrubSecrets((e as Error).message, connections.get(r.replicaSet))})`;
        }
      };
      if (stoppedBy) return finish(clusterFailure(plan, runs, k, undefined, `stopped by ${stoppedBy} before it started.`, undefined));
      const before = await keepBalancerStopped("before its restore");
      if (before) return finish(clusterFailure(plan, runs, k, undefined, before, "check that the restore user holds nyrkioRestore (it writes config.settings) and the connection"));
      const report = await executePlan(r.plan, { resolve: (f) => join(root, r.replicaSet, f), fromStep, stop: stop.signal }, { ...deps, inspector, progress: (l) => err(`${r.replicaSet}: ${scrubSecrets(l, connections.get(r.replicaSet))}`) });
      runs[k].report = report;
      runs[k].status = report.ok ? "done" : "failed";
      const after = await keepBalancerStopped(report.ok ? "right after its restore" : "after its failed restore");
      if (!report.ok) return finish(clusterFailure(plan, runs, k, report.failedStep, report.message, report.next));
      if (after) {
        runs[k].status = "failed";
        return finish(clusterFailure(plan, runs, k, undefined, after, `stop the balancer by hand on ${r.replicaSet}'s primary before anything else (docs/runbooks/restore.md, Sharded cluster), then rerun with --from-replica-set ${order[k + 1] ?? r.replicaSet}`));
      }
    }
    return finish({
      ok: true,
      message:
        `restored every replica set (${order.slice(fromIndex).join(", ")}) to ${describeTarget(plan.target)}` +
        `${fromIndex > 0 ? ` (${order.slice(0, fromIndex).join(", ")} skipped: restored by an earlier run)` : ""}. ` +
        "Next: run flushRouterConfig on every shard member (or restart them), start mongos and run it on each, verify through mongos, " +
        "then start the balancer explicitly and resume the suspended CronJobs (docs/runbooks/restore.md, Sharded cluster).",
    });
  } finally {
    unlisten?.();
    // The config files may hold passwords: they do not outlive the run.
    await rm(work, { recursive: true, force: true });
    // Each replica set's temporary user was made for this restore: it drops itself, success or
    // failure, after the balancer writes (issue 12). Other users are left alone.
    for (const rs of order.slice(fromIndex)) await dropTemporaryUser(connections.get(rs) as Connection, deps, `${rs}: `);
  }
}

/** What a failure in replica set `k` leaves behind, and how to carry on from it. */
function clusterFailure(plan: ClusterRestorePlan, runs: ReplicaSetRun[], k: number, failedStep: number | undefined, message: string, next: string | undefined): { ok: false; message: string; next: string } {
  const rs = runs[k].replicaSet;
  const done = runs.filter((r) => r.status === "done" || r.status === "skipped").map((r) => r.replicaSet);
  const notRun = runs.filter((r) => r.status === "not run").map((r) => r.replicaSet);
  const state =
    `The cluster is NOT at the target: ${done.length > 0 ? `${done.join(", ")} ${done.length === 1 ? "is" : "are"} restored to ${describeTs(plan.target.lastIncluded)}; ` : ""}` +
    `${rs} failed${notRun.length > 0 ? `; ${notRun.join(", ")} ${notRun.length === 1 ? "was" : "were"} not started` : ""}. Keep mongos and the balancer stopped.`;
  if (failedStep === undefined) {
    return { ok: false, message: `FAILED in replica set ${rs} (${k + 1}/${runs.length}): ${message} ${state}`, next: `${next ?? "fix the cause"}; rerun with --from-replica-set ${rs}` };
  }
  // One mongorestore process per replica set: it cannot resume inside it, so the failed replica
  // set is restored again from the start (a cluster restore always runs with --drop).
  const resume = `rerun with --from-replica-set ${rs} (its restore starts over from the dump, with --drop; step ${failedStep} failed)`;
  return {
    ok: false,
    message: `FAILED in replica set ${rs} (${k + 1}/${runs.length}): ${message} ${state}`,
    next:
      `fix the cause, then ${resume}: the replica sets before ${rs} are skipped. ` +
      "Or start over: the same command without --from-replica-set, with --drop (or into new, empty replica sets).",
  };
}
