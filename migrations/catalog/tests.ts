// tests: a user's (or an organization's) benchmark configurations.
import type { CollectionSpec } from "../migration";

export const tests: CollectionSpec = {
  name: "tests",
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
  validationLevel: "moderate",
  validationAction: "warn",
  indexes: [
    // user_id first (the design has name first): both fields are equalities in the lookup, but
    // only this order also serves "all tests of a user, by name" and a future user_id shard key.
    { key: { user_id: 1, name: 1 }, name: "user_id_1_name_1", unique: true },
    { key: { org_id: 1 }, name: "org_id_1" },
    { key: { public: 1 }, name: "public_1" },
  ],
};
