// The backup jobs' decisions about the catalog (the directory tree of manifests of one replica
// set, docs/backup-format.md):
// where the next oplog slice starts, which artifacts a verification restores, which mongorestore
// calls an in-cluster restore makes, which leftovers may go. Pure functions over manifests, plus
// loadCatalog() at the edge. A Node.js module: mongosh scripts load it with require(), and the
// unit tests load it directly.
//
// Timestamps are {t: <seconds>, i: <ordinal>} as in the manifests. The chain rules are issue 4's:
// a slice continues a chain when its prevTs equals the previous slice's lastTs; a full dump joins
// the chain at the slice with prevTs < dump.lastTs <= lastTs.

"use strict";

const fs = require("fs");
const path = require("path");

/** What the jobs write (backup/manifest.ts MANIFEST_SCHEMA_VERSION); 1 is still read. */
const SCHEMA_VERSION = 2;
const READABLE_SCHEMA_VERSIONS = [1, 2];
const MANIFEST_SUFFIX = ".manifest.json";
/** Partial files: written under this suffix and renamed when complete. */
const PART_SUFFIX = ".part";
/** The `format` the jobs write for each kind of artifact. */
const FORMATS = { full: "dir-tar+gzip", oplog: "bson+gzip" };
/** Every `format` a catalog may hold (docs/backup-format.md; backup/manifest.ts FORMATS_BY_KIND). */
const READABLE_FORMATS = { full: ["dir-tar+gzip", "archive+gzip", "archive"], oplog: ["bson+gzip", "bson"] };
/** A full dump's formats by schemaVersion (backup/manifest.ts FULL_FORMATS_BY_VERSION). */
const FULL_FORMATS_BY_VERSION = { 1: ["archive+gzip", "archive"], 2: ["dir-tar+gzip"] };

/** A packed directory dump (schemaVersion 2): the only base a one-call replay of slices can use. */
function isDirectoryDump(m) {
  return m.format === "dir-tar+gzip";
}

/**
 * The names a catalog may hold (an artifact's `file`, a manifest's own path), as backup/manifest.ts
 * SAFE_CATALOG_PATH: they end up in the `step ...` lines restore.sh reads word by word
 * (scripts/lib.sh collect_steps), where a space or newline would split a name or inject a step.
 */
const SAFE_PATH = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;

function isSafePath(p) {
  return typeof p === "string" && SAFE_PATH.test(p) && !p.split("/").some((seg) => seg === "." || seg === "..");
}

function isTs(v) {
  return v !== null && typeof v === "object" && Number.isInteger(v.t) && Number.isInteger(v.i) && v.t >= 0 && v.i >= 0;
}

function tsCmp(a, b) {
  return a.t - b.t || a.i - b.i;
}

function tsText(ts) {
  return `${ts.t}:${ts.i}`;
}

/** Problems with one manifest's fields that the jobs rely on (empty when it is usable). */
function manifestProblems(m) {
  const problems = [];
  if (m === null || typeof m !== "object" || Array.isArray(m)) return ["is not a JSON object"];
  if (!READABLE_SCHEMA_VERSIONS.includes(m.schemaVersion)) problems.push(`schemaVersion must be ${READABLE_SCHEMA_VERSIONS.join(" or ")}, got ${JSON.stringify(m.schemaVersion)}`);
  if (m.kind !== "full" && m.kind !== "oplog") problems.push(`kind must be "full" or "oplog", got ${JSON.stringify(m.kind)}`);
  if (typeof m.file !== "string" || !m.file || m.file.startsWith("/") || m.file.split("/").some((seg) => seg === "" || seg === "." || seg === ".."))
    problems.push("file must be a path relative to the manifest, without . or .. segments");
  else if (!isSafePath(m.file)) problems.push(`file must match ${SAFE_PATH.source} (letters, digits, ".", "_", "-", segments separated by "/"), got ${JSON.stringify(m.file)}`);
  if (typeof m.sha256 !== "string" || !/^[0-9a-f]{64}$/.test(m.sha256)) problems.push("sha256 must be 64 lower-case hex digits");
  if (!Number.isSafeInteger(m.bytes) || m.bytes < 0) problems.push("bytes must be a whole number");
  if (typeof m.replicaSet !== "string" || !m.replicaSet) problems.push("replicaSet must be a non-empty string");
  if (m.replicaSetId !== undefined && (typeof m.replicaSetId !== "string" || !/^[0-9a-f]{24}$/.test(m.replicaSetId)))
    problems.push(`replicaSetId must be 24 lower-case hex digits (an ObjectId), got ${JSON.stringify(m.replicaSetId)}`);
  for (const field of ["firstTs", "lastTs"]) if (!isTs(m[field])) problems.push(`${field} must be {"t": <seconds>, "i": <ordinal>}`);
  if (m.kind === "oplog" && !isTs(m.prevTs)) problems.push('prevTs must be {"t": <seconds>, "i": <ordinal>} for a slice');
  if (m.lastTerm !== undefined && (m.kind !== "full" || !Number.isSafeInteger(m.lastTerm) || m.lastTerm < 0)) problems.push("lastTerm must be a non-negative integer, and only in a full dump's manifest");
  if (m.majorityCommit !== undefined && (m.kind !== "full" || !["confirmed", "unconfirmed"].includes(m.majorityCommit) || m.lastTerm === undefined))
    problems.push('majorityCommit must be "confirmed" or "unconfirmed", only in a full dump\'s manifest, and with lastTerm');
  const formats = m.kind === "full" && FULL_FORMATS_BY_VERSION[m.schemaVersion] ? FULL_FORMATS_BY_VERSION[m.schemaVersion] : READABLE_FORMATS[m.kind];
  if (formats && !formats.includes(m.format))
    problems.push(`format must be ${formats.map((f) => `"${f}"`).join(" or ")} for kind ${m.kind}${m.kind === "full" ? ` and schemaVersion ${m.schemaVersion}` : ""}, got ${JSON.stringify(m.format)}`);
  return problems;
}

function isManifestName(name) {
  return name === "manifest.json" || name.endsWith(MANIFEST_SUFFIX);
}

/**
 * Majority confirmation (issue 10 item 5, backup/majority.ts holds the rule and its sources): a full
 * dump whose manifest says majorityCommit "unconfirmed" bases no chain until a record
 * `<name>.confirmed.json` beside it, written once by a later job, says the set's majority commit
 * point passed its lastTs in the same term. confirmationProblem IS backup/majority.ts's, embedded
 * as text into the pruner module at synth time (embeddable-pruner.ts), so the rule has one copy;
 * confirmationName is the same as majority.ts's (a unit test holds the two together).
 */
const CONFIRMATION_SUFFIX = ".confirmed.json";

function confirmationName(manifestName) {
  return manifestName.replace(/\.manifest\.json$/, "").replace(/^manifest\.json$/, "manifest") + CONFIRMATION_SUFFIX;
}

/**
 * backup/majority.ts confirmationProblem, from the pruner module: BACKUP_PRUNER (the jobs and the
 * tests), else pruner.js beside this file (the pod's ConfigMap lays them out together). Read on the
 * first call: the scripts that never read a confirmation need no pruner.
 */
function confirmationProblem(record, manifest, manifestName) {
  const pruner = require(process.env.BACKUP_PRUNER || path.join(__dirname, "pruner.js"));
  if (typeof pruner.confirmationProblem !== "function") throw new Error("the pruner module has no confirmationProblem: regenerate it (backup/retention/embeddable-pruner.ts)");
  return pruner.confirmationProblem(record, manifest, manifestName);
}

/** The confirmation record's path (relative to the catalog) for a manifest's path. */
function confirmationPath(manifestPath) {
  const slash = manifestPath.lastIndexOf("/");
  return manifestPath.slice(0, slash + 1) + confirmationName(manifestPath.slice(slash + 1));
}

/** Whether a manifest bases a chain (backup/majority.ts isChainBase; analyzeChain applies the same rule). */
function isChainBase(m) {
  return m.kind === "full" && (m.majorityCommit !== "unconfirmed" || m.confirmed === true);
}

/** Full dumps still waiting for their majority confirmation, oldest first. */
function unconfirmedDumps(manifests) {
  return manifests.filter((m) => m.kind === "full" && !isChainBase(m)).sort((a, b) => tsCmp(a.lastTs, b.lastTs));
}

/** The confirmation record of an unconfirmed dump, or false: a missing or mismatched one leaves it unconfirmed. */
function readConfirmation(root, relPath, manifest) {
  if (manifest.kind !== "full" || manifest.majorityCommit !== "unconfirmed") return false;
  const file = path.join(root, confirmationPath(relPath));
  if (!fs.existsSync(file)) return false;
  let record;
  try {
    record = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    return false;
  }
  return confirmationProblem(record, manifest, relPath.slice(relPath.lastIndexOf("/") + 1)) === undefined ? record : false;
}

/**
 * Every manifest under `root` (any depth; hidden entries and partial files skipped), each with
 * `manifestPath` and `artifactPath`, both relative to `root`. Throws, naming the file, on a
 * manifest it cannot use: a job must not plan from a catalog it only half understands.
 */
function loadCatalog(root) {
  const manifests = [];
  const walk = (rel) => {
    const dir = path.join(root, rel);
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (entry.name.startsWith(".")) continue;
      const relPath = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(relPath);
      else if (entry.isFile() && isManifestName(entry.name)) {
        if (!isSafePath(relPath)) throw new Error(`${JSON.stringify(relPath)}: a manifest's path must match ${SAFE_PATH.source}`);
        let parsed;
        try {
          parsed = JSON.parse(fs.readFileSync(path.join(root, relPath), "utf8"));
        } catch (err) {
          throw new Error(`${relPath}: not valid JSON (${err.message})`);
        }
        const problems = manifestProblems(parsed);
        if (problems.length) throw new Error(`${relPath}: ${problems.join("; ")}`);
        const entry = { ...parsed, manifestPath: relPath, artifactPath: rel ? `${rel}/${parsed.file}` : parsed.file };
        const confirmation = readConfirmation(root, relPath, parsed);
        if (confirmation) Object.assign(entry, { confirmed: true, confirmation });
        manifests.push(entry);
      }
    }
  };
  if (fs.existsSync(root)) walk("");
  return manifests;
}

function newestOf(manifests, kind) {
  return manifests.filter((m) => m.kind === kind).reduce((best, m) => (!best || tsCmp(m.lastTs, best.lastTs) > 0 ? m : best), undefined);
}

/**
 * Where the next oplog slice starts, given the catalog and the oldest entry still in the source's
 * oplog. Returns one of
 *   {action: "slice", from, chainBreak?}  save the entries after `from`
 *   {action: "full", chainBreak, reason}  a full dump is needed first
 * `chainBreak` (a message) means restore points were lost: the job must fail loudly.
 */
function sliceStart({ manifests, oldest }) {
  const full = newestOf(manifests, "full");
  const slice = newestOf(manifests, "oplog");
  const held = (ts) => tsCmp(oldest, ts) <= 0; // the oplog still holds ts, so everything after it
  const lost = (ts, what) =>
    `chain broken: the oldest entry still in the oplog (${tsText(oldest)}) is newer than the end of ${what} (${tsText(ts)}); the entries in between are lost`;

  if (!full) return { action: "full", chainBreak: null, reason: "no full dump in the catalog yet: a chain starts with one" };
  if (slice && tsCmp(slice.lastTs, full.lastTs) >= 0) {
    // The chain has reached the newest full dump: continue it, or it is broken.
    if (held(slice.lastTs)) return { action: "slice", from: slice.lastTs, chainBreak: null };
    return { action: "full", chainBreak: lost(slice.lastTs, `the last saved slice ${slice.artifactPath}`), reason: "a new chain needs a new full dump" };
  }
  // The newest full dump has not joined a chain yet. Keep the older chain continuous if the oplog
  // still reaches back to its end...
  if (slice && held(slice.lastTs)) return { action: "slice", from: slice.lastTs, chainBreak: null };
  // ...otherwise start a new chain that this dump joins: from inside its window (prevTs < lastTs).
  const chainBreak = slice ? lost(slice.lastTs, `the last saved slice ${slice.artifactPath}`) + `; a new chain starts at ${full.artifactPath}` : null;
  if (held(full.firstTs)) return { action: "slice", from: full.firstTs, chainBreak };
  if (tsCmp(oldest, full.lastTs) < 0) return { action: "slice", from: oldest, chainBreak };
  return {
    action: "full",
    chainBreak: lost(full.lastTs, `the newest full dump ${full.artifactPath}`),
    reason: "a new chain needs a new full dump",
  };
}

/**
 * The slices that carry `full` as far as its chain reaches, in replay order: the restore planner's
 * chain logic (backup/restore/chain.ts analyzeChain, passed in: the pod has it in the generated
 * pruner module), so verification and the planner never disagree. A forked chain (two slices from
 * the same prevTs, e.g. a manual `kubectl create job --from=cronjob/...`) is followed the way the
 * planner follows it, not by the first filename.
 */
function chainFrom(full, manifests, analyzeChain) {
  const analysis = analyzeChain(manifests);
  const reach = analysis.reaches.find((r) => r.dump === full);
  if (!reach) return [];
  return analysis.slicesTo(full, reach.to) || [];
}

/** Manifests record `counts` as of their lastTs (docs/backup-format.md). */
function hasCounts(m) {
  return m.counts !== null && typeof m.counts === "object" && !Array.isArray(m.counts);
}

/**
 * What the verification job restores, in ONE mongorestore call as a restore does: the newest full
 * dump and the slices that carry it to the checkpoint, the newest point of that chain with
 * recorded counts, replayed with the limit just after the checkpoint; then the counts are checked.
 * The slices after the checkpoint are merged too (op "tail": read, in order, continuing the chain)
 * but not applied: applying them would take a second mongorestore process, which is exactly what
 * a restore must not do. A schemaVersion 1 base (an archive) takes no slices (it cannot be
 * combined with --oplogFile), so its own counts are the only checkpoint it has.
 * `gap` names slices newer than the chain's end that the chain does not reach.
 */
function verificationPlan(manifests, analyzeChain) {
  // The newest dump that bases a chain: an unconfirmed one is not restored (nor planned, nor kept as a base).
  const full = newestOf(manifests.filter((m) => m.kind !== "full" || isChainBase(m)), "full");
  if (!full) {
    const waiting = unconfirmedDumps(manifests);
    if (waiting.length) throw new Error(`no confirmed full dump in the catalog: ${waiting.map((m) => m.artifactPath).join(", ")} wait for the majority commit point to pass their lastTs; nothing to verify`);
    throw new Error("no full dump in the catalog: nothing to verify");
  }
  const chain = chainFrom(full, manifests, analyzeChain);
  const artifacts = [full, ...chain];
  let checkAt = -1;
  artifacts.forEach((m, index) => {
    if (hasCounts(m) && (index === 0 || isDirectoryDump(full))) checkAt = index;
  });
  if (checkAt < 0)
    throw new Error(
      isDirectoryDump(full)
        ? `no artifact from ${full.artifactPath} on recorded document counts at its lastTs: nothing to compare a restore with`
        : `${full.artifactPath} is a schemaVersion 1 archive without recorded counts, and its slices cannot be replayed with it in one call: nothing to compare a restore with until the next full dump`,
    );
  const end = artifacts[artifacts.length - 1];
  const newest = newestOf(manifests, "oplog");
  const gap = newest && tsCmp(newest.lastTs, end.lastTs) > 0 ? `the chain from ${full.artifactPath} ends at ${tsText(end.lastTs)} (${end.artifactPath}), but ${newest.artifactPath} ends at ${tsText(newest.lastTs)}: restore points in between are unreachable` : null;
  const checkpoint = artifacts[checkAt];
  const limit = tsText(tsNext(checkpoint.lastTs));
  const steps = [];
  artifacts.forEach((m, index) => {
    if (index === 0) steps.push({ op: isDirectoryDump(m) ? "unpack" : "archive", manifest: m, limit });
    else steps.push({ op: index <= checkAt ? "oplog" : "tail", manifest: m, limit: index <= checkAt ? limit : null });
    if (index === checkAt) steps.push({ op: "check", manifest: m, limit: null });
  });
  return { full, chain, checkpoint, end, gap, limit, steps };
}

/** The position right after ts: the exclusive limit that includes ts (backup/timestamp.ts tsAfter). */
function tsNext(ts) {
  return ts.i < 4294967295 ? { t: ts.t, i: ts.i + 1 } : { t: ts.t + 1, i: 0 };
}

function parseLimit(text) {
  const match = /^(\d+):(\d+)$/.exec(String(text));
  if (!match) throw new Error(`oplogLimit must be "<seconds>:<ordinal>", got ${JSON.stringify(text)}`);
  return { t: Number(match[1]), i: Number(match[2]) };
}

/**
 * The steps of a plan made by `npm run restore -- plan --json` (its `base`, `slices`
 * and `oplogLimit`; artifact paths relative to the catalog), checked against this catalog: every
 * file must have its manifest here, with the checksum the plan recorded, and the slices must
 * continue the base without a gap, by the planner's own chain logic (`analyzeChain`), and reach
 * the plan's target: the last artifact must end at or after the last position the exclusive
 * oplogLimit includes. Every call gets the plan's exclusive oplogLimit. The plan's own argv is not
 * run: it names the catalog directory of the machine that made the plan.
 */
function restoreSteps(plan, manifests, replicaSet, analyzeChain) {
  if (!plan || typeof plan !== "object" || Array.isArray(plan)) throw new Error("the plan is not a JSON object");
  if (replicaSet && plan.replicaSet !== undefined && plan.replicaSet !== replicaSet)
    throw new Error(`the plan is for replica set ${JSON.stringify(plan.replicaSet)}, this job restores ${JSON.stringify(replicaSet)}`);
  const limit = parseLimit(plan.oplogLimit);
  const byPath = new Map(manifests.map((m) => [m.artifactPath, m]));
  const planned = new Map((Array.isArray(plan.artifacts) ? plan.artifacts : []).map((s) => [s && s.file, s]));
  const lookup = (file, kind) => {
    const m = byPath.get(file);
    if (!m) throw new Error(`the plan names ${JSON.stringify(file)}, which has no manifest in this catalog`);
    if (m.kind !== kind) throw new Error(`the plan uses ${file} as ${kind === "full" ? "its base" : "a slice"}, but its manifest says kind ${m.kind}`);
    const step = planned.get(file);
    if (step && step.sha256 !== undefined && step.sha256 !== m.sha256)
      throw new Error(`the plan expects ${file} to have sha256 ${step.sha256}, its manifest here says ${m.sha256}: the plan was made from another catalog`);
    return m;
  };
  if (typeof plan.base !== "string" || !plan.base) throw new Error("the plan has no base");
  if (!Array.isArray(plan.slices)) throw new Error("the plan's slices must be a list");
  const base = lookup(plan.base, "full");
  // An unconfirmed dump bases no chain (issue 10 item 5): its end may have been rolled back.
  if (!isChainBase(base))
    throw new Error(`the plan's base ${base.artifactPath} is unconfirmed: the set's majority commit point has not been seen past its lastTs (no ${confirmationPath(base.manifestPath)}), so it may hold writes that were rolled back`);
  const slices = plan.slices.map((file) => lookup(file, "oplog"));
  let previous = null;
  for (const s of slices) {
    if (previous && tsCmp(s.prevTs, previous.lastTs) !== 0) throw new Error(`${s.artifactPath} does not continue ${previous.artifactPath}: the plan has a gap`);
    previous = s;
  }
  if (tsCmp(limit, base.lastTs) <= 0) throw new Error(`oplogLimit ${tsText(limit)} is not after the base's lastTs ${tsText(base.lastTs)}: the base cannot restore that early`);
  // The last position the exclusive limit includes (as backup/timestamp.ts tsBefore).
  const target = limit.i > 0 ? { t: limit.t, i: limit.i - 1 } : { t: limit.t - 1, i: 4294967295 };
  // The planner's own path from this base to the target, over the plan's artifacts only: it must be
  // exactly the plan's slices (contiguous, joining the base, and reaching the target).
  const path = analyzeChain([base, ...slices]).slicesTo(base, target);
  const end = slices.length ? slices[slices.length - 1] : base;
  if (!path && tsCmp(end.lastTs, target) < 0)
    throw new Error(`the plan ends at ${tsText(end.lastTs)} (${end.artifactPath}), before its target ${tsText(target)} (oplogLimit ${tsText(limit)}): it does not reach the point it restores to`);
  if (!path || path.length !== slices.length || path.some((s, k) => s !== slices[k])) {
    throw new Error(
      slices.length ? `${slices[0].artifactPath} does not continue the full dump ${base.artifactPath} the way the planner joins them` : `the plan has no slices, but ${base.artifactPath} does not reach ${tsText(target)}`,
    );
  }
  // One mongorestore process (backup/restore/planner.ts): a packed directory dump is unpacked and
  // its oplog merged with the slices; an archive of schemaVersion 1 takes no slices.
  if (!isDirectoryDump(base)) {
    if (slices.length)
      throw new Error(
        `${base.artifactPath} is a schemaVersion 1 archive: mongorestore cannot replay slices with it in one call (cannot use --oplogFile with --archive specified); plan a target from a schemaVersion 2 full dump`,
      );
    return [{ op: "archive", manifest: base, limit: tsText(limit) }];
  }
  return [{ op: "unpack", manifest: base, limit: tsText(limit) }, ...slices.map((m) => ({ op: "oplog", manifest: m, limit: tsText(limit) }))];
}

/**
 * One line per step for the shell:
 * `step <op> <artifact path> <sha256> <bytes> <limit or -> <manifest path> <format>`; the format
 * tells mongorestore how to read the artifact (`+gzip`: with --gzip).
 */
function stepLines(steps) {
  return steps.map((s) => {
    // loadCatalog() refused any other name already; checked again here, where a name becomes a line.
    for (const name of [s.manifest.artifactPath, s.manifest.manifestPath])
      if (!isSafePath(name)) throw new Error(`refusing to write a step for ${JSON.stringify(name)}: it does not match ${SAFE_PATH.source}`);
    return ["step", s.op, s.manifest.artifactPath, s.manifest.sha256, s.manifest.bytes, s.limit || "-", s.manifest.manifestPath, s.manifest.format].join(" ");
  });
}

/** A full dump's staging directory (scripts/full-dump.sh: full/.<name>.stage). */
function isStageName(name) {
  return /^\.[A-Za-z0-9._-]+\.stage$/.test(name);
}

/**
 * Leftovers a crash can leave in the artifact directories: partial files, and artifacts no
 * manifest names (the manifest is written last and deleted first). Only files older than
 * `minAgeMs` go, so a job writing now keeps its files. `files`: [{path, mtimeMs}], paths relative
 * to the catalog; manifests are never leftovers.
 */
function leftovers(files, manifests, nowMs, minAgeMs) {
  const referenced = new Set(manifests.map((m) => m.artifactPath));
  const confirmed = new Set(manifests.map((m) => confirmationPath(m.manifestPath)));
  return files
    .filter((f) => nowMs - f.mtimeMs >= minAgeMs)
    .filter((f) => {
      const name = f.path.slice(f.path.lastIndexOf("/") + 1);
      if (name.endsWith(PART_SUFFIX)) return true;
      // A confirmation record goes with its manifest.
      if (name.endsWith(CONFIRMATION_SUFFIX)) return !confirmed.has(f.path);
      return !isManifestName(name) && !name.startsWith(".") && !referenced.has(f.path);
    })
    .map((f) => f.path)
    .sort();
}

/**
 * Everything the oplog-slice job decides before it dumps, from the catalog and its source's facts:
 *   action  "slice" (save (from, to]), "none" (nothing committed since `from`), or "full"
 *   to      the upper bound: the majority commit point, capped at what the source has applied
 *   countsAfter  take document counts when the slice ends at or after this second (counts cost a
 *           collection scan, so they are taken every `countsEverySeconds`, not for every slice)
 */
function slicePlan({ manifests, oldest, majority, applied, setNewest, replicaSetId, countsEverySeconds }) {
  // Only this replica set's artifacts (and those of earlier releases, which recorded no id) can be
  // continued: a new set with the same name starts its own chain with a full dump.
  const own = replicaSetId ? manifests.filter((m) => !m.replicaSetId || m.replicaSetId === replicaSetId) : manifests;
  const start = sliceStart({ manifests: own, oldest });
  const to = tsCmp(majority, applied) <= 0 ? majority : applied;
  const counted = manifests.filter(hasCounts).map((m) => m.lastTs.t);
  const countsAfter = counted.length ? Math.max(...counted) + countsEverySeconds : 0;
  // Against the newest write of the whole set, not the chosen member's own: a secondary that
  // stopped applying has a commit point equal to its own last write, and looked on time.
  const newest = setNewest && tsCmp(setNewest, applied) > 0 ? setNewest : applied;
  const commitLagSeconds = Math.max(0, newest.t - majority.t);
  if (start.action === "slice" && tsCmp(to, start.from) <= 0) return { ...start, action: "none", to, countsAfter, commitLagSeconds };
  return { ...start, to, countsAfter, commitLagSeconds };
}

/**
 * The recovery point (RPO): how far the newest restorable point trails the set's newest write,
 * i.e. the seconds of writes a restore right now would lose. `restorableUntil` is the newest point
 * the catalog reaches (the planner's chain logic: the pruner module's newestRestorable), or null
 * without a full dump. `lagSeconds` is setNewest.t - restorableUntil.t, 0 when the catalog reaches
 * the newest write, null without a restore point; past `maxLagSeconds`, three slice intervals, the
 * slice job fails loudly.
 */
function recoveryPoint({ restorableUntil, setNewest, sliceIntervalSeconds }) {
  const lagSeconds = restorableUntil ? Math.max(0, setNewest.t - restorableUntil.t) : null;
  const maxLagSeconds = 3 * sliceIntervalSeconds;
  return { restorableUntil, lagSeconds, maxLagSeconds, exceeded: lagSeconds === null || lagSeconds > maxLagSeconds };
}

/**
 * The catalog head (issue 10 item 8, docs/backups.md "Listing S3 incrementally"): what the next
 * slice job must know of a catalog, so it reads a few objects instead of every manifest.
 *   entries  the manifests it decides from, copied whole (with a dump's confirmation record):
 *            every full dump from the one whose chain reaches furthest (the newest restorable
 *            point's base) on, the newest slice (where the next one starts) and the newest
 *            manifest with counts (when counts are due)
 *   spans    each of those dumps' chain of slices, compacted into one {prevTs, lastTs}: a
 *            contiguous run reaches exactly what its ends reach, so analyzeChain over entries and
 *            spans gives the same reaches (and recovery point) as over the whole catalog
 *   after    where to list new keys from: "full/<stamp of the newest dump>" and
 *            "oplog/<seconds of the newest slice's prevTs>" (keys sort by those: a new slice's
 *            prevTs is the newest slice's lastTs; a new dump's name starts with a later stamp)
 *   probe    confirmation records an unconfirmed dump may have got since (written after the dump,
 *            so not after its stamp in key order)
 * `spans` are earlier heads' spans ({kind: "oplog", prevTs, lastTs, span: true}); `analyzeChain`
 * is the planner's chain logic (the pruner module's).
 */
function catalogHead(manifests, spans, analyzeChain) {
  const all = manifests.concat(spans || []);
  const fulls = manifests.filter((m) => m.kind === "full");
  let base = null;
  let reachEnd = null;
  for (const r of analyzeChain(all).reaches) {
    if (reachEnd && tsCmp(r.to, reachEnd) <= 0) continue;
    base = r.dump;
    reachEnd = r.to;
  }
  const kept = fulls.filter((m) => !base || tsCmp(m.lastTs, base.lastTs) >= 0).sort((a, b) => tsCmp(a.lastTs, b.lastTs));
  // Each kept dump's chain as if it were confirmed (an unconfirmed one may be confirmed later).
  const forced = all.map((m) => (m.kind === "full" ? { ...m, confirmed: true, original: m } : m));
  const analysis = analyzeChain(forced);
  const newSpans = [];
  const seen = new Set();
  for (const r of analysis.reaches) {
    if (!kept.includes(r.dump.original)) continue;
    const path = analysis.slicesTo(r.dump, r.to) || [];
    if (!path.length) continue;
    const span = { kind: "oplog", span: true, prevTs: path[0].prevTs, lastTs: path[path.length - 1].lastTs };
    if (r.dump.replicaSetId) span.replicaSetId = r.dump.replicaSetId;
    const key = `${tsText(span.prevTs)}_${tsText(span.lastTs)}_${span.replicaSetId || ""}`;
    if (seen.has(key)) continue;
    seen.add(key);
    newSpans.push(span);
  }
  const slices = manifests.filter((m) => m.kind === "oplog");
  const newestSlice = newestOf(slices, "oplog");
  const counted = manifests.filter(hasCounts).reduce((best, m) => (!best || tsCmp(m.lastTs, best.lastTs) > 0 ? m : best), undefined);
  const entries = [];
  for (const m of [...kept, newestSlice, counted]) {
    if (!m || entries.some((e) => e.manifestPath === m.manifestPath)) continue;
    const { manifestPath, artifactPath: _a, confirmed, confirmation, ...manifest } = m;
    void _a;
    entries.push({ manifestPath, manifest, ...(confirmed && confirmation ? { confirmation } : {}) });
  }
  const newestFull = kept.length ? kept[kept.length - 1] : null;
  const stamp = newestFull && /^(full\/[0-9]{8}T[0-9]{6}Z)/.exec(newestFull.manifestPath);
  return {
    after: { full: stamp ? stamp[1] : "full/", oplog: newestSlice ? `oplog/${newestSlice.prevTs.t}` : "oplog/" },
    probe: kept.filter((m) => !isChainBase(m)).map((m) => confirmationPath(m.manifestPath)),
    entries,
    spans: newSpans,
  };
}

/**
 * The head as the file status/catalog-head holds it: key lines the S3 container reads with bash
 * (it has no JSON parser: `after`, `probe`, and `known` for what it need not download again),
 * `---`, then the JSON the mongo container reads.
 */
function headText(head) {
  // `known`: the manifests (and records) the head carries, which a listing after `after` lists again.
  const known = head.entries.flatMap((e) => [e.manifestPath, ...(e.confirmation ? [confirmationPath(e.manifestPath)] : [])]);
  const lines = ["nyrkio-catalog-head 1", `after ${head.after.full}`, `after ${head.after.oplog}`, ...head.probe.map((p) => `probe ${p}`), ...known.map((k) => `known ${k}`)];
  for (const line of lines.slice(1)) if (!isSafePath(line.split(" ")[1]) && !/^(full|oplog)\/$/.test(line.split(" ")[1])) throw new Error(`refusing a head line ${JSON.stringify(line)}`);
  return `${lines.join("\n")}\n---\n${JSON.stringify({ entries: head.entries, spans: head.spans })}\n`;
}

/** The JSON part of a head file's text; throws on anything else. */
function parseHeadText(text) {
  const at = text.indexOf("\n---\n");
  if (!text.startsWith("nyrkio-catalog-head 1\n") || at < 0) throw new Error("not a catalog head (nyrkio-catalog-head 1)");
  const body = JSON.parse(text.slice(at + 5));
  if (!Array.isArray(body.entries) || !Array.isArray(body.spans)) throw new Error("a catalog head needs entries and spans");
  for (const e of body.entries) {
    if (!isSafePath(e.manifestPath) || !isManifestName(e.manifestPath.slice(e.manifestPath.lastIndexOf("/") + 1))) throw new Error(`a catalog head names ${JSON.stringify(e.manifestPath)}, not a manifest path`);
    const problems = manifestProblems(e.manifest);
    if (problems.length) throw new Error(`${e.manifestPath} in the catalog head: ${problems.join("; ")}`);
  }
  for (const sp of body.spans) if (!isTs(sp.prevTs) || !isTs(sp.lastTs) || tsCmp(sp.prevTs, sp.lastTs) >= 0) throw new Error("a catalog head's span must run from prevTs to a later lastTs");
  return { entries: body.entries, spans: body.spans.map((sp) => ({ kind: "oplog", span: true, prevTs: sp.prevTs, lastTs: sp.lastTs, ...(sp.replicaSetId ? { replicaSetId: sp.replicaSetId } : {}) })) };
}

/** Spans an incremental pull left beside the catalog (<catalog>/.spans.json), or none. */
function loadSpans(root) {
  const file = path.join(root, ".spans.json");
  return fs.existsSync(file) ? parseHeadText(`nyrkio-catalog-head 1\n---\n${JSON.stringify({ entries: [], spans: JSON.parse(fs.readFileSync(file, "utf8")) })}`).spans : [];
}

module.exports = {
  CONFIRMATION_SUFFIX,
  FORMATS,
  FULL_FORMATS_BY_VERSION,
  READABLE_FORMATS,
  READABLE_SCHEMA_VERSIONS,
  MANIFEST_SUFFIX,
  PART_SUFFIX,
  SCHEMA_VERSION,
  catalogHead,
  chainFrom,
  confirmationName,
  confirmationPath,
  confirmationProblem,
  hasCounts,
  isDirectoryDump,
  headText,
  isChainBase,
  isManifestName,
  isStageName,
  isTs,
  leftovers,
  loadCatalog,
  loadSpans,
  manifestProblems,
  newestOf,
  parseHeadText,
  parseLimit,
  recoveryPoint,
  restoreSteps,
  slicePlan,
  sliceStart,
  stepLines,
  tsCmp,
  tsNext,
  tsText,
  unconfirmedDumps,
  verificationPlan,
};
