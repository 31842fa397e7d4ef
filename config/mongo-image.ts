// The MongoDB image must be a pinned long-term-support release. Since 5.0, MongoDB's major
// releases (X.0) are supported long term; X.1, X.2, X.3 are rapid releases, which do not
// support arbiters and are not meant for self-managed production.

export interface MongoImage {
  repository: string;
  tag: string;
  major: number;
  minor: number;
  patch: number;
}

const IMAGE = /^(?<repository>[a-z0-9]+(?:[._/-][a-z0-9]+)*(?::\d+)?(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*):(?<tag>[A-Za-z0-9_.-]+)(?:@sha256:[0-9a-f]{64})?$/;
const VERSION_TAG = /^(?<major>\d+)\.(?<minor>\d+)\.(?<patch>\d+)(?:-[A-Za-z0-9.-]+)?$/;

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
  };
}

/** Rule text when the image is not a pinned MongoDB LTS release (6.0 or newer), else undefined. */
export function mongoImageRule(image: string): string | undefined {
  const parsed = parseMongoImage(image);
  if (!parsed)
    return `must be an image pinned to a full MongoDB version tag such as "mongo:8.0.12" (not "latest" or a floating "8.0"), got ${JSON.stringify(image)}`;
  if (parsed.major < 6) return `must be MongoDB 6.0 or newer (older releases are past end of life), got ${parsed.major}.${parsed.minor}`;
  if (parsed.minor !== 0)
    return `must be a long-term-support release (X.0.Z); ${parsed.major}.${parsed.minor} is a rapid release, which does not support arbiters, got ${JSON.stringify(image)}`;
  return undefined;
}
