// The exact command documents a schema operation sends (command name first, as MongoDB wants).
// `migrate plan` prints them; the runner sends them with db.command().
import type { SchemaOperation } from "../migration";
import { listedForm } from "./listed-index";

export type Command = Record<string, unknown>;

/**
 * A replica-set index build commits when every data-bearing voting member has built it (the
 * server's default, written out so the plan says it). An arbiter holds no data and builds nothing.
 */
export const COMMIT_QUORUM = "votingMembers";

/** The commands `operation` sends to a database where it has not been applied; [] when it sends none. */
export function commandsFor(operation: SchemaOperation): Command[] {
  switch (operation.op) {
    case "createCollection":
      return [
        {
          create: operation.collection,
          validator: operation.validator,
          validationLevel: operation.validationLevel,
          validationAction: operation.validationAction,
        },
      ];
    case "collMod":
      return [
        {
          collMod: operation.collection,
          validator: operation.validator,
          validationLevel: operation.validationLevel,
          validationAction: operation.validationAction,
        },
      ];
    case "dropCollection":
      return [{ drop: operation.collection }];
    case "createIndexes":
      // One command for all of a collection's indexes: MongoDB builds them in one collection scan.
      if (operation.indexes.length === 0) return [];
      return [{ createIndexes: operation.collection, indexes: operation.indexes.map(listedForm), commitQuorum: COMMIT_QUORUM }];
    case "dropIndex":
      return [{ dropIndexes: operation.collection, index: operation.name }];
    case "code":
      // Code sends what it sends; `plan` says that it runs and what it touches.
      return [];
  }
}

/** The collection a command acts on (its first field's value). */
export function commandCollection(command: Command): string {
  return String(Object.values(command)[0]);
}

/** The command's name (its first field), e.g. "createIndexes". */
export function commandName(command: Command): string {
  return Object.keys(command)[0];
}
