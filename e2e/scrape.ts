// The exporter's real scrape (issue 16 item 5): after the deploy, one member's exporter sidecar is
// scraped and every metric name the dashboard and the rules use from it
// (monitoring/exporter-metrics.ts EXPORTER_METRICS, derived from the pinned tag's source) must
// appear. The exporter image is FROM scratch (no shell, no curl), and its port admits only the
// scrape namespaces (the metrics NetworkPolicy), so the scrape runs inside the member's own pod:
// `kubectl exec` into the mongod container (the official mongo image, which ships mongosh, on
// Node with fetch) and GET http://127.0.0.1:<port><path>, the pod's shared network namespace.
// Parsing and checking are pure; the scrape text is kept for the report.
import type { ExporterMetric } from "../monitoring/exporter-metrics";
import type { Kube } from "./kube";
import { RESULT_MARKER } from "./toolbox";

export interface ExpositionSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  samples: ExpositionSample[];
  /** Lines that are neither a comment, blank, nor a valid sample: Prometheus would fail the scrape. */
  invalid: { line: number; text: string }[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;

/**
 * Prometheus's text exposition format 0.0.4 (https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format):
 * `name{label="value",...} value [timestamp]`, label values with `\\`, `\"` and `\n` escaped,
 * values as Go's ParseFloat reads them (NaN, +Inf, -Inf too), `#` lines comments (HELP, TYPE).
 */
export function parseExposition(text: string): Exposition {
  const samples: ExpositionSample[] = [];
  const invalid: Exposition["invalid"] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.replace(/\r$/, "").trim();
    if (line === "" || line.startsWith("#")) return;
    const sample = parseSampleLine(line);
    if (sample) samples.push(sample);
    else invalid.push({ line: i + 1, text: line.slice(0, 200) });
  });
  return { samples, invalid };
}

function parseSampleLine(line: string): ExpositionSample | undefined {
  const name = NAME.exec(line)?.[0];
  if (!name) return undefined;
  let rest = line.slice(name.length);
  const labels: Record<string, string> = {};
  if (rest.startsWith("{")) {
    rest = rest.slice(1).trimStart();
    while (!rest.startsWith("}")) {
      const key = LABEL_NAME.exec(rest)?.[0];
      if (!key) return undefined;
      rest = rest.slice(key.length).trimStart();
      if (!rest.startsWith('="')) return undefined;
      rest = rest.slice(2);
      let value = "";
      for (;;) {
        if (rest === "") return undefined;
        const c = rest[0];
        if (c === '"') break;
        if (c === "\\") {
          const e = rest[1];
          if (e === "n") value += "\n";
          else if (e === "\\" || e === '"') value += e;
          else return undefined;
          rest = rest.slice(2);
        } else {
          value += c;
          rest = rest.slice(1);
        }
      }
      labels[key] = value;
      rest = rest.slice(1).trimStart();
      if (rest.startsWith(",")) rest = rest.slice(1).trimStart();
      else if (!rest.startsWith("}")) return undefined;
    }
    rest = rest.slice(1);
  }
  const fields = rest.trim().split(/\s+/);
  if (!/^\s/.test(rest) || fields.length < 1 || fields.length > 2 || fields[0] === "") return undefined;
  const value = parseValue(fields[0]);
  if (value === undefined) return undefined;
  if (fields.length === 2 && !/^-?\d+$/.test(fields[1])) return undefined;
  return { name, labels, value };
}

function parseValue(v: string): number | undefined {
  if (/^[+-]?inf$/i.test(v)) return v.startsWith("-") ? -Infinity : Infinity;
  if (/^nan$/i.test(v)) return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v)) return undefined;
  return Number(v);
}

/** Every expected name must have at least one sample; a scrape Prometheus would reject is a problem too. */
export function checkScrape(text: string, expected: readonly Pick<ExporterMetric, "name">[]): string[] {
  const { samples, invalid } = parseExposition(text);
  const problems: string[] = [];
  if (samples.length === 0) problems.push("the scrape holds no sample");
  for (const bad of invalid.slice(0, 5)) problems.push(`line ${bad.line} is not in the text exposition format: ${bad.text}`);
  if (invalid.length > 5) problems.push(`... and ${invalid.length - 5} more invalid lines`);
  const names = new Set(samples.map((s) => s.name));
  for (const m of expected) if (!names.has(m.name)) problems.push(`no sample of ${m.name}, which the dashboard or the rules use`);
  const up = samples.find((s) => s.name === "mongodb_up");
  if (up && up.value !== 1) problems.push(`mongodb_up is ${up.value}: the exporter cannot reach its mongod`);
  return problems;
}

/**
 * The command run in the member's mongod container: mongosh without a database GETs the
 * exporter's page over the pod's loopback and prints {status, text} as one marked line
 * (the same marker the toolbox's commands use, e2e/toolbox.ts parseResult).
 */
export function scrapeCommand(port: number, path: string): string[] {
  const url = `http://127.0.0.1:${port}${path}`;
  const script = `(async () => { try { const r = await fetch(${JSON.stringify(url)}); const text = await r.text(); print(${JSON.stringify(RESULT_MARKER)} + JSON.stringify({ status: r.status, text })); } catch (e) { print(${JSON.stringify(RESULT_MARKER)} + JSON.stringify({ error: String(e && e.cause ? e.cause.message || e.cause : e) })); quit(1); } })();`;
  return ["mongosh", "--nodb", "--quiet", "--norc", "--eval", script];
}

/** What scrapeCommand printed: the page, or why there is none. */
export function scrapeResult(code: number, stdout: string, stderr: string): { text: string } | { error: string } {
  const line = stdout
    .split("\n")
    .reverse()
    .find((l) => l.startsWith(RESULT_MARKER));
  if (line === undefined) return { error: `no answer (exit ${code}): ${(stderr.trim() || stdout.trim()).split("\n").slice(-3).join(" / ")}` };
  let doc: { status?: number; text?: string; error?: string };
  try {
    doc = JSON.parse(line.slice(RESULT_MARKER.length)) as typeof doc;
  } catch {
    return { error: `an unreadable answer: ${line.slice(0, 200)}` };
  }
  if (doc.error !== undefined) return { error: `the exporter did not answer: ${doc.error}` };
  if (doc.status !== 200) return { error: `the exporter answered HTTP ${doc.status}: ${String(doc.text ?? "").slice(0, 200)}` };
  if (code !== 0) return { error: `mongosh exited ${code} after the scrape` };
  return { text: doc.text ?? "" };
}

/** The I/O: scrapeCommand in `container` of `pod`, through `kubectl exec`. */
export async function scrapeExporter(kube: Pick<Kube, "exec">, namespace: string, pod: string, container: string, port: number, path: string, timeoutMs: number): Promise<{ text: string } | { error: string }> {
  const r = await kube.exec(namespace, pod, container, scrapeCommand(port, path), { allowFailure: true, timeoutMs });
  return scrapeResult(r.code, r.stdout, r.stderr);
}
