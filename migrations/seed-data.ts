// Deterministic sample data for the query-plan check (`check:queries`): a scratch database seeded
// with this has the shapes of the design's examples and enough documents that a collection scan
// or a poor index shows up as "examined far more than returned". Pure: same options, same data.
// It also exercises the partial unique indexes: users without github_id, with github_id null,
// without tokens and with an empty tokens array, organizations without github_org.

export type SeedDocument = Record<string, unknown>;

export interface SeedOptions {
  seed: number;
  /** "Now" in epoch seconds; results reach back `days` from it. */
  now: number;
  users: number;
  testsPerUser: number;
  resultsPerTest: number;
  days: number;
}

export const SEED_DEFAULTS: SeedOptions = { seed: 1, now: 1_750_000_000, users: 40, testsPerUser: 3, resultsPerTest: 120, days: 180 };

export interface SeedData {
  now: number;
  users: SeedDocument[];
  tests: SeedDocument[];
  results: SeedDocument[];
  changes: SeedDocument[];
  organizations: SeedDocument[];
}

const DAY = 86_400;
/** Every this-many results (counted from the newest) a change point. */
const CHANGE_EVERY = 30;
/** Changes younger than this are not yet notified: the pending-changes query finds them. */
const PENDING_DAYS = 14;
const MEMBERS_PER_ORG = 5;

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32): small, fast, and the same on every run. Tests use it too. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (n: number, width = 4) => String(n).padStart(width, "0");

export function userId(i: number): string {
  return `user_${pad(i)}`;
}
export function testId(user: number, t: number): string {
  return `test_${pad(user)}_${t}`;
}
export function orgId(j: number): string {
  return `org_${pad(j, 2)}`;
}
/** The organization a user belongs to, if any (the first users, MEMBERS_PER_ORG to an org). */
function orgOf(user: number, orgs: number): number | undefined {
  const j = Math.floor(user / MEMBERS_PER_ORG);
  return j < orgs ? j : undefined;
}

export function seedData(overrides: Partial<SeedOptions> = {}): SeedData {
  const o: SeedOptions = { ...SEED_DEFAULTS, ...overrides };
  const next = seededRandom(o.seed);
  const hex = (length: number) => Array.from({ length }, () => Math.floor(next() * 16).toString(16)).join("");
  const orgCount = Math.max(1, Math.floor(o.users / (MEMBERS_PER_ORG * 2)));
  const data: SeedData = { now: o.now, users: [], tests: [], results: [], changes: [], organizations: [] };

  for (let i = 0; i < o.users; i++) {
    const created = o.now - 400 * DAY + i * 3600;
    const user: SeedDocument = { _id: userId(i), email: `user${i}@example.com`, name: `User ${i}`, created_at: created, config: { core: { min_magnitude: 0.05, max_pvalue: 0.001 }, since_days: 14 } };
    if (i % 8 === 1) user.github_id = null;
    else if (i % 4 !== 3) user.github_id = String(100000 + i);
    if (i % 3 === 1) user.tokens = [];
    if (i % 3 === 2) user.tokens = [{ token_id: `tok_${pad(i)}_a`, created, last_used: o.now - DAY }, { token_id: `tok_${pad(i)}_b`, created }];
    data.users.push(user);
  }

  for (let j = 0; j < orgCount; j++) {
    const org: SeedDocument = { _id: orgId(j), name: `Organization ${j}`, created_at: o.now - 300 * DAY, members: [], config: { billing_email: `billing${j}@example.com` } };
    if (j % 3 !== 2) org.github_org = `org-${j}`;
    for (let m = 0; m < MEMBERS_PER_ORG && j * MEMBERS_PER_ORG + m < o.users; m++) {
      (org.members as SeedDocument[]).push({ user_id: userId(j * MEMBERS_PER_ORG + m), role: m === 0 ? "admin" : "member", joined_at: o.now - 200 * DAY });
    }
    data.organizations.push(org);
  }

  const spacing = (o.days * DAY) / o.resultsPerTest;
  for (let i = 0; i < o.users; i++) {
    const org = orgOf(i, orgCount);
    for (let t = 0; t < o.testsPerUser; t++) {
      const id = testId(i, t);
      const name = `benchmark-${t}`;
      const repo = `https://github.com/example/repo-${i}`;
      data.tests.push({
        _id: id,
        name,
        user_id: userId(i),
        org_id: t === 0 && org !== undefined ? orgId(org) : null,
        created_at: o.now - 365 * DAY,
        public: t === 1,
        enabled: true,
        attributes: { git_repo: repo, branch: "main" },
      });
      for (let k = 0; k < o.resultsPerTest; k++) {
        // k = 0 is the newest; one result every `spacing` seconds back, jittered within the slot.
        const timestamp = Math.floor(o.now - k * spacing - next() * (spacing / 2));
        const commit = hex(40);
        const atChange = k % CHANGE_EVERY === 3;
        const result: SeedDocument = {
          _id: `result_${pad(i)}_${t}_${pad(k)}`,
          test_id: id,
          test_name: name,
          user_id: userId(i),
          timestamp,
          metrics: [
            { name: "response_time", value: Math.round((100 + next() * 50) * 10) / 10, unit: "ms", direction: "lower_is_better" },
            { name: "throughput", value: Math.round(1000 + next() * 200), unit: "ops/s", direction: "higher_is_better" },
          ],
          attributes: { git_repo: repo, branch: "main", git_commit: commit },
        };
        // Half the change points are flagged on the result, half only referred to by the change.
        if (atChange && (k / CHANGE_EVERY) % 2 < 1) result.has_change = true;
        data.results.push(result);
        if (atChange) {
          data.changes.push({
            _id: `change_${pad(i)}_${t}_${pad(k)}`,
            test_id: id,
            test_name: name,
            user_id: userId(i),
            timestamp,
            metric: "response_time",
            direction: "forward",
            magnitude: 0.15,
            pvalue: 0.0001,
            before_mean: 100,
            after_mean: 115,
            before_stddev: 5,
            after_stddev: 6,
            notified: timestamp < o.now - PENDING_DAYS * DAY,
            attributes: { git_commit: commit, git_repo: repo },
          });
        }
      }
    }
  }
  return data;
}
