// What every CLI of the project adds to node:util parseArgs: a repeated option is refused rather
// than the last one silently winning (parseArgs keeps the last value unless `multiple` is set).
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
