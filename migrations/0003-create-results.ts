// results: the time series. Indexes for the range queries and for retention (no TTL: the
// timestamp is a number of epoch seconds, which a TTL index never expires).
// Immutable once applied: it carries its own copy of the definitions (it does not read the
// catalog). Change the schema with a new migration.
import type { Migration } from "./migration";

export const migration: Migration = {
  id: 3,
  name: "create-results",
  up: [
    {
      op: "createCollection",
      collection: "results",
      validationLevel: "moderate",
      validationAction: "warn",
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
            has_change: {
              bsonType: "bool",
              description: "true: a change point refers to this result; retention keeps it",
            },
          },
        },
      },
    },
    {
      op: "createIndexes",
      collection: "results",
      indexes: [
        { key: { test_id: 1, timestamp: 1 }, name: "test_id_1_timestamp_1" },
        { key: { user_id: 1, timestamp: 1 }, name: "user_id_1_timestamp_1" },
        { key: { "attributes.git_commit": 1 }, name: "attributes.git_commit_1" },
        { key: { timestamp: 1 }, name: "timestamp_1" },
      ],
    },
  ],
  // Drops the collection and its data: reverting the first migration of a collection empties it.
  down: [{ op: "dropCollection", collection: "results" }],
};
