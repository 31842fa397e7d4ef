// backup.storage for S3: three keys (writer, reader, pruner), an https endpoint unless a test
// store is explicitly allowed, SSE-KMS as config, and the removed single credentialsSecret
// refused with what replaced it (docs/upgrading.md).
import { environments } from "../../config/environments";
import { formatProblem, validateConfig } from "../../config/validate";

function prodWith(change: (storage: Record<string, any>) => void): unknown {
  const c = structuredClone(environments.prod) as Record<string, any>;
  change(c.backup.storage);
  return c;
}

function problemsOf(value: unknown): string[] {
  const result = validateConfig(value);
  return result.ok ? [] : result.problems.map(formatProblem);
}

describe("backup.storage (s3)", () => {
  it("prod ships three different keys", () => {
    const storage = (environments.prod.backup.storage as Extract<typeof environments.prod.backup.storage, { type: "s3" }>).credentials;
    expect(new Set([storage.writer, storage.reader, storage.pruner]).size).toBe(3);
    expect(problemsOf(environments.prod)).toEqual([]);
  });

  it("refuses the old single credentialsSecret, saying what replaced it", () => {
    const problems = problemsOf(
      prodWith((s) => {
        delete s.credentials;
        s.credentialsSecret = "nyrkio-backup-s3";
      }),
    );
    expect(problems).toContain(
      "backup.storage.credentialsSecret: was split into credentials.writer, credentials.reader and credentials.pruner, three keys of which only the pruner's may delete (docs/upgrading.md)",
    );
    expect(problems).toContainEqual(expect.stringMatching(/^backup\.storage\.credentials: is required/));
    // A typo lists the fields there are, not the removed one.
    const typo = problemsOf(prodWith((s) => (s.credentialz = {}))).find((p) => p.startsWith("backup.storage.credentialz"));
    expect(typo).toMatch(/is not a known field \(known here: type, bucket, prefix, region, endpoint, allowInsecureEndpoint, credentials, sseKmsKeyId, clientSideEncryption\)$/);
  });

  it.each([
    ["reader", "writer"],
    ["pruner", "writer"],
    ["pruner", "reader"],
  ])("refuses credentials.%s naming credentials.%s's Secret", (role, other) => {
    const problems = problemsOf(prodWith((s) => (s.credentials[role] = s.credentials[other])));
    expect(problems).toEqual([expect.stringMatching(new RegExp(`^backup\\.storage\\.credentials\\.${role}: must name a Secret of its own, not credentials\\.${other}'s`))]);
  });

  it("refuses an http:// endpoint, naming the field that would allow it", () => {
    expect(problemsOf(prodWith((s) => (s.endpoint = "http://minio.minio:9000")))).toEqual([
      expect.stringMatching(/^backup\.storage\.endpoint: must be an https:\/\/ URL: .* set backup\.storage\.allowInsecureEndpoint: true only for a test store, got http:\/\/minio\.minio:9000$/),
    ]);
    expect(problemsOf(prodWith((s) => ((s.endpoint = "HTTP://minio:9000"), (s.allowInsecureEndpoint = false))))).toHaveLength(1);
  });

  it("accepts http:// with allowInsecureEndpoint, and https:// always", () => {
    expect(problemsOf(prodWith((s) => ((s.endpoint = "http://minio.minio:9000"), (s.allowInsecureEndpoint = true))))).toEqual([]);
    expect(problemsOf(prodWith((s) => (s.endpoint = "https://minio.example:9000")))).toEqual([]);
  });

  it("takes an SSE-KMS key as a key id, ARN or alias, and refuses one with spaces", () => {
    for (const id of ["1234abcd-12ab-34cd-56ef-1234567890ab", "arn:aws:kms:eu-north-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", "alias/nyrkio-backups"])
      expect(problemsOf(prodWith((s) => (s.sseKmsKeyId = id)))).toEqual([]);
    expect(problemsOf(prodWith((s) => (s.sseKmsKeyId = "alias/a b")))).toEqual([expect.stringMatching(/^backup\.storage\.sseKmsKeyId: must be a KMS key id/)]);
  });

  it("client-side encryption: the public and the private key must be different Secrets", () => {
    const cse = { publicKeySecret: "backup-public-key", privateKeySecret: "backup-private-key" };
    expect(problemsOf(prodWith((s) => (s.clientSideEncryption = cse)))).toEqual([]);
    expect(problemsOf(prodWith((s) => (s.clientSideEncryption = { ...cse, privateKeySecret: cse.publicKeySecret })))).toEqual([
      expect.stringMatching(/^backup\.storage\.clientSideEncryption\.privateKeySecret: must name a Secret of its own, not publicKeySecret's/),
    ]);
  });
});
