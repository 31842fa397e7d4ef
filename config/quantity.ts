// Kubernetes resource quantities ("10Gi", "500m", "1.5"), parsed the way the API server does,
// so a size Kubernetes would reject is caught at synth time instead of at apply time.

const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** The quantity's value in base units (bytes for memory and storage, cores for CPU), or undefined when Kubernetes would not parse it. */
export function parseQuantity(text: string): number | undefined {
  const match = QUANTITY.exec(text);
  if (!match) return undefined;
  const value = Number(match[1]);
  const suffix = match[2] ?? "";
  if (suffix in BINARY) return value * BINARY[suffix];
  if (suffix in DECIMAL) return value * DECIMAL[suffix];
  return value * 10 ** Number(suffix.slice(1));
}

/** Rule text for a positive quantity, or undefined when it is one. */
export function positiveQuantityRule(text: string): string | undefined {
  const value = parseQuantity(text);
  if (value === undefined) return `must be a Kubernetes quantity such as "10Gi", "512Mi" or "500m", got ${JSON.stringify(text)}`;
  if (value <= 0) return `must be greater than zero, got ${JSON.stringify(text)}`;
  return undefined;
}
