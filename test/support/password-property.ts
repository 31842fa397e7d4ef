// Seeded random passwords holding every character RFC 3986 reserves, and the fragments of them
// that must never reach a CLI's output: shared by the property tests of every CLI (migrate,
// check-queries: test/migrations/runner/connection-string.test.ts; restore:
// test/backup/restore-redaction.test.ts).

import { seededRandom } from "../../migrations/seed-data";

// The project's one seeded PRNG (mulberry32): a failure names the seed and reproduces.
export const prng = seededRandom;

// RFC 3986 section 2.2: gen-delims and sub-delims, plus "%" (the escape character itself).
export const RESERVED = [...":/?#[]@!$&'()*+,;=%"];
const LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz";

export function randomPassword(next: () => number): string {
  const chars = [...RESERVED];
  for (let i = 0; i < 12; i++) chars.push(LETTERS[Math.floor(next() * LETTERS.length)], String(Math.floor(next() * 10)));
  for (let i = chars.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [chars[i], chars[j]] = [chars[j], chars[i]];
  }
  return chars.join("");
}

/** Every 5-character window holding two letters: long enough that English text never matches by chance. */
export function fragments(secret: string): string[] {
  const out = new Set<string>();
  for (let i = 0; i + 5 <= secret.length; i++) {
    const w = secret.slice(i, i + 5);
    if ((w.match(/[A-Za-z]/g) ?? []).length >= 2) out.add(w.toLowerCase());
  }
  return [...out];
}

