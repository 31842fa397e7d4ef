// users: accounts and their API tokens. Looked up by email (login), by GitHub id (OAuth) and by
// token id (every authenticated API call).
import type { CollectionSpec } from "../migration";

export const users: CollectionSpec = {
  name: "users",
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
          pattern: "^[0-9]+$",
          description: "GitHub user id as a decimal string (never a number: the unique index covers strings only); omit (or null) for users without GitHub",
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
  validationLevel: "moderate",
  // "error" since migration 6: a github_id of another type would escape the unique index.
  validationAction: "error",
  indexes: [
    { key: { email: 1 }, name: "email_1", unique: true },
    // Partial, not sparse: a sparse index still indexes an explicit null, so two users with
    // `github_id: null` would collide. `$gte: ""` selects exactly the string values, and unlike
    // `$type: "string"` the query planner knows that `{github_id: "<id>"}` implies it.
    { key: { github_id: 1 }, name: "github_id_1", unique: true, partialFilterExpression: { github_id: { $gte: "" } } },
    // A unique index on an array path indexes "missing" as null for every user without tokens:
    // the partial filter leaves those users out, so the second token-less user does not collide.
    { key: { "tokens.token_id": 1 }, name: "tokens.token_id_1", unique: true, partialFilterExpression: { "tokens.token_id": { $gte: "" } } },
  ],
};
