// The pruner as JavaScript source, for the backup pod's mongosh script: the pod runs the official
// mongo image, which has mongosh but no Node project, so the backup stack writes this text into
// the script at synth time and the pod calls `prune(manifests, new Date().toISOString(), policy)`.
// It is built from the very functions the tests exercise (Function.prototype.toString), so the
// pod and the tests cannot drift apart. Each function is self-contained and bound by expression,
// so the names a compiler gives the originals do not matter.

import { confirmationProblem, majorityVerdict } from "../majority";
import { analyzeChain, newestRestorable } from "../restore/chain";
import { decideRetention } from "./pruner";

/**
 * The pod's pruner module: `prune`, `analyzeChain` (the planner's chain logic, for verification and
 * the restore Job), `newestRestorable(manifests)` (the recovery point the slice
 * job records, backup/mongosh/recovery-point.js) and `majorityVerdict(dump, observation)` (whether a
 * full dump's end is majority-committed, backup/majority.ts; backup/mongosh/confirm-dumps.js) and
 * `confirmationProblem(record, manifest, manifestName)` (whether a confirmation record confirms a
 * dump, backup/majority.ts; backup/mongosh/catalog.js calls it), exported for mongosh's require().
 */
export function embeddablePrunerModule(): string {
  return [
    "// Generated at synth time from backup/retention (embeddablePruner): do not edit in the cluster.",
    '"use strict";',
    embeddablePruner(),
    `const analyzeChain = (${analyzeChain.toString()});`,
    "function newestRestorable(manifests) {",
    `  return (${newestRestorable.toString()})(manifests, analyzeChain);`,
    "}",
    `const majorityVerdict = (${majorityVerdict.toString()});`,
    `const confirmationProblem = (${confirmationProblem.toString()});`,
    "module.exports = { prune, newestRestorable, analyzeChain, majorityVerdict, confirmationProblem };",
    "",
  ].join("\n");
}

/** Source of `function prune(manifests, nowIso, policy)`, returning {keep, delete}: [{manifest, reason}]. */
export function embeddablePruner(): string {
  return [
    "function prune(manifests, nowIso, policy) {",
    `  const analyzeChain = (${analyzeChain.toString()});`,
    `  const decideRetention = (${decideRetention.toString()});`,
    "  return decideRetention(manifests, nowIso, policy, analyzeChain);",
    "}",
  ].join("\n");
}
