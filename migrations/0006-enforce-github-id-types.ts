// users.github_id and organizations.github_org: the type becomes enforced, not only documented.
// The unique indexes are partial on `{$gte: ""}`, which selects exactly the string values (BSON
// comparison stays within a type bracket), so a numeric github_id, which is what GitHub's API
// returns, would escape the unique index. The application writes the id as a decimal string
// (the design's example: "github_id": "12345"), so the validator now requires exactly that,
// and validationAction "error" refuses anything else. docs/departures-from-design.md says why.
// Immutable once applied: it carries its own copy of the definitions.
import type { Migration } from "./migration";

const tokens = {
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
};

const members = {
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
};

function usersValidator(githubId: Record<string, unknown>) {
  return {
    $jsonSchema: {
      bsonType: "object",
      required: ["email", "created_at"],
      properties: {
        _id: { bsonType: ["string", "objectId"] },
        email: { bsonType: "string", description: "login address, unique" },
        name: { bsonType: "string" },
        github_id: githubId,
        created_at: { bsonType: "number", description: "epoch seconds" },
        config: { bsonType: "object" },
        tokens,
      },
    },
  };
}

function organizationsValidator(githubOrg: Record<string, unknown>) {
  return {
    $jsonSchema: {
      bsonType: "object",
      required: ["name", "created_at"],
      properties: {
        _id: { bsonType: ["string", "objectId"] },
        name: { bsonType: "string" },
        github_org: githubOrg,
        created_at: { bsonType: "number", description: "epoch seconds" },
        members,
        config: { bsonType: "object" },
      },
    },
  };
}

export const migration: Migration = {
  id: 6,
  name: "enforce-github-id-types",
  up: [
    {
      op: "collMod",
      collection: "users",
      validationLevel: "moderate",
      validationAction: "error",
      validator: usersValidator({
        bsonType: ["string", "null"],
        pattern: "^[0-9]+$",
        description: "GitHub user id as a decimal string (never a number: the unique index covers strings only); omit (or null) for users without GitHub",
      }),
    },
    {
      op: "collMod",
      collection: "organizations",
      validationLevel: "moderate",
      validationAction: "error",
      validator: organizationsValidator({
        bsonType: ["string", "null"],
        description: "GitHub organization login, unique (the unique index covers strings only); omit (or null) if none",
      }),
    },
  ],
  down: [
    {
      op: "collMod",
      collection: "users",
      validationLevel: "moderate",
      validationAction: "warn",
      validator: usersValidator({ bsonType: ["string", "null"], description: "GitHub user id as a string; omit (or null) for users without GitHub" }),
    },
    {
      op: "collMod",
      collection: "organizations",
      validationLevel: "moderate",
      validationAction: "warn",
      validator: organizationsValidator({ bsonType: ["string", "null"], description: "GitHub organization login, unique; omit (or null) if none" }),
    },
  ],
};
