// A sharded cluster takes a new MongoDB image in one order only: config servers, then shards, then
// mongos (stacks/constructs/sharding/sharded-cluster.ts orders the deploy so). A downgrade needs
// the reverse order (mongos, then shards, then config servers, after lowering the
// featureCompatibilityVersion for a major downgrade: https://www.mongodb.com/docs/manual/release-notes/8.0-downgrade-sharded-cluster/),
// which a deploy cannot express; so the config refuses it and points to the runbook.
//
// What is deployed is not in the config: main.ts hands in the image of the previous synth of the
// database stack (cdktf.out, which `cdktf deploy` rewrites on every run and which a refused synth
// leaves alone), read here from its StatefulSets. No previous synth (a fresh clone): no check.

import type { PlatformConfig } from "./platform-config";
import { MongoImage, parseMongoImage } from "./mongo-image";
import type { ExtraRule } from "./validate";

export const DOWNGRADE_RUNBOOK = "docs/runbooks/downgrade-sharded.md";

/** Negative when a is older than b. */
export function compareMongoVersions(a: MongoImage, b: MongoImage): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

/** The newest mongod image of a synthesized database stack's StatefulSets, or undefined when it has none. */
export function deployedImageFromSynth(stackJson: string): string | undefined {
  let parsed: { resource?: { kubernetes_stateful_set_v1?: Record<string, { spec?: { template?: { spec?: { container?: { name?: string; image?: string }[] } } } }> } };
  try {
    parsed = JSON.parse(stackJson);
  } catch {
    return undefined;
  }
  const images = Object.values(parsed.resource?.kubernetes_stateful_set_v1 ?? {})
    .flatMap((ss) => ss.spec?.template?.spec?.container ?? [])
    .filter((c) => c.name === "mongod" && typeof c.image === "string")
    .map((c) => c.image as string)
    .filter((image) => parseMongoImage(image));
  return images.sort((a, b) => compareMongoVersions(parseMongoImage(b)!, parseMongoImage(a)!))[0];
}

/**
 * The rule, given how to find what is deployed: the previous synth of the config's database stack.
 * `downgradeDone` is the image an operator has already rolled out by hand (the runbook's last
 * step); the config may then name it.
 */
export function shardedDowngradeRule(deployedImage: (config: PlatformConfig) => string | undefined, downgradeDone?: string): ExtraRule {
  return (config) => {
    const none = { problems: [], warnings: [] };
    // NYRKIO_DB_DOWNGRADE_DONE=<image>: the runbook's last step, once every member runs it already.
    if (!config.sharding.enabled || (downgradeDone !== undefined && downgradeDone === config.image)) return none;
    const deployed = deployedImage(config);
    const before = deployed ? parseMongoImage(deployed) : undefined;
    const next = parseMongoImage(config.image);
    if (!before || !next || compareMongoVersions(next, before) >= 0) return none;
    return {
      problems: [
        {
          path: "image",
          rule: `must not be older than the deployed ${deployed} in a sharded cluster: a deploy updates config servers, shards, then mongos, and a downgrade needs the reverse order; follow ${DOWNGRADE_RUNBOOK}, got ${JSON.stringify(config.image)}`,
        },
      ],
      warnings: [],
    };
  };
}
