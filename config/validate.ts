// Validation of a whole environment config: the schema's field rules first, then the rules that
// span fields (voting members, arbiters, sharding). Every problem is reported, each with the path
// of the field and the rule it breaks; warnings are reported but do not stop a synth.

import { activeWindowFindings } from "./balancer-active-window";
import { parseQuantity } from "./quantity";
import { ConfigProblem, join } from "./schema";
import { PlatformConfig, platformConfigSchema, ReplsetConfig, ResourcesConfig } from "./platform-config";
import { tlsProblems } from "./tls-rules";

export const MAX_VOTING_MEMBERS = 7;

export type ValidationResult =
  | { ok: true; config: PlatformConfig; warnings: ConfigProblem[] }
  | { ok: false; problems: ConfigProblem[] };

/**
 * A rule that needs knowledge beyond config/, such as the shard-key rules that read the schema
 * catalog (sharding/): passed in by the caller, so config/ does not depend on the catalog.
 */
export type ExtraRule = (config: PlatformConfig) => { problems: ConfigProblem[]; warnings: ConfigProblem[] };

/** Voting members of a replica set as configured: data members with a vote, plus the arbiter. */
export function votingMembers(replset: ReplsetConfig): number {
  return replset.members.filter((m) => m.votes === 1).length + (replset.arbiter.enabled ? 1 : 0);
}

/**
 * The least memory limit of a member's mongod container: mongod (WiredTiger's cache floor is
 * 0.25 GB) and the readiness probe's mongosh, about 125 MiB for a second every 10 s (measured:
 * docs/replica-set.md, "Memory"), share it. Below this the probe can get mongod OOM-killed.
 */
export const MIN_MEMBER_MEMORY = "512Mi";

function memberMemoryProblems(r: ResourcesConfig, path: string): ConfigProblem[] {
  return parseQuantity(r.limits.memory)! < parseQuantity(MIN_MEMBER_MEMORY)!
    ? [{ path: join(path, "limits.memory"), rule: `must be at least ${MIN_MEMBER_MEMORY}: mongod and the readiness probe's mongosh (about 125 MiB) share the container, got ${r.limits.memory}` }]
    : [];
}

function resourcesProblems(r: ResourcesConfig, path: string): ConfigProblem[] {
  const req = parseQuantity(r.requests.memory)!;
  const lim = parseQuantity(r.limits.memory)!;
  return req > lim ? [{ path: join(path, "requests.memory"), rule: `must not exceed limits.memory (${r.limits.memory}), got ${r.requests.memory}` }] : [];
}

/**
 * MongoDB's remedy for a lagging data member in a PSA set: votes 0 and priority 0 on it
 * (docs/read-write-concern.md). It leaves an even number of voters on purpose, so it is a warning.
 */
function isPsaMitigation(rs: ReplsetConfig): boolean {
  return rs.arbiter.enabled && rs.members.some((m) => m.votes === 0) && votingMembers(rs) % 2 === 0;
}

function replsetProblems(rs: ReplsetConfig, path: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (rs.arbiter.priority !== 0)
    problems.push({ path: join(path, "arbiter.priority"), rule: `must be 0: an arbiter holds no data and can never become primary, got ${rs.arbiter.priority}` });
  const voting = votingMembers(rs);
  if (voting > MAX_VOTING_MEMBERS)
    problems.push({ path: join(path, "members"), rule: `a replica set has at most ${MAX_VOTING_MEMBERS} voting members, this config has ${voting}` });
  else if (voting % 2 === 0 && !isPsaMitigation(rs))
    problems.push({
      path: join(path, "members"),
      rule: `the number of voting members (data members with votes: 1, plus the arbiter) must be odd so an election always has a majority, got ${voting}`,
    });
  rs.members.forEach((m, i) => {
    if (m.votes === 0 && m.priority !== 0)
      problems.push({ path: join(path, `members[${i}].priority`), rule: `must be 0 for a member with votes: 0 (MongoDB refuses it), got ${m.priority}` });
  });
  if (!rs.members.some((m) => m.priority > 0))
    problems.push({ path: join(path, "members"), rule: "at least one data member needs a priority above 0, or no member can become primary" });
  problems.push(...resourcesProblems(rs.resources, join(path, "resources")), ...memberMemoryProblems(rs.resources, join(path, "resources")));
  problems.push(...resourcesProblems(rs.arbiter.resources, join(path, "arbiter.resources")));
  if (rs.arbiter.enabled) problems.push(...memberMemoryProblems(rs.arbiter.resources, join(path, "arbiter.resources")));
  return problems;
}

type S3Storage = Extract<PlatformConfig["backup"]["storage"], { type: "s3" }>;

/**
 * Backups on S3: an endpoint in clear only where explicitly allowed (tests against a local
 * MinIO), and three different keys, or the split that keeps deletion from the writers is void.
 */
export function s3StorageProblems(storage: S3Storage, path: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (storage.endpoint && /^http:\/\//i.test(storage.endpoint) && storage.allowInsecureEndpoint !== true)
    problems.push({
      path: join(path, "endpoint"),
      rule: `must be an https:// URL: over http:// every dump (every document and every user's SCRAM hash) crosses the network in clear; set ${join(path, "allowInsecureEndpoint")}: true only for a test store, got ${storage.endpoint}`,
    });
  const roles = ["writer", "reader", "pruner"] as const;
  roles.forEach((role, i) => {
    const same = roles.slice(0, i).find((other) => storage.credentials[other] === storage.credentials[role]);
    if (same)
      problems.push({
        path: join(path, `credentials.${role}`),
        rule: `must name a Secret of its own, not credentials.${same}'s (${storage.credentials[role]}): each key gets only what its jobs need, and only the pruner's may delete (docs/backups.md)`,
      });
  });
  const cse = storage.clientSideEncryption;
  if (cse && cse.publicKeySecret === cse.privateKeySecret)
    problems.push({
      path: join(path, "clientSideEncryption.privateKeySecret"),
      rule: `must name a Secret of its own, not publicKeySecret's (${cse.privateKeySecret}): the dump and slice jobs mount the public key's Secret and must never hold the private key`,
    });
  return problems;
}

function crossFieldRules(config: PlatformConfig, extraRules: readonly ExtraRule[]): { problems: ConfigProblem[]; warnings: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const warnings: ConfigProblem[] = [];
  config.replsets.forEach((rs, i) => problems.push(...replsetProblems(rs, `replsets[${i}]`)));
  config.replsets.forEach((rs, i) => {
    if (isPsaMitigation(rs))
      warnings.push({
        path: `replsets[${i}].members`,
        rule: `an even number of voting members (${votingMembers(rs)}) with a non-voting data member: the PSA mitigation for a lagging member; restore its vote once it has caught up`,
      });
  });

  const names = config.replsets.map((rs) => rs.name);
  names.forEach((name, i) => {
    if (names.indexOf(name) !== i) problems.push({ path: `replsets[${i}].name`, rule: `must be unique, "${name}" is used twice` });
  });
  if (!config.sharding.enabled && config.replsets.length !== 1)
    problems.push({ path: "replsets", rule: `must hold exactly one replica set while sharding.enabled is false, got ${config.replsets.length}` });

  // On SIGTERM, mongod (8.0) steps a primary down, waiting up to shutdownTimeoutMillisForSignaledShutdown
  // for a secondary to catch up, then spends what is left of that same budget in quiesce mode
  // (mongodb/mongo src/mongo/db/mongod_main.cpp, shutdownTask: stepDownForShutdown(opCtx,
  // shutdownTimeout, ...), then enterQuiesceModeIfSecondary(remaining)); then it closes the storage
  // engine (a final checkpoint). So the grace period is the quiesce budget plus 15 s for the close.
  const { terminationGracePeriodSeconds: grace, shutdownQuiesceSeconds: quiesce } = config.pod;
  if (grace < quiesce + 15)
    problems.push({
      path: "pod.terminationGracePeriodSeconds",
      rule: `must be at least shutdownQuiesceSeconds + 15 (${quiesce + 15}) so a primary can step down and mongod can exit before it is killed, got ${grace}`,
    });

  if (config.backup.enabled && config.backup.pitr.enabled) {
    config.replsets.forEach((rs, i) => {
      if (rs.oplogMinRetentionHours * 60 < config.backup.pitr.oplogSpanMin * 3)
        problems.push({
          path: `replsets[${i}].oplogMinRetentionHours`,
          rule: `must keep the oplog for at least three oplog slices (${config.backup.pitr.oplogSpanMin * 3} min) so one failed slice does not break the backup chain, got ${rs.oplogMinRetentionHours} h`,
        });
    });
  }

  if (!config.sharding.enabled && config.sharding.clientsOnMongosOnly)
    problems.push({ path: "sharding.clientsOnMongosOnly", rule: "needs sharding.enabled: without mongos, clients must reach the replica set's members" });
  if (config.sharding.enabled && !config.sharding.clientsOnMongosOnly)
    warnings.push({
      path: "sharding.clientsOnMongosOnly",
      rule: "is false: applications can still connect to the shards directly, bypassing mongos; set it true once they connect through mongos (docs/runbooks/convert-to-sharded.md)",
    });

  if (config.sharding.enabled) {
    const cs = config.sharding.configServer;
    if (cs.members < 3 || cs.members % 2 === 0)
      problems.push({ path: "sharding.configServer.members", rule: `must be an odd number of at least 3 (a config server replica set cannot have an arbiter), got ${cs.members}` });
    problems.push(...resourcesProblems(cs.resources, "sharding.configServer.resources"));
    problems.push(...resourcesProblems(config.sharding.mongos.resources, "sharding.mongos.resources"));
    config.replsets.forEach((rs, i) => {
      if (!rs.arbiter.enabled) return;
      const finding = {
        path: `replsets[${i}].arbiter.enabled`,
        rule: "a shard with an arbiter makes every transaction that writes to more than one shard abort",
      };
      if (config.sharding.allowShardArbiters) warnings.push(finding);
      else problems.push({ ...finding, rule: `${finding.rule}; set sharding.allowShardArbiters: true to accept that` });
    });
    const window = config.sharding.balancerActiveWindow;
    if (window && window.start === window.stop)
      problems.push({ path: "sharding.balancerActiveWindow.stop", rule: `must differ from start (MongoDB refuses an empty window), got ${window.stop}` });
    else if (config.backup.enabled) warnings.push(...activeWindowFindings(window, config.backup.full.schedule, "sharding.balancerActiveWindow"));
  }

  if (config.backup.storage.type === "s3") problems.push(...s3StorageProblems(config.backup.storage, "backup.storage"));

  if (config.monitoring.prometheusOperator && !config.monitoring.enabled)
    problems.push({ path: "monitoring.prometheusOperator", rule: "needs monitoring.enabled: true (the PodMonitor scrapes the exporters that monitoring adds), got true with monitoring off" });

  problems.push(...tlsProblems(config));

  for (const rule of extraRules) {
    const found = rule(config);
    problems.push(...found.problems);
    warnings.push(...found.warnings);
  }
  return { problems, warnings };
}

/** Validates an unknown value as an environment config: all problems, or the typed config. */
export function validateConfig(value: unknown, extraRules: readonly ExtraRule[] = []): ValidationResult {
  const problems: ConfigProblem[] = [];
  if (!platformConfigSchema.check(value, "", problems)) return { ok: false, problems };
  const found = crossFieldRules(value, extraRules);
  return found.problems.length ? { ok: false, problems: found.problems } : { ok: true, config: value, warnings: found.warnings };
}

export function formatProblem(p: ConfigProblem): string {
  return `${p.path}: ${p.rule}`;
}
