// Creates a runner collection if it is missing, tolerating a concurrent run that creates it at
// the same moment (before 7.0 the second create fails with NamespaceExists).
import type { Db } from "mongodb";
import { MAJORITY } from "./write-concern";

const NAMESPACE_EXISTS = 48;

export async function ensureCollection(db: Db, name: string): Promise<void> {
  const existing = await db.listCollections({ name }, { nameOnly: true }).toArray();
  if (existing.length > 0) return;
  try {
    await db.createCollection(name, { writeConcern: MAJORITY });
  } catch (error) {
    if ((error as { code?: number }).code !== NAMESPACE_EXISTS) throw error;
  }
}
