// Chooses an environment and applies an optional JSON override file over it. The file system is
// passed in, so this stays a pure function of its inputs (main.ts does the reading).

import { DEFAULT_ENVIRONMENT, environments } from "./environments";
import { ConfigProblem } from "./schema";
import { ExtraRule, validateConfig, ValidationResult } from "./validate";

export interface LoadRequest {
  /** NYRKIO_DB_ENV; default "dev". */
  environment?: string;
  /** NYRKIO_DB_CONFIG: path of a JSON file whose values override the environment's. */
  overrideFile?: string;
  readFile: (path: string) => string;
  /** Rules beyond config/ (the shard-key rules); see ExtraRule. */
  rules?: readonly ExtraRule[];
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Objects merge key by key; arrays and scalars in the override replace the base. */
export function deepMerge(base: unknown, override: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(override)) return override === undefined ? base : override;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(override)) out[k] = deepMerge(base[k], v);
  return out;
}

export function loadConfig(req: LoadRequest): ValidationResult {
  const name = req.environment || DEFAULT_ENVIRONMENT;
  const base = environments[name];
  if (!base) {
    const known = Object.keys(environments).join(", ");
    return { ok: false, problems: [{ path: "NYRKIO_DB_ENV", rule: `unknown environment "${name}"; known environments: ${known}` }] };
  }
  let value: unknown = structuredClone(base);
  if (req.overrideFile) {
    const problem = (rule: string): ValidationResult => ({ ok: false, problems: [{ path: "NYRKIO_DB_CONFIG", rule } as ConfigProblem] });
    let text: string;
    try {
      text = req.readFile(req.overrideFile);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      return problem(`cannot read ${req.overrideFile}${code === "ENOENT" ? ": no such file" : `: ${(err as Error).message}`}`);
    }
    let override: unknown;
    try {
      override = JSON.parse(text);
    } catch (err) {
      return problem(`${req.overrideFile} is not valid JSON: ${(err as Error).message}`);
    }
    if (!isPlainObject(override)) return problem(`${req.overrideFile} must hold a JSON object, got ${Array.isArray(override) ? "an array" : typeof override}`);
    value = deepMerge(value, override);
  }
  return validateConfig(value, req.rules);
}
