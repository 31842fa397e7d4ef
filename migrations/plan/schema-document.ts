// `migrate schema --json`: the catalog as one JSON document, each collection's indexes as
// `listIndexes` shows them (without `v` and without `_id_`), so CI can diff it against a server.
import type { Catalog, ValidationAction, ValidationLevel } from "../migration";
import { ListedIndex, listedForm } from "./listed-index";

export interface SchemaDocument {
  collections: { name: string; validator: Record<string, unknown>; validationLevel: ValidationLevel; validationAction: ValidationAction; indexes: ListedIndex[] }[];
}

export function schemaDocument(of: Catalog): SchemaDocument {
  return {
    // validationLevel and validationAction: as listCollections shows them in `options`, beside the validator.
    collections: of.collections.map((c) => ({ name: c.name, validator: c.validator, validationLevel: c.validationLevel, validationAction: c.validationAction, indexes: c.indexes.map(listedForm) })),
  };
}
