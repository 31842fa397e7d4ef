// results: benchmark results, a time series per test. The largest collection by far; the only
// one that retention deletes from.
import type { CollectionSpec } from "../migration";

export const results: CollectionSpec = {
  name: "results",
  validator: {
    $jsonSchema: {
      bsonType: "object",
      required: ["test_id", "user_id", "timestamp", "metrics"],
      properties: {
        _id: { bsonType: ["string", "objectId"] },
        test_id: { bsonType: ["string", "objectId"] },
        test_name: { bsonType: "string" },
        user_id: { bsonType: ["string", "objectId"] },
        timestamp: { bsonType: "number", description: "epoch seconds" },
        metrics: {
          bsonType: "array",
          items: {
            bsonType: "object",
            required: ["name", "value"],
            properties: {
              name: { bsonType: "string" },
              value: { bsonType: "number" },
              unit: { bsonType: "string" },
              direction: { bsonType: "string" },
            },
          },
        },
        attributes: {
          bsonType: "object",
          properties: {
            git_repo: { bsonType: "string" },
            branch: { bsonType: "string" },
            git_commit: { bsonType: "string" },
          },
        },
        has_change: { bsonType: "bool", description: "true: a change point refers to this result; retention keeps it" },
      },
    },
  },
  validationLevel: "moderate",
  validationAction: "warn",
  indexes: [
    // Ascending, unlike the design's {test_id: 1, timestamp: -1}: the "latest first" sort scans it
    // in reverse, and a {test_id, timestamp} shard key (which cannot be descending) can use it.
    { key: { test_id: 1, timestamp: 1 }, name: "test_id_1_timestamp_1" },
    // Extends the design's {user_id: 1}: serves the same queries (prefix), a user's results by
    // time, and a {user_id, timestamp} shard key.
    { key: { user_id: 1, timestamp: 1 }, name: "user_id_1_timestamp_1" },
    { key: { "attributes.git_commit": 1 }, name: "attributes.git_commit_1" },
    // Plain, not TTL: a TTL index never expires a number (timestamp is epoch seconds), so retention
    // deletes in batches through this index (migrations/retention/).
    { key: { timestamp: 1 }, name: "timestamp_1" },
  ],
};
