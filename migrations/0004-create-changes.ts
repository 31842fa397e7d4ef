// changes: change points. The pending-changes index is in Equality-Equality-Range order.
// Immutable once applied: it carries its own copy of the definitions (it does not read the
// catalog). Change the schema with a new migration.
import type { Migration } from "./migration";

export const migration: Migration = {
  id: 4,
  name: "create-changes",
  up: [
    {
      op: "createCollection",
      collection: "changes",
      validationLevel: "moderate",
      validationAction: "warn",
      validator: {
        $jsonSchema: {
          bsonType: "object",
          required: ["test_id", "user_id", "timestamp", "metric", "notified"],
          properties: {
            _id: { bsonType: ["string", "objectId"] },
            test_id: { bsonType: ["string", "objectId"] },
            test_name: { bsonType: "string" },
            user_id: { bsonType: ["string", "objectId"] },
            timestamp: { bsonType: "number", description: "epoch seconds of the result the change point is at" },
            metric: { bsonType: "string" },
            direction: { bsonType: "string" },
            magnitude: { bsonType: "number" },
            pvalue: { bsonType: "number" },
            before_mean: { bsonType: "number" },
            after_mean: { bsonType: "number" },
            before_stddev: { bsonType: "number" },
            after_stddev: { bsonType: "number" },
            notified: { bsonType: "bool" },
            attributes: { bsonType: "object" },
          },
        },
      },
    },
    {
      op: "createIndexes",
      collection: "changes",
      indexes: [
        { key: { test_id: 1, timestamp: 1 }, name: "test_id_1_timestamp_1" },
        { key: { user_id: 1, notified: 1, timestamp: 1 }, name: "user_id_1_notified_1_timestamp_1" },
        { key: { timestamp: 1 }, name: "timestamp_1" },
      ],
    },
  ],
  // Drops the collection and its data: reverting the first migration of a collection empties it.
  down: [{ op: "dropCollection", collection: "changes" }],
};
