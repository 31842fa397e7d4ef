// What every CLI of the project adds to node:util parseArgs: a repeated option is refused rather
// than the last one silently winning (parseArgs keeps the last value unless `multiple` is set).
import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "../runner/errors";

interface OptionToken {
  kind: string;
  name?: string;
}

/** Throws a UsageError naming the first option given twice; needs `parseArgs({ tokens: true })`. */
export function refuseRepeatedOptions(tokens: readonly OptionToken[] | undefined): void {
  const seen = new Set<string>();
  for (const token of tokens ?? []) {
    if (token.kind !== "option" || token.name === undefined) continue;
    if (seen.has(token.name)) throw new UsageError(`--${token.name} is given more than once; give it once`);
    seen.add(token.name);
  }
}

type Options = NonNullable<ParseArgsConfig["options"]>;

/**
 * node:util parseArgs as every option-only CLI of the project runs it: strict, no positionals, a
 * refusal becomes a UsageError (exit 2), and a repeated option is refused. Returns the values.
 */
export function parseOptions<const O extends Options>(argv: readonly string[], options: O) {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: false, strict: true, tokens: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  refuseRepeatedOptions(parsed.tokens);
  return parsed.values;
}
