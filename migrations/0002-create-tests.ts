// tests: benchmark configurations, unique per user and name.
// Immutable once applied: it carries its own copy of the definitions (it does not read the
// catalog). Change the schema with a new migration.
import type { Migration } from "./migration";

export const migration: Migration = {
  id: 2,
  name: "create-tests",
  up: [
    {
      op: "createCollection",
      collection: "tests",
      validationLevel: "moderate",
      validationAction: "warn",
      validator: {
        $jsonSchema: {
          bsonType: "object",
          required: ["name", "user_id"],
          properties: {
            _id: { bsonType: ["string", "objectId"] },
            name: { bsonType: "string", description: "unique per user" },
            user_id: { bsonType: ["string", "objectId"] },
            org_id: { bsonType: ["string", "objectId", "null"] },
            created_at: { bsonType: "number", description: "epoch seconds" },
            public: { bsonType: "bool" },
            enabled: { bsonType: "bool" },
            attributes: { bsonType: "object" },
          },
        },
      },
    },
    {
      op: "createIndexes",
      collection: "tests",
      indexes: [
        { key: { user_id: 1, name: 1 }, name: "user_id_1_name_1", unique: true },
        { key: { org_id: 1 }, name: "org_id_1" },
        { key: { public: 1 }, name: "public_1" },
      ],
    },
  ],
  // Drops the collection and its data: reverting the first migration of a collection empties it.
  down: [{ op: "dropCollection", collection: "tests" }],
};
