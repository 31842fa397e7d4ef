// Cron schedules as a Kubernetes CronJob takes them: five fields or a macro such as @daily.
// Checked at synth time because the API server rejects a bad one only at apply time.

const MACROS = new Set(["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"]);
const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

interface Field {
  name: string;
  min: number;
  max: number;
  names?: string[];
}

const FIELDS: Field[] = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: MONTHS },
  { name: "day of week", min: 0, max: 7, names: DAYS },
];

function value(text: string, field: Field): number | undefined {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    return n >= field.min && n <= field.max ? n : undefined;
  }
  const index = field.names?.indexOf(text.toLowerCase()) ?? -1;
  if (index < 0) return undefined;
  return field === FIELDS[3] ? index + 1 : index;
}

function fieldProblem(text: string, field: Field): string | undefined {
  for (const part of text.split(",")) {
    const [range, step, extra] = part.split("/");
    if (extra !== undefined || (step !== undefined && !/^[1-9]\d*$/.test(step)))
      return `${field.name} "${part}" has a bad step`;
    if (range === "*" || range === "?") continue;
    const bounds = range.split("-");
    if (bounds.length > 2) return `${field.name} "${part}" is not a value or a range`;
    const values = bounds.map((b) => value(b, field));
    if (values.some((v) => v === undefined))
      return `${field.name} "${part}" is outside ${field.min}-${field.max}${field.names ? " or not a known name" : ""}`;
    if (values.length === 2 && values[0]! > values[1]!) return `${field.name} range "${range}" runs backwards`;
  }
  return undefined;
}

/** Rule text when the schedule would not parse, else undefined. */
export function cronRule(schedule: string): string | undefined {
  const trimmed = schedule.trim();
  if (MACROS.has(trimmed)) return undefined;
  const fields = trimmed.split(/\s+/);
  if (fields.length !== 5)
    return `must be a cron schedule of 5 fields (minute hour day-of-month month day-of-week) or a macro such as @daily, got ${JSON.stringify(schedule)}`;
  for (let i = 0; i < 5; i++) {
    const problem = fieldProblem(fields[i], FIELDS[i]);
    if (problem) return `must be a valid cron schedule: ${problem}, in ${JSON.stringify(schedule)}`;
  }
  return undefined;
}
