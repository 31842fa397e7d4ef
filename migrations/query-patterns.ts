// Every query of the design (docs/schema.md lists them), as data: collection, filter, sort and
// the catalog index that should serve it. `check:queries` runs each with
// explain("executionStats") and fails on a collection scan, a blocking sort, or far more
// documents examined than returned. Filters are built from sample values, taken from the seed
// data (seed-data.ts) or sampled from a real database.
import { candidateFilter, changesFilterFor, retentionCutoff } from "./retention/retention-steps";
import { orgId, SeedData, testId, userId } from "./seed-data";

export interface QuerySample {
  /** Epoch seconds the time windows are measured from. */
  now: number;
  userId: unknown;
  email: string;
  githubId: string;
  tokenId: string;
  testId: unknown;
  testName: string;
  orgId: unknown;
  githubOrg: string;
  gitCommit: string;
}

export interface QueryPattern {
  /** Short and stable: check:queries reports by it. */
  name: string;
  /** Where the query comes from (the design's section, or this project's retention). */
  source: string;
  collection: string;
  filter: Record<string, unknown>;
  sort?: Record<string, 1 | -1>;
  projection?: Record<string, 0 | 1>;
  limit?: number;
  /** The catalog index (by name) the winning plan should use. */
  expectedIndex: string;
}

export interface QueryPatternOptions {
  retentionDays?: number;
  retentionBatchSize?: number;
}

const DAY = 86_400;

export function queryPatterns(s: QuerySample, options: QueryPatternOptions = {}): QueryPattern[] {
  const cutoff = retentionCutoff(s.now, options.retentionDays ?? 90);
  return [
    {
      name: "results-by-test-range",
      source: "design: Query Patterns 1, results of a test in a time range (latest first)",
      collection: "results",
      filter: { test_id: s.testId, timestamp: { $gte: s.now - 30 * DAY, $lte: s.now } },
      sort: { timestamp: -1 },
      expectedIndex: "test_id_1_timestamp_1",
    },
    {
      name: "recent-results",
      source: "design: get_recent_results",
      collection: "results",
      filter: { test_id: s.testId, timestamp: { $gte: s.now - 30 * DAY } },
      sort: { timestamp: -1 },
      expectedIndex: "test_id_1_timestamp_1",
    },
    {
      name: "results-of-test",
      source: "design: get_test_stats ($match on test_id)",
      collection: "results",
      filter: { test_id: s.testId },
      expectedIndex: "test_id_1_timestamp_1",
    },
    {
      name: "results-by-user",
      source: "design: results index on user_id (a user's latest results)",
      collection: "results",
      filter: { user_id: s.userId },
      sort: { timestamp: -1 },
      limit: 100,
      expectedIndex: "user_id_1_timestamp_1",
    },
    {
      name: "results-by-commit",
      source: "design: results index on attributes.git_commit",
      collection: "results",
      filter: { "attributes.git_commit": s.gitCommit },
      expectedIndex: "attributes.git_commit_1",
    },
    {
      name: "pending-changes",
      source: "design: get_pending_changes / Query Patterns 2",
      collection: "changes",
      filter: { user_id: s.userId, notified: false, timestamp: { $gte: s.now - 14 * DAY } },
      expectedIndex: "user_id_1_notified_1_timestamp_1",
    },
    {
      name: "changes-by-test",
      source: "design: changes index on test_id + timestamp",
      collection: "changes",
      filter: { test_id: s.testId },
      sort: { timestamp: -1 },
      expectedIndex: "test_id_1_timestamp_1",
    },
    {
      name: "recent-changes",
      source: "design: changes index on timestamp",
      collection: "changes",
      filter: { timestamp: { $gte: s.now - 7 * DAY } },
      sort: { timestamp: -1 },
      expectedIndex: "timestamp_1",
    },
    { name: "user-by-email", source: "design: Query Patterns 3", collection: "users", filter: { email: s.email }, expectedIndex: "email_1" },
    { name: "user-by-github-id", source: "design: find user by GitHub ID", collection: "users", filter: { github_id: s.githubId }, expectedIndex: "github_id_1" },
    { name: "user-by-token", source: "design: tokens.token_id (authentication)", collection: "users", filter: { "tokens.token_id": s.tokenId }, expectedIndex: "tokens.token_id_1" },
    { name: "test-by-user-and-name", source: "design: tests name + user_id", collection: "tests", filter: { user_id: s.userId, name: s.testName }, expectedIndex: "user_id_1_name_1" },
    { name: "tests-of-user", source: "a user's tests by name (why user_id leads the index)", collection: "tests", filter: { user_id: s.userId }, sort: { name: 1 }, expectedIndex: "user_id_1_name_1" },
    { name: "tests-by-org", source: "design: tests index on org_id", collection: "tests", filter: { org_id: s.orgId }, expectedIndex: "org_id_1" },
    { name: "public-tests", source: "design: tests index on public", collection: "tests", filter: { public: true }, expectedIndex: "public_1" },
    { name: "org-by-github-org", source: "design: organizations github_org", collection: "organizations", filter: { github_org: s.githubOrg }, expectedIndex: "github_org_1" },
    { name: "orgs-of-member", source: "design: organizations members.user_id", collection: "organizations", filter: { "members.user_id": s.userId }, expectedIndex: "members.user_id_1" },
    {
      name: "retention-candidates",
      source: "retention: the oldest results past the window (migrations/retention)",
      collection: "results",
      filter: candidateFilter(cutoff, { from: null, seen: [] }),
      sort: { timestamp: 1 },
      projection: { _id: 1, test_id: 1, timestamp: 1 },
      limit: options.retentionBatchSize ?? 1000,
      expectedIndex: "timestamp_1",
    },
    {
      name: "retention-change-lookup",
      source: "retention: the changes that refer to a batch",
      collection: "changes",
      filter: changesFilterFor([
        { _id: null, test_id: s.testId, timestamp: cutoff - 30 * DAY },
        { _id: null, test_id: s.testId, timestamp: cutoff - 1 },
      ]),
      projection: { _id: 0, test_id: 1, timestamp: 1 },
      expectedIndex: "test_id_1_timestamp_1",
    },
  ];
}

/** Sample values that the seed data is known to contain (a user with GitHub id, tokens, an org, pending changes). */
export function sampleFromSeed(seed: SeedData): QuerySample {
  const user = seed.users.find((u) => u._id === userId(2));
  const test = seed.tests.find((t) => t._id === testId(2, 0));
  const org = seed.organizations.find((o) => o._id === orgId(0));
  const result = seed.results.find((r) => r.test_id === testId(2, 0));
  if (!user || !test || !org || !result) throw new Error("the seed data is too small for the query sample (it needs at least 3 users and one organization)");
  return {
    now: seed.now,
    userId: user._id,
    email: String(user.email),
    githubId: String(user.github_id),
    tokenId: String((user.tokens as { token_id: string }[])[0].token_id),
    testId: test._id,
    testName: String(test.name),
    orgId: org._id,
    githubOrg: String(org.github_org),
    gitCommit: String((result.attributes as { git_commit: string }).git_commit),
  };
}
