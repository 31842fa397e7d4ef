// The design's example documents (/work/shared/seed/database-design.md, one ```json block under
// each "### <collection>" heading), kept as a fixture so the proof runs on any machine; a unit
// test checks the fixture against the design whenever the design is present.
import examples from "../fixtures/design-examples.json";

export const DESIGN_PATH = "/work/shared/seed/database-design.md";

export const DESIGN_EXAMPLES = examples as Record<string, Record<string, unknown>>;

/** The ```json example under each "### <collection>" heading of the design's text. */
export function designExamples(text: string): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  const re = /^### (\w+)\s*\n[\s\S]*?```json\n([\s\S]*?)```/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) out[m[1]] = JSON.parse(m[2]);
  return out;
}
