// Reads a database's schema as MongoDB reports it (listCollections options, listIndexes), into
// the planner's DatabaseState. Views and system collections are not schema the migrations own.
import type { Db, Document } from "mongodb";
import type { CollectionOptions, DatabaseState, LiveCollection } from "../plan/database-state";
import type { ListedIndex } from "../plan/listed-index";

const NAMESPACE_NOT_FOUND = 26;

function optionsOf(info: Document): CollectionOptions {
  const options = (info.options ?? {}) as Document;
  const out: CollectionOptions = {};
  if (options.validator !== undefined) out.validator = options.validator;
  if (options.validationLevel !== undefined) out.validationLevel = options.validationLevel;
  if (options.validationAction !== undefined) out.validationAction = options.validationAction;
  return out;
}

export async function readIndexes(db: Db, collection: string): Promise<ListedIndex[]> {
  try {
    return (await db.collection(collection).listIndexes().toArray()) as ListedIndex[];
  } catch (error) {
    if ((error as { code?: number }).code === NAMESPACE_NOT_FOUND) return [];
    throw error;
  }
}

export async function readCollection(db: Db, name: string): Promise<LiveCollection | undefined> {
  const [info] = await db.listCollections({ name }).toArray();
  if (!info || info.type === "view") return undefined;
  return { name, options: optionsOf(info), indexes: await readIndexes(db, name) };
}

export async function readDatabaseState(db: Db): Promise<DatabaseState> {
  const infos = await db.listCollections({ type: "collection" }).toArray();
  const names = infos.map((i) => i.name as string).filter((n) => !n.startsWith("system.")).sort();
  const collections: LiveCollection[] = [];
  for (const name of names) {
    const info = infos.find((i) => i.name === name) as Document;
    collections.push({ name, options: optionsOf(info), indexes: await readIndexes(db, name) });
  }
  return { collections };
}

const UNAUTHORIZED = 13;

/** Whether the collection holds a document; "unknown" when the user may not read it (no `find`). */
export async function hasDocuments(db: Db, collection: string): Promise<boolean | "unknown"> {
  try {
    return (await db.collection(collection).findOne({}, { projection: { _id: 1 } })) !== null;
  } catch (error) {
    if ((error as { code?: number }).code === UNAUTHORIZED) return "unknown";
    throw error;
  }
}

/** Why dropping `collection` is refused without --allow-data-loss, or undefined when it is empty. */
export function dataLossRefusal(file: string, collection: string, holds: boolean | "unknown"): string | undefined {
  if (holds === false) return undefined;
  const why = holds === "unknown" ? "may hold documents (this user may not read it to check)" : "holds documents";
  return `${file}: collection "${collection}" ${why}; dropping it loses them. Pass --allow-data-loss to drop it anyway. Nothing was sent`;
}
