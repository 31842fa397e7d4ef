// The longest gap between two runs of a cron schedule, for thresholds such as "a full dump older
// than 1.5 schedules". Schedules are UTC (the backup CronJobs set timeZone: Etc/UTC). Cron's
// rule for day of month and day of week: when both are restricted, either one matching is a
// match (crontab(5)); the schedule is already valid (config/cron.ts checks it).

const MACROS: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};
const NAMES: Record<number, string[]> = {
  3: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
  4: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"],
};
const BOUNDS: [number, number][] = [
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12],
  [0, 7],
];

function expand(field: string, index: number): { set: Set<number>; star: boolean } {
  const [min, max] = BOUNDS[index];
  const set = new Set<number>();
  const num = (t: string) => {
    const named = NAMES[index]?.indexOf(t.toLowerCase()) ?? -1;
    return named >= 0 ? named + (index === 3 ? 1 : 0) : Number(t);
  };
  for (const part of field.split(",")) {
    const [range, stepText] = part.split("/");
    const step = stepText ? Number(stepText) : 1;
    let [lo, hi] = [min, max];
    if (range !== "*" && range !== "?") {
      const b = range.split("-");
      lo = num(b[0]);
      hi = b.length > 1 ? num(b[1]) : stepText ? max : lo;
    }
    for (let v = lo; v <= hi; v += step) set.add(index === 4 && v === 7 ? 0 : v);
  }
  return { set, star: field === "*" || field === "?" };
}

/** Seconds of the longest gap between consecutive runs, over a year and a few days from 2024-01-01 UTC. */
export function cronMaxGapSeconds(schedule: string): number {
  const fields = (MACROS[schedule.trim()] ?? schedule.trim()).split(/\s+/).map(expand);
  const [minutes, hours, doms, months, dows] = fields;
  const dayMatches = (d: Date) => {
    const dom = doms.set.has(d.getUTCDate());
    const dow = dows.set.has(d.getUTCDay());
    if (doms.star || dows.star) return (doms.star || dom) && (dows.star || dow);
    return dom || dow;
  };
  const start = Date.UTC(2024, 0, 1);
  let previous: number | undefined;
  let longest = 0;
  for (let day = 0; day < 370; day++) {
    const date = new Date(start + day * 86_400_000);
    if (!months.set.has(date.getUTCMonth() + 1) || !dayMatches(date)) continue;
    for (const h of [...hours.set].sort((a, b) => a - b))
      for (const m of [...minutes.set].sort((a, b) => a - b)) {
        const t = start + day * 86_400_000 + (h * 60 + m) * 60_000;
        if (previous !== undefined) longest = Math.max(longest, t - previous);
        previous = t;
      }
  }
  return longest / 1000;
}
