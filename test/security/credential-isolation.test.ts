// Issue 12, high 5 (and high 4's last point): credentials do not cross containers. In every backup
// pod of every environment, a Secret is mounted only into the containers that use it, and the
// files a script derives from it go to a memory-backed volume that no other container mounts.
// Containers run as the same uid (restricted Pod Security, member-pod.ts), so a volume two
// containers share is readable by both: that is what this test rules out for credentials.

import { readFileSync } from "node:fs";
import { environments } from "../../config/environments";
import type { PlatformConfig } from "../../config/platform-config";
import { restoreCredentialsSecretName } from "../../stacks/constructs/backup/backup-names";
import { CREDENTIALS_DIR } from "../../stacks/constructs/backup/backup-pod";
import { configOf, synthBackup } from "../backup/stack/support";
import { containers, credentialSecretOf, podTemplates, volumes } from "./secret-mounts";

const S3_IMAGE = /^amazon\/aws-cli:/;

// Every environment, and prod with client-side encryption (its encrypt and decrypt containers hold
// key material: the same rule applies to them).
const CSE = { publicKeySecret: "nyrkio-backup-public-key", privateKeySecret: "nyrkio-backup-private-key" };
const CASES: [string, PlatformConfig][] = [
  ...Object.keys(environments).map((env): [string, PlatformConfig] => [env, environments[env]]),
  ["prod with clientSideEncryption", configOf("prod", { backup: { storage: { clientSideEncryption: CSE } } })],
];

describe.each(CASES)("%s: backup pods", (_env, config) => {
  // The backup jobs' pods; the restore-user Job (root and the temporary Secret, no derived files) has its own test.
  const pods = podTemplates(synthBackup(config).json).filter((p) => p.kind === "kubernetes_cron_job_v1" && !p.name.endsWith("-restore-user"));

  it("has backup pods to check", () => {
    expect(pods.length).toBeGreaterThan(3);
    if (config.backup.storage.type === "s3" && config.backup.storage.clientSideEncryption)
      expect(pods.flatMap((p) => containers(p).map((c) => c.container)).filter((n) => n === "encrypt" || n === "decrypt").sort()).toEqual(["decrypt", "decrypt", "encrypt", "encrypt"]);
  });

  it.each(pods.map((p) => [p.name, p] as const))("%s: no credential volume is mounted by two containers", (_name, pod) => {
    const byName = new Map(volumes(pod).map((v) => [v.name, v]));
    const all = containers(pod);
    const isCredential = (volume: string) => {
      const v = byName.get(volume);
      return v !== undefined && (credentialSecretOf(v) !== undefined || v.empty_dir?.medium === "Memory");
    };
    for (const c of all)
      for (const m of c.mounts.filter((x) => isCredential(x.volume))) {
        const sharers = all.filter((o) => o.container !== c.container && o.mounts.some((x) => x.volume === m.volume)).map((o) => o.container);
        expect([c.container, m.volume, sharers]).toEqual([c.container, m.volume, []]);
      }
  });

  it.each(pods.map((p) => [p.name, p] as const))("%s: the S3 client holds only the AWS keys, a mongo container only its database user, select and the readers nothing", (_name, pod) => {
    const byName = new Map(volumes(pod).map((v) => [v.name, v]));
    const storage = config.backup.storage;
    // The job's one S3 key (k12a: writer, reader or pruner by kind, backup-pod.ts s3Key).
    const s3Secrets: string[] = storage.type === "s3" ? Object.values(storage.credentials) : [];
    const dbSecrets = [config.secrets.backup, config.secrets.restore, config.secrets.root, restoreCredentialsSecretName(pod.name.replace(/^mongodb-/, "").replace(/-(backup-[a-z]+|restore)$/, ""))];
    for (const c of containers(pod)) {
      const secrets = c.mounts.map((m) => credentialSecretOf(byName.get(m.volume) ?? {})).filter((s): s is string => s !== undefined);
      if (S3_IMAGE.test(c.image)) {
        expect([c.container, secrets.length]).toEqual([c.container, 1]);
        expect(s3Secrets).toContain(secrets[0]);
      } else expect([c.container, secrets.filter((s) => s3Secrets.includes(s))]).toEqual([c.container, []]);
      // Only the container that connects: the dump, the slice, the restore run. Never select,
      // verify (it makes its own scratch mongod's keyfile and users, verify.sh) or the catalog export.
      const connects = ["full-dump", "oplog-slice", "restore"].includes(c.container);
      // An encryption key is held by the encrypt or decrypt container alone, and nothing else is.
      const keys = secrets.filter((s) => s === CSE.publicKeySecret || s === CSE.privateKeySecret);
      if (c.container === "encrypt") expect(secrets).toEqual([CSE.publicKeySecret]);
      else if (c.container === "decrypt") expect(secrets).toEqual([CSE.privateKeySecret]);
      else expect([c.container, keys]).toEqual([c.container, []]);
      if (!connects) expect([c.container, secrets.filter((s) => dbSecrets.includes(s))]).toEqual([c.container, []]);
      else expect([c.container, secrets.filter((s) => dbSecrets.includes(s)).length]).toEqual([c.container, 1]);
    }
  });

  it.each(pods.map((p) => [p.name, p] as const))("%s: a container holding a Secret, or making credentials (verify's scratch mongod), gets its own memory-backed CREDENTIALS_DIR", (_name, pod) => {
    const byName = new Map(volumes(pod).map((v) => [v.name, v]));
    for (const c of containers(pod)) {
      // verify.sh's work container makes a keyfile and two users' passwords for its scratch mongod.
      const makesCredentials = c.container === "verify";
      const holds = makesCredentials || c.mounts.some((m) => credentialSecretOf(byName.get(m.volume) ?? {}) !== undefined);
      const dir = c.mounts.find((m) => m.mountPath === CREDENTIALS_DIR);
      if (!holds) {
        expect([c.container, dir, c.env.CREDENTIALS_DIR]).toEqual([c.container, undefined, undefined]);
        continue;
      }
      expect([c.container, c.env.CREDENTIALS_DIR]).toEqual([c.container, CREDENTIALS_DIR]);
      expect(dir).toBeDefined();
      expect(byName.get(dir!.volume).empty_dir).toEqual({ medium: "Memory", size_limit: "1Mi" });
    }
  });
});

describe("the scripts write derived credentials only to CREDENTIALS_DIR", () => {
  it.each(["backup/scripts/lib.sh", "backup/scripts/s3-transfer.sh", "backup/scripts/verify.sh"])("%s", (file) => {
    const text = readFileSync(file, "utf8");
    expect(text).not.toMatch(/\$BACKUP_WORK\/credentials/);
    expect(text).toMatch(/\$CREDENTIALS_DIR\/(mongo-tools\.yaml|aws|verify)/);
  });

  it("verify.sh: the keyfile and the scratch users' passwords only under CREDENTIALS_DIR, never the scratch volume", () => {
    const text = readFileSync("backup/scripts/verify.sh", "utf8");
    expect(text).toMatch(/keyfile="\$CREDENTIALS_DIR\/verify\/keyfile"/);
    expect(text).toMatch(/local dir="\$CREDENTIALS_DIR\/verify"/);
    expect(text).not.toMatch(/secret_file "\$(scratch|BACKUP_WORK)/);
  });
});
