// `restore run --cluster` keeps the balancer stopped across the config servers' restore. The
// balancer runs on the config servers' primary (since 3.4) and reads its mode from
// config.settings {_id: "balancer"}: `stopped: true` means off whatever `mode` says
// (src/mongo/s/balancer_configuration.cpp, BalancerSettingsType::fromBSON). The config servers'
// restore replays config.settings as it was at the target, so the CLI writes `stopped: true`
// before their first step and again right after their last: the balancer may otherwise move
// chunks of half-restored shards in between. The write is the one balancerStop makes
// (BalancerConfiguration::setBalancerMode: $set {stopped, mode}, upsert, majority).
// The cluster's restore user may: its role nyrkioRestore grants anyAction on anyResource
// (restoreRole in replicaset/users.ts), which the oplog replay needs anyway.

import { MongoClient } from "mongodb";

export interface BalancerConnection {
  uri: string;
  password?: string;
}

export type StopBalancer = (connection: BalancerConnection) => Promise<void>;

/** The update, as balancerStop writes it. */
export const BALANCER_STOPPED_UPDATE = { $set: { stopped: true, mode: "off" } } as const;

/** Writes `stopped: true` on the config servers' primary, directly (not through mongos). */
export const stopBalancerWithDriver: StopBalancer = async ({ uri, password }) => {
  const url = new URL(uri);
  // The password comes from its own file: never in the URI on a command line or in a log.
  const client = new MongoClient(uri, {
    ...(password !== undefined ? { auth: { username: decodeURIComponent(url.username), password } } : {}),
    serverSelectionTimeoutMS: 30_000,
  });
  try {
    await client.connect();
    await client
      .db("config")
      .collection<{ _id: string }>("settings")
      .updateOne({ _id: "balancer" }, BALANCER_STOPPED_UPDATE, { upsert: true, writeConcern: { w: "majority" } });
  } finally {
    await client.close();
  }
};
