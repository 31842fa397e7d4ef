// users: accounts and API tokens. Unique email, GitHub id and token id; the last two partial,
// so that users without them do not collide.
// Immutable once applied: it carries its own copy of the definitions (it does not read the
// catalog). Change the schema with a new migration.
import type { Migration } from "./migration";

export const migration: Migration = {
  id: 1,
  name: "create-users",
  up: [
    {
      op: "createCollection",
      collection: "users",
      validationLevel: "moderate",
      validationAction: "warn",
      validator: {
        $jsonSchema: {
          bsonType: "object",
          required: ["email", "created_at"],
          properties: {
            _id: { bsonType: ["string", "objectId"] },
            email: { bsonType: "string", description: "login address, unique" },
            name: { bsonType: "string" },
            github_id: {
              bsonType: ["string", "null"],
              description: "GitHub user id as a string; omit (or null) for users without GitHub",
            },
            created_at: { bsonType: "number", description: "epoch seconds" },
            config: { bsonType: "object" },
            tokens: {
              bsonType: "array",
              items: {
                bsonType: "object",
                required: ["token_id"],
                properties: {
                  token_id: { bsonType: "string", description: "unique across all users" },
                  created: { bsonType: "number", description: "epoch seconds" },
                  last_used: { bsonType: "number", description: "epoch seconds" },
                },
              },
            },
          },
        },
      },
    },
    {
      op: "createIndexes",
      collection: "users",
      indexes: [
        { key: { email: 1 }, name: "email_1", unique: true },
        {
          key: { github_id: 1 },
          name: "github_id_1",
          unique: true,
          partialFilterExpression: { github_id: { $gte: "" } },
        },
        {
          key: { "tokens.token_id": 1 },
          name: "tokens.token_id_1",
          unique: true,
          partialFilterExpression: { "tokens.token_id": { $gte: "" } },
        },
      ],
    },
  ],
  // Drops the collection and its data: reverting the first migration of a collection empties it.
  down: [{ op: "dropCollection", collection: "users" }],
};
