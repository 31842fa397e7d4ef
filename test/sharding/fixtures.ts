// A catalog shaped like the design's (users, tests, results, changes), written by hand so the
// shard-key rules are tested against known indexes and validators, independent of the real catalog.

import type { ShardingCatalog } from "../../sharding/catalog-view";

export const designLikeCatalog: ShardingCatalog = {
  collections: [
    {
      name: "users",
      validator: {
        $jsonSchema: {
          bsonType: "object",
          properties: {
            _id: { bsonType: "string" },
            email: { bsonType: "string" },
            github_id: { bsonType: "string" },
            created_at: { bsonType: ["int", "long", "double"] },
            tokens: { bsonType: "array", items: { bsonType: "object", properties: { token_id: { bsonType: "string" } } } },
          },
        },
      },
      indexes: [
        { key: { email: 1 }, name: "email_1", unique: true },
        { key: { github_id: 1 }, name: "github_id_1", unique: true, partialFilterExpression: { github_id: { $type: "string" } } },
        { key: { "tokens.token_id": 1 }, name: "tokens.token_id_1", unique: true, partialFilterExpression: { "tokens.token_id": { $type: "string" } } },
      ],
    },
    {
      name: "tests",
      validator: { $jsonSchema: { bsonType: "object", properties: { _id: { bsonType: "string" }, name: { bsonType: "string" }, user_id: { bsonType: "string" } } } },
      indexes: [
        { key: { name: 1, user_id: 1 }, name: "name_1_user_id_1", unique: true },
        { key: { org_id: 1 }, name: "org_id_1" },
      ],
    },
    {
      name: "results",
      validator: {
        $jsonSchema: {
          bsonType: "object",
          properties: {
            _id: { bsonType: "string" },
            test_id: { bsonType: ["string", "objectId"] },
            user_id: { bsonType: "string" },
            timestamp: { bsonType: ["int", "long", "double"] },
            metrics: { bsonType: "array", items: { bsonType: "object", properties: { name: { bsonType: "string" } } } },
            recorded: { bsonType: "date" },
          },
        },
      },
      indexes: [
        { key: { test_id: 1, timestamp: 1 }, name: "test_id_1_timestamp_1" },
        { key: { user_id: 1 }, name: "user_id_1" },
        { key: { timestamp: 1 }, name: "timestamp_1" },
      ],
    },
    {
      name: "changes",
      validator: {
        $jsonSchema: {
          bsonType: "object",
          properties: {
            _id: { bsonType: ["string", "objectId"] },
            test_id: { bsonType: "string" },
            user_id: { bsonType: "string" },
            notified: { bsonType: "bool" },
            timestamp: { bsonType: "number" },
          },
        },
      },
      indexes: [
        { key: { test_id: 1, timestamp: -1 }, name: "test_id_1_timestamp_-1" },
        { key: { user_id: 1, notified: 1, timestamp: 1 }, name: "user_id_1_notified_1_timestamp_1" },
      ],
    },
  ],
};
