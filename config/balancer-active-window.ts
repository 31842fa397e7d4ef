// The balancer's activeWindow (config.settings {_id: "balancer"}: the time of day the balancer may
// move chunks, "HH:MM" in the config servers' local time zone, may cross midnight:
// src/mongo/s/balancer_configuration.cpp, BalancerSettingsType::isTimeInBalancingWindow) against
// the full dumps. Each full dump of a sharded cluster stops the balancer for as long as it runs
// (the balancer window, docs/sharding.md): an activeWindow that overlaps the dumps loses that
// time, and one that lies inside them never balances. Pure: times as minutes of the day.

import type { ConfigProblem } from "./schema";

/** How long a full-dump window is assumed to hold the balancer off, from its scheduled start. */
export const ASSUMED_FULL_DUMP_MINUTES = 3 * 60;
const DAY = 24 * 60;

export interface ActiveWindow {
  start: string;
  stop: string;
}

export function minutesOfDay(hhmm: string): number {
  const [h, m] = hhmm.split(":").map(Number);
  return h * 60 + m;
}

/** The start times (minutes of the day) of a cron schedule whose minute and hour are numbers or lists; undefined when it is not that simple. */
export function dailyStarts(schedule: string): number[] | undefined {
  const [minute, hour] = schedule.trim().split(/\s+/);
  const list = (field: string | undefined, max: number) =>
    field !== undefined && /^\d+(,\d+)*$/.test(field) ? field.split(",").map(Number).filter((n) => n <= max) : undefined;
  const minutes = list(minute, 59);
  const hours = list(hour, 23);
  if (!minutes || !hours) return undefined;
  return hours.flatMap((h) => minutes.map((m) => h * 60 + m));
}

/** The minutes of the day in [from, from + length), wrapping at midnight, as a set. */
function span(from: number, length: number): Set<number> {
  return new Set(Array.from({ length }, (_, k) => (from + k) % DAY));
}

/** A warning when the activeWindow overlaps the full dumps' balancer windows. */
export function activeWindowFindings(window: ActiveWindow | undefined, fullSchedule: string, path: string): ConfigProblem[] {
  if (!window) return [];
  const starts = dailyStarts(fullSchedule);
  if (!starts) return [];
  const from = minutesOfDay(window.start);
  const active = span(from, (minutesOfDay(window.stop) - from + DAY) % DAY);
  const dumps = new Set(starts.flatMap((s) => [...span(s, ASSUMED_FULL_DUMP_MINUTES)]));
  const overlap = [...active].filter((m) => dumps.has(m)).length;
  if (overlap === 0) return [];
  const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
  return [
    {
      path,
      rule:
        `the balancer's activeWindow ${window.start}-${window.stop} overlaps the full dumps (${starts.map(hhmm).join(", ")} by backup.full.schedule, ` +
        `each holding the balancer off for up to ~${ASSUMED_FULL_DUMP_MINUTES / 60} h): ${overlap} of its ${active.size} minutes are lost` +
        `${overlap === active.size ? ", so the balancer never runs" : ""}. Move one of them apart`,
    },
  ];
}
