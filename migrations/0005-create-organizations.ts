// organizations: team workspaces. Unique GitHub organization (partial), members.
// Immutable once applied: it carries its own copy of the definitions (it does not read the
// catalog). Change the schema with a new migration.
import type { Migration } from "./migration";

export const migration: Migration = {
  id: 5,
  name: "create-organizations",
  up: [
    {
      op: "createCollection",
      collection: "organizations",
      validationLevel: "moderate",
      validationAction: "warn",
      validator: {
        $jsonSchema: {
          bsonType: "object",
          required: ["name", "created_at"],
          properties: {
            _id: { bsonType: ["string", "objectId"] },
            name: { bsonType: "string" },
            github_org: {
              bsonType: ["string", "null"],
              description: "GitHub organization login, unique; omit (or null) if none",
            },
            created_at: { bsonType: "number", description: "epoch seconds" },
            members: {
              bsonType: "array",
              items: {
                bsonType: "object",
                required: ["user_id"],
                properties: {
                  user_id: { bsonType: ["string", "objectId"] },
                  role: { bsonType: "string" },
                  joined_at: { bsonType: "number", description: "epoch seconds" },
                },
              },
            },
            config: { bsonType: "object" },
          },
        },
      },
    },
    {
      op: "createIndexes",
      collection: "organizations",
      indexes: [
        {
          key: { github_org: 1 },
          name: "github_org_1",
          unique: true,
          partialFilterExpression: { github_org: { $gte: "" } },
        },
        { key: { "members.user_id": 1 }, name: "members.user_id_1" },
      ],
    },
  ],
  // Drops the collection and its data: reverting the first migration of a collection empties it.
  down: [{ op: "dropCollection", collection: "organizations" }],
};
