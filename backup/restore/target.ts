// Restore targets. `--to` is inclusive (an operation at exactly the target is restored), `--before`
// is exclusive. Either takes ISO 8601 at second precision with `Z` or an explicit offset (a second
// means every operation in it: `--to 10:14:04Z` keeps all of 10:14:04, `--before 10:14:04Z` none of
// it) or an oplog timestamp `<seconds>:<ordinal>`. Both become mongorestore's exclusive
// --oplogLimit (ts < limit is applied):
//
//   --to     S:I  → limit S:(I+1)   (S+1):0 when I is the last ordinal
//   --to     ISO  → limit (S+1):0
//   --before S:I  → limit S:I
//   --before ISO  → limit S:0

import { formatTs, parseTs, Timestamp, tsAfter, tsBefore, tsSecondIso, UINT32_MAX } from "../timestamp";

export type TargetMode = "to" | "before";

export interface RestoreTarget {
  mode: TargetMode;
  /** As typed. */
  input: string;
  /** The last oplog position the restore includes (inclusive). */
  lastIncluded: Timestamp;
  /** mongorestore's --oplogLimit: entries with ts < limit are applied. */
  limit: Timestamp;
}

export type TargetResult = { ok: true; target: RestoreTarget } | { ok: false; error: string };

const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(Z|[+-]\d{2}:?\d{2})$/;
const FORMS = 'ISO 8601 with a zone at second precision ("2024-05-01T10:14:04Z", "2024-05-01T13:14:04+03:00") or an oplog timestamp "<seconds>:<ordinal>" ("1714558444:3")';

export function parseTarget(mode: TargetMode, input: string): TargetResult {
  const flag = `--${mode}`;
  const fail = (why: string): TargetResult => ({ ok: false, error: `${flag} ${JSON.stringify(input)}: ${why}` });
  const text = input.trim();

  if (/^\d+:\d+$/.test(text)) {
    const ts = parseTs(text);
    if (!ts) return fail(`seconds and ordinal must each be at most ${UINT32_MAX} (a BSON timestamp holds two unsigned 32-bit integers)`);
    if (mode === "to") {
      const limit = tsAfter(ts);
      if (!limit) return fail("is the last timestamp a BSON timestamp can hold: there is no limit after it");
      return { ok: true, target: { mode, input, lastIncluded: ts, limit } };
    }
    const lastIncluded = tsBefore(ts);
    if (!lastIncluded) return fail("nothing comes before 0:0");
    return { ok: true, target: { mode, input, lastIncluded, limit: ts } };
  }

  const second = parseIsoSecond(text);
  if (typeof second === "string") return fail(second);
  if (mode === "to") {
    if (second >= UINT32_MAX) return fail("is beyond what a BSON timestamp can hold");
    return { ok: true, target: { mode, input, lastIncluded: { t: second, i: UINT32_MAX }, limit: { t: second + 1, i: 0 } } };
  }
  if (second === 0) return fail("nothing comes before the epoch");
  return { ok: true, target: { mode, input, lastIncluded: { t: second - 1, i: UINT32_MAX }, limit: { t: second, i: 0 } } };
}

/** Epoch seconds of an ISO 8601 time with a zone at second precision, or why it is not one. */
function parseIsoSecond(text: string): number | string {
  if (/^\d+$/.test(text)) return `a bare number is ambiguous: write "${text}:0" for an oplog timestamp, or ${FORMS}`;
  if (/^\d+:\d+:\d+$/.test(text)) return `a time of day needs a date and a zone: ${FORMS}`;
  const fraction = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})[.,]\d+(.*)$/.exec(text);
  if (fraction) {
    return `fractional seconds are not accepted: the oplog orders operations within a second by ordinal, not by fraction. Write ${fraction[1]}${fraction[2] || "Z"} (with --to every operation in that second is included) or an exact "<seconds>:<ordinal>"`;
  }
  const m = ISO.exec(text);
  if (!m) {
    if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?$/.test(text)) return `has no zone: add "Z" for UTC or an offset such as "+03:00" (a restore point must not depend on the machine's time zone)`;
    if (/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/.test(text)) return `separate date and time with "T", e.g. ${text.replace(" ", "T")}`;
    if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(Z|[+-]\d{2}:?\d{2})$/.test(text)) return `give the seconds too (hh:mm:ss), e.g. ${text.slice(0, 16)}:59${text.slice(16)}`;
    if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return `a date alone is ambiguous: give a time and a zone, e.g. ${text}T23:59:59Z`;
    return `is not a restore point: use ${FORMS}`;
  }
  const [year, month, day, hour, minute, sec] = m.slice(1, 7).map(Number);
  // Before Date.UTC, which reads years 0-99 as 1900-1999.
  if (year < 1969) return "is before the epoch";
  if (month < 1 || month > 12) return `month ${m[2]} does not exist`;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day < 1 || day > daysInMonth) return `day ${m[3]} does not exist in ${m[1]}-${m[2]}`;
  if (hour > 23) return `hour ${m[4]} does not exist (00-23)`;
  if (minute > 59) return `minute ${m[5]} does not exist (00-59)`;
  if (sec > 59) return `second ${m[6]} does not exist (00-59; the oplog has no leap seconds)`;
  let offsetSeconds = 0;
  if (m[7] !== "Z") {
    const om = /^([+-])(\d{2}):?(\d{2})$/.exec(m[7]) as RegExpExecArray;
    const oh = Number(om[2]);
    const omin = Number(om[3]);
    if (oh > 23 || omin > 59) return `offset ${m[7]} is not a valid UTC offset`;
    offsetSeconds = (om[1] === "+" ? 1 : -1) * (oh * 3600 + omin * 60);
  }
  const epoch = Date.UTC(year, month - 1, day, hour, minute, sec) / 1000 - offsetSeconds;
  if (epoch < 0) return "is before the epoch";
  if (epoch > UINT32_MAX) return "is beyond what a BSON timestamp can hold";
  return epoch;
}

/** One line for humans: what the target includes, in both forms, and the limit. */
export function describeTarget(target: RestoreTarget): string {
  const what =
    target.lastIncluded.i === UINT32_MAX
      ? `everything up to and including ${tsSecondIso(target.lastIncluded)} (every operation in that second)`
      : `everything up to and including ${formatTs(target.lastIncluded)} (${tsSecondIso(target.lastIncluded)})`;
  return `--${target.mode} ${target.input}: ${what}; oplogLimit ${formatTs(target.limit)}`;
}
