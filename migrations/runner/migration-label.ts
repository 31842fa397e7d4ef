// How messages name a migration: `0003 create-results`.
import type { Migration } from "../migration";

export function label(m: Pick<Migration, "id" | "name">): string {
  return `${String(m.id).padStart(4, "0")} ${m.name}`;
}
