// sharded: an example of the scaled-out topology. rs0 (the former replica set) is the first
// shard; shards have three data members and no arbiter (cross-shard transactions abort on a
// shard with an arbiter). results is sharded on {test_id, timestamp}: test_id first, because a
// key that starts with the ever-growing timestamp sends every insert to one shard.
import type { PlatformConfig, ReplsetConfig } from "../platform-config";
import { dev } from "./dev";

const shard = (name: string): ReplsetConfig => ({
  ...dev.replsets[0],
  name,
  members: [
    { priority: 2, votes: 1 },
    { priority: 1, votes: 1 },
    { priority: 1, votes: 1 },
  ],
  arbiter: { ...dev.replsets[0].arbiter, enabled: false },
});

export const sharded: PlatformConfig = {
  ...dev,
  name: "sharded",
  kubernetes: { namespace: "nyrkio-db-sharded", createNamespace: true },
  replsets: [shard("rs0"), shard("rs1")],
  sharding: {
    ...dev.sharding,
    enabled: true,
    clientsOnMongosOnly: true,
    // `changes` stays unsharded: its main queries (pending changes by user_id and notified over a
    // time range, recent changes) would go to every shard on {test_id, timestamp}, for a small
    // collection (docs/sharding.md, "Why changes stays unsharded").
    collections: [{ name: "results", key: { test_id: 1, timestamp: 1 } }],
  },
};
