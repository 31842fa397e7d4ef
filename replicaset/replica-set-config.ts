// CONTRACT STUB (to be implemented by the replica-set logic work): the desired replica-set
// config document, exactly what rs.initiate / replSetReconfig receive.

import type { PlatformConfig, ReplsetConfig } from "../config/platform-config";

export interface ReplicaSetMember {
  _id: number;
  host: string;
  priority: number;
  votes: 0 | 1;
  arbiterOnly?: boolean;
}

export interface ReplicaSetConfigDocument {
  _id: string;
  /** true for a config server replica set (sharding). */
  configsvr?: boolean;
  members: ReplicaSetMember[];
}

/** _id of the arbiter: data members use their StatefulSet ordinal (0..49); the arbiter a fixed id above them. */
export const ARBITER_MEMBER_ID = 100;

export function renderReplicaSetConfig(
  _config: PlatformConfig,
  _replset: ReplsetConfig,
  _opts: { configsvr?: boolean } = {},
): ReplicaSetConfigDocument {
  throw new Error("not implemented yet");
}
