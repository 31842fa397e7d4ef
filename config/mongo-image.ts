// The MongoDB image must be a pinned long-term-support release. Since 5.0, MongoDB's major
// releases (X.0) are supported long term; X.1, X.2, X.3 are rapid releases, which do not
// support arbiters and are not meant for self-managed production. It must also be at or above
// the patch release of its line that fixes every known exploited vulnerability (KNOWN_EXPLOITED).

export interface MongoImage {
  repository: string;
  tag: string;
  major: number;
  minor: number;
  patch: number;
  /** The "sha256:…" digest the image is pinned to, when it is. */
  digest?: string;
}

const IMAGE = /^(?<repository>[a-z0-9]+(?:[._/-][a-z0-9]+)*(?::\d+)?(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*):(?<tag>[A-Za-z0-9_.-]+)(?:@(?<digest>sha256:[0-9a-f]{64}))?$/;
const VERSION_TAG = /^(?<major>\d+)\.(?<minor>\d+)\.(?<patch>\d+)(?:-[A-Za-z0-9.-]+)?$/;

/**
 * Vulnerabilities a server must not be exposed to, each with the first fixed patch release of every
 * LTS line it affects and MongoDB's own advisory. Add a row only after checking it against
 * MongoDB's alerts (https://www.mongodb.com/resources/products/alerts); docs/security.md says how.
 */
export interface KnownVulnerability {
  cve: string;
  summary: string;
  /** "major.minor" → first fixed patch number of that line. A line not listed is not affected. */
  fixedIn: Record<string, number>;
  advisory: string;
}

export const KNOWN_EXPLOITED: readonly KnownVulnerability[] = [
  {
    // "MongoBleed": a zlib-compressed message with a length that does not match its header makes
    // mongod and mongos return uninitialised heap memory, before authentication. On CISA's
    // known-exploited list. Affected 8.0.0-8.0.16, 7.0.0-7.0.26 and 6.0.0-6.0.26 (Percona's
    // 8.0.17-6 release notes); fixed in 8.0.17, 7.0.28, 6.0.27. MongoDB's advisory: SERVER-115508.
    cve: "CVE-2025-14847",
    summary: "unauthenticated heap memory disclosure through zlib-compressed messages (MongoBleed)",
    fixedIn: { "8.0": 17, "7.0": 28, "6.0": 27 },
    advisory: "https://jira.mongodb.org/browse/SERVER-115508",
  },
];

export function parseMongoImage(image: string): MongoImage | undefined {
  const m = IMAGE.exec(image);
  const v = m && VERSION_TAG.exec(m.groups!.tag);
  if (!m || !v) return undefined;
  return {
    repository: m.groups!.repository,
    tag: m.groups!.tag,
    major: Number(v.groups!.major),
    minor: Number(v.groups!.minor),
    patch: Number(v.groups!.patch),
    ...(m.groups!.digest ? { digest: m.groups!.digest } : {}),
  };
}

/** The known exploited vulnerabilities this version is still exposed to. */
export function knownExploitedIn(image: Pick<MongoImage, "major" | "minor" | "patch">, table: readonly KnownVulnerability[] = KNOWN_EXPLOITED): KnownVulnerability[] {
  const line = `${image.major}.${image.minor}`;
  return table.filter((v) => v.fixedIn[line] !== undefined && image.patch < v.fixedIn[line]);
}

/** Rule text when the image is not a pinned MongoDB LTS release (6.0 or newer) free of known exploited CVEs, else undefined. */
export function mongoImageRule(image: string): string | undefined {
  const parsed = parseMongoImage(image);
  if (!parsed)
    return `must be an image pinned to a full MongoDB version tag such as "mongo:8.0.28" (not "latest" or a floating "8.0"), got ${JSON.stringify(image)}`;
  if (parsed.major < 6) return `must be MongoDB 6.0 or newer (older releases are past end of life), got ${parsed.major}.${parsed.minor}`;
  if (parsed.minor !== 0)
    return `must be a long-term-support release (X.0.Z); ${parsed.major}.${parsed.minor} is a rapid release, which does not support arbiters, got ${JSON.stringify(image)}`;
  const exposed = knownExploitedIn(parsed);
  if (exposed.length)
    return `must not be exposed to a known exploited vulnerability: ${exposed
      .map((v) => `${v.cve} (${v.summary}; ${v.advisory}) is fixed in ${parsed.major}.${parsed.minor}.${v.fixedIn[`${parsed.major}.${parsed.minor}`]}`)
      .join("; ")}, got ${parsed.major}.${parsed.minor}.${parsed.patch}`;
  return undefined;
}
