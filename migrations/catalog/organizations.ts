// organizations: team workspaces, looked up by GitHub organization and by member.
import type { CollectionSpec } from "../migration";

export const organizations: CollectionSpec = {
  name: "organizations",
  validator: {
    $jsonSchema: {
      bsonType: "object",
      required: ["name", "created_at"],
      properties: {
        _id: { bsonType: ["string", "objectId"] },
        name: { bsonType: "string" },
        github_org: { bsonType: ["string", "null"], description: "GitHub organization login, unique (the unique index covers strings only); omit (or null) if none" },
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
  validationLevel: "moderate",
  // "error" since migration 6: a github_org of another type would escape the unique index.
  validationAction: "error",
  indexes: [
    // Partial instead of the design's sparse, for the same reason as users.github_id_1.
    { key: { github_org: 1 }, name: "github_org_1", unique: true, partialFilterExpression: { github_org: { $gte: "" } } },
    { key: { "members.user_id": 1 }, name: "members.user_id_1" },
  ],
};
