// The desired replica-set config document: exactly what rs.initiate / replSetReconfig receive
// for the managed fields. It is rendered into a ConfigMap as JSON (key `replicaset.json`), so a
// reviewer sees every member, priority and vote in the plan diff, and the reconcile job reads the
// very same text.

import type { PlatformConfig, ReplsetConfig } from "../config/platform-config";
import { arbiterHost, dataMemberHost } from "../config/hosts";

export interface ReplicaSetMember {
  _id: number;
  host: string;
  /** Only on the arbiter (true); data members leave it out (MongoDB's default is false). */
  arbiterOnly?: boolean;
  priority: number;
  votes: 0 | 1;
}

export interface ReplicaSetConfigDocument {
  _id: string;
  /** true for a config server replica set (sharding). */
  configsvr?: boolean;
  members: ReplicaSetMember[];
}

/** _id of the arbiter: data members use their StatefulSet ordinal (0..49); the arbiter a fixed id above them. */
export const ARBITER_MEMBER_ID = 100;

/**
 * The designed config of one replica set. Key order is fixed (it is shown as JSON in the plan
 * diff): `_id`, `configsvr` when asked, `members`; per member `_id`, `host`, (`arbiterOnly`),
 * `priority`, `votes`.
 */
export function renderReplicaSetConfig(
  config: PlatformConfig,
  replset: ReplsetConfig,
  opts: { configsvr?: boolean } = {},
): ReplicaSetConfigDocument {
  // MongoDB refuses arbiters in a config server replica set; config validation keeps them out,
  // so reaching this is a programming error, not a user's.
  if (opts.configsvr && replset.arbiter.enabled) throw new Error(`replica set ${replset.name}: a config server replica set cannot have an arbiter`);

  const members: ReplicaSetMember[] = replset.members.map((member, ordinal) => ({
    _id: ordinal,
    host: dataMemberHost(config, replset, ordinal),
    priority: member.priority,
    votes: member.votes,
  }));
  if (replset.arbiter.enabled) {
    // Always priority 0 and one vote: an arbiter holds no data and exists only to vote.
    members.push({ _id: ARBITER_MEMBER_ID, host: arbiterHost(config, replset), arbiterOnly: true, priority: 0, votes: 1 });
  }
  return opts.configsvr ? { _id: replset.name, configsvr: true, members } : { _id: replset.name, members };
}

/** The same document as pretty JSON (two-space indent, trailing newline): the ConfigMap value. */
export function renderReplicaSetConfigJson(config: PlatformConfig, replset: ReplsetConfig, opts: { configsvr?: boolean } = {}): string {
  return `${JSON.stringify(renderReplicaSetConfig(config, replset, opts), null, 2)}\n`;
}
