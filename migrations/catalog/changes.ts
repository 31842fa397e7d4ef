// changes: change points detected in a test's results; `notified` drives notifications.
import type { CollectionSpec } from "../migration";

export const changes: CollectionSpec = {
  name: "changes",
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
  validationLevel: "moderate",
  validationAction: "warn",
  indexes: [
    { key: { test_id: 1, timestamp: 1 }, name: "test_id_1_timestamp_1" },
    // Equality, Equality, Range: the pending-changes query filters user_id, notified and a
    // timestamp range. The design's {user_id, notified} would leave the range to a FETCH filter.
    { key: { user_id: 1, notified: 1, timestamp: 1 }, name: "user_id_1_notified_1_timestamp_1" },
    { key: { timestamp: 1 }, name: "timestamp_1" },
  ],
};
