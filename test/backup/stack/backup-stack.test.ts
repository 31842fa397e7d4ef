// Synth tests of the backup stack: every CronJob (schedule, no overlap, deadlines), the secure pod
// of every container, credentials only as mounted files, the PVC and S3 variants, and the
// logical id of the stateful claim.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { balancerWindowFiles } from "../../../sharding/balancer-script";
import { dataMemberHosts, DB_CLIENT_LABEL, mongosHost } from "../../../stacks/naming";
import { BACKUP_CLAIM_ID } from "../../../stacks/backup-stack";
import { BACKUP_POD_SCRIPTS, MONGOSH_CONF_KEY, prunerModuleSource, verifyMongodConfText } from "../../../stacks/constructs/backup/backup-scripts";
import { restoreRole } from "../../../replicaset/users";
import { MONGOSH_CONF } from "../../../stacks/constructs/member-pod";
import { configOf, containers, envOf, Json, podSpec, synthBackup, volume } from "./support";
import { terraformLiteralValue } from "../../support/terraform-template";
import { withUriTlsOptions } from "../../../config/tls";

const dev = configOf("dev");
const devOut = synthBackup(dev);
const prodOut = synthBackup(configOf("prod"));
const allCronJobs = (out: typeof devOut) => Object.values(out.cronJobs) as Json[];

describe("the backup CronJobs of a replica set", () => {
  it("are full, oplog, verify, and the suspended restore and catalog templates", () => {
    expect(Object.keys(devOut.byName).sort()).toEqual([
      "mongodb-rs0-backup-catalog",
      "mongodb-rs0-backup-full",
      "mongodb-rs0-backup-oplog",
      "mongodb-rs0-backup-verify",
      "mongodb-rs0-restore",
    ]);
  });

  it("run on the configured schedules, in UTC", () => {
    expect(devOut.byName["mongodb-rs0-backup-full"].spec.schedule).toBe(dev.backup.full.schedule);
    expect(devOut.byName["mongodb-rs0-backup-oplog"].spec.schedule).toBe("*/5 * * * *");
    expect(devOut.byName["mongodb-rs0-backup-verify"].spec.schedule).toBe(dev.backup.verify.schedule);
    for (const cj of allCronJobs(devOut)) expect(cj.spec.timezone).toBe("Etc/UTC");
  });

  it.each([
    [1, "* * * * *"],
    [7, "*/7 * * * *"],
    [10, "*/10 * * * *"],
    [60, "0 * * * *"],
  ])("slice every %i minute(s): %s, and a run that cannot start within one interval is skipped", (minutes, schedule) => {
    const out = synthBackup(configOf("dev", { backup: { pitr: { oplogSpanMin: minutes } } }));
    const oplog = out.byName["mongodb-rs0-backup-oplog"];
    expect(oplog.spec.schedule).toBe(schedule);
    expect(oplog.spec.starting_deadline_seconds).toBe(Math.max(10, minutes * 60));
  });

  it("never overlap and keep a short history", () => {
    for (const cj of allCronJobs(devOut)) {
      expect(cj.spec.concurrency_policy).toBe("Forbid");
      expect(cj.spec.starting_deadline_seconds).toBeGreaterThan(0);
      expect(cj.spec.successful_jobs_history_limit).toBe(3);
      expect(cj.spec.failed_jobs_history_limit).toBe(3);
    }
  });

  it("bound every scheduled run; the restore template is watched by hand, not cut off", () => {
    const deadline = (name: string) => devOut.byName[name].spec.job_template.spec.active_deadline_seconds;
    expect(deadline("mongodb-rs0-backup-full")).toBe(23 * 3600);
    expect(deadline("mongodb-rs0-backup-oplog")).toBe(12 * 3600);
    expect(deadline("mongodb-rs0-backup-verify")).toBe(12 * 3600);
    expect(deadline("mongodb-rs0-restore")).toBeUndefined();
    expect(devOut.byName["mongodb-rs0-backup-oplog"].spec.job_template.spec.backoff_limit).toBe(0);
  });

  it("restore and catalog are suspended templates that never fire, their hand-made Jobs cleaned up", () => {
    for (const name of ["mongodb-rs0-restore", "mongodb-rs0-backup-catalog"]) {
      const cj = devOut.byName[name];
      expect(cj.spec.suspend).toBe(true);
      expect(cj.spec.schedule).toBe("0 0 31 2 *");
      expect(Number(cj.spec.job_template.spec.ttl_seconds_after_finished)).toBeGreaterThan(0);
    }
    for (const name of ["mongodb-rs0-backup-full", "mongodb-rs0-backup-oplog", "mongodb-rs0-backup-verify"]) {
      expect(devOut.byName[name].spec.suspend).toBe(false);
    }
  });

  it("follow the config: no slices without pitr, no verification when it is off", () => {
    const out = synthBackup(configOf("dev", { backup: { pitr: { enabled: false }, verify: { enabled: false } } }));
    expect(Object.keys(out.byName).sort()).toEqual(["mongodb-rs0-backup-catalog", "mongodb-rs0-backup-full", "mongodb-rs0-restore"]);
  });

  it("run the scripts from the ConfigMap with the mongo image of the config", () => {
    const run = (name: string) => containers(devOut.byName[name]).map((c: Json) => [c.name, c.image, [...c.command, ...(c.args ?? [])].join(" ")]);
    expect(run("mongodb-rs0-backup-full")).toEqual([["full-dump", dev.image, "bash /opt/nyrkio/backup/scripts/full-dump.sh"]]);
    expect(run("mongodb-rs0-backup-oplog")).toEqual([["oplog-slice", dev.image, "bash /opt/nyrkio/backup/scripts/oplog-slice.sh"]]);
    expect(run("mongodb-rs0-backup-verify")).toEqual([["verify", dev.image, "bash /opt/nyrkio/backup/scripts/verify.sh all"]]);
    expect(run("mongodb-rs0-restore")).toEqual([["restore", dev.image, "bash /opt/nyrkio/backup/scripts/restore.sh all"]]);
  });

  it("tell the scripts which replica set, members and database, and the retention policy", () => {
    const env = envOf(containers(devOut.byName["mongodb-rs0-backup-full"])[0]);
    expect(env).toMatchObject({
      BACKUP_REPLSET: "rs0",
      BACKUP_MEMBERS: dataMemberHosts(dev, dev.replsets[0]).join(","),
      BACKUP_DATABASE: dev.database,
      BACKUP_STORAGE: "pvc",
      BACKUP_ROOT: "/backup",
      BACKUP_WORK: "/work",
      BACKUP_PRUNE: "1",
      RETENTION_DAILY: String(dev.backup.retention.daily),
      RETENTION_WEEKLY: String(dev.backup.retention.weekly),
      HOME: "/tmp",
    });
    // The slice job takes the full dump itself on a chain break, so it knows the policy too.
    expect(envOf(containers(devOut.byName["mongodb-rs0-backup-oplog"])[0])).toMatchObject({ BACKUP_PRUNE: "1", BACKUP_COUNTS_EVERY_SECONDS: "3600" });
  });
});

describe("the backup pods are secure by default", () => {
  const every = [...allCronJobs(devOut), ...allCronJobs(prodOut)];

  it("every container: non-root uid 999, no privilege escalation, no capabilities, read-only root, RuntimeDefault seccomp", () => {
    for (const cj of every) {
      for (const c of containers(cj)) {
        expect({ cronJob: cj.metadata.name, container: c.name, ...c.security_context }).toMatchObject({
          run_as_non_root: true,
          run_as_user: "999",
          run_as_group: "999",
          allow_privilege_escalation: false,
          privileged: false,
          read_only_root_filesystem: true,
          capabilities: { drop: ["ALL"] },
          seccomp_profile: { type: "RuntimeDefault" },
        });
        expect(c.volume_mount).toEqual(expect.arrayContaining([{ name: "tmp", mount_path: "/tmp" }]));
        expect(c.resources.limits.memory).toBeDefined();
      }
      const spec = podSpec(cj);
      expect(spec.security_context).toMatchObject({ run_as_non_root: true, run_as_user: "999", fs_group: "999", seccomp_profile: { type: "RuntimeDefault" } });
      expect(spec.automount_service_account_token).toBe(false);
      expect(spec.restart_policy).toBe("Never");
      expect(volume(cj, "tmp")).toEqual({ name: "tmp", empty_dir: { size_limit: "1Gi" } });
    }
  });

  it("credentials come only from Secrets mounted as files, never from env or argv", () => {
    for (const cj of every) {
      for (const c of containers(cj)) {
        for (const e of c.env ?? []) expect(e.value_from).toBeUndefined();
        const argv = [...c.command, ...(c.args ?? [])].join(" ");
        expect(argv).not.toMatch(/password|--username|@|secret/i);
      }
    }
    const full = devOut.byName["mongodb-rs0-backup-full"];
    expect(volume(full, "backup-user").secret).toEqual({
      secret_name: dev.secrets.backup,
      default_mode: "0440",
      items: [
        { key: "username", path: "username" },
        { key: "password", path: "password" },
      ],
    });
    expect(containers(full)[0].volume_mount).toContainEqual({ name: "backup-user", mount_path: "/etc/nyrkio/backup-user", read_only: true });
    expect(envOf(containers(full)[0]).BACKUP_USER_DIR).toBe("/etc/nyrkio/backup-user");
    // The restore's temporary user (issue 12), never the managed restore user's Secret.
    expect(volume(devOut.byName["mongodb-rs0-restore"], "restore-user").secret.secret_name).toBe("mongodb-rs0-restore-credentials");
  });

  it("no password or Secret content is in the synthesized JSON: the stack creates no Secret", () => {
    for (const out of [devOut, prodOut]) {
      expect(out.json.resource.kubernetes_secret_v1).toBeUndefined();
      expect(out.json.resource.kubernetes_secret).toBeUndefined();
      // Outside the scripts (which only read the mounted files), "password" appears only as the
      // name of a Secret key that is mounted as a file.
      const withoutScripts = structuredClone(out.json);
      for (const cm of Object.values(withoutScripts.resource.kubernetes_config_map_v1) as Json[]) delete cm.data;
      const text = JSON.stringify(withoutScripts).replace(/"(key|path)":"(password|AWS_SECRET_ACCESS_KEY)"/g, "");
      expect(text).not.toMatch(/password|secret_access_key/i);
    }
  });

  it("verify restores as a restore user of its own: its container gets a memory-backed CREDENTIALS_DIR and the real restore role's definition, no Secret", () => {
    const cj = devOut.byName["mongodb-rs0-backup-verify"];
    const [verify] = containers(cj);
    expect(verify.name).toBe("verify");
    const env = envOf(verify);
    expect(env.CREDENTIALS_DIR).toBe("/credentials");
    expect(JSON.parse(env.VERIFY_RESTORE_ROLE)).toEqual(restoreRole());
    const mount = verify.volume_mount.find((m: Json) => m.mount_path === "/credentials");
    expect(volume(cj, mount.name).empty_dir).toEqual({ medium: "Memory", size_limit: "1Mi" });
  });

  it("least privilege: verify and catalog get no database user and no database access label", () => {
    for (const name of ["mongodb-rs0-backup-verify", "mongodb-rs0-backup-catalog"]) {
      const cj = devOut.byName[name];
      expect(volume(cj, "backup-user")).toBeUndefined();
      expect(volume(cj, "restore-user")).toBeUndefined();
      expect(cj.spec.job_template.spec.template.metadata.labels).not.toHaveProperty("nyrkio.io/db-client");
    }
    for (const name of ["mongodb-rs0-backup-full", "mongodb-rs0-backup-oplog", "mongodb-rs0-restore"]) {
      expect(devOut.byName[name].spec.job_template.spec.template.metadata.labels).toMatchObject(DB_CLIENT_LABEL);
    }
    expect(volume(devOut.byName["mongodb-rs0-restore"], "backup-user")).toBeUndefined();
  });

  it("backup pods carry none of the members' selector labels (no Service or PDB of the database picks them)", () => {
    for (const cj of allCronJobs(devOut)) {
      const labels = cj.spec.job_template.spec.template.metadata.labels;
      expect(labels["app.kubernetes.io/name"]).toBe("mongodb-backup");
      expect(labels).not.toHaveProperty("nyrkio.io/replset");
    }
  });

  it("the pods use their own ServiceAccount, which mounts no API token", () => {
    const [sa] = Object.values(devOut.json.resource.kubernetes_service_account_v1) as Json[];
    expect(sa.metadata.name).toBe("mongodb-backup");
    expect(sa.automount_service_account_token).toBe(false);
    for (const cj of allCronJobs(devOut)) expect(podSpec(cj).service_account_name).toBe("mongodb-backup");
    expect(devOut.json.resource.kubernetes_role_v1).toBeUndefined();
    expect(devOut.json.resource.kubernetes_role_binding_v1).toBeUndefined();
  });
});

describe("storage on a PersistentVolumeClaim (the default)", () => {
  const claims = devOut.json.resource.kubernetes_persistent_volume_claim_v1;

  it("is one claim with a pinned logical id, protected from destroy", () => {
    expect(BACKUP_CLAIM_ID).toBe("backup-claim");
    expect(Object.keys(claims)).toEqual(["backup-claim"]);
    const claim = claims["backup-claim"];
    expect(claim.metadata).toMatchObject({ name: "mongodb-backup", namespace: dev.kubernetes.namespace });
    expect(claim.spec.access_modes).toEqual(["ReadWriteOnce"]);
    expect(claim.spec.resources.requests.storage).toBe("20Gi");
    expect(claim.wait_until_bound).toBe(false);
    expect(claim.lifecycle).toEqual({ prevent_destroy: true });
  });

  it("takes the storage class and size from config", () => {
    const out = synthBackup(configOf("dev", { backup: { storage: { storageClass: "nfs", size: "500Gi", accessMode: "ReadWriteMany" } } }));
    const claim = out.json.resource.kubernetes_persistent_volume_claim_v1["backup-claim"];
    expect(claim.spec).toMatchObject({ storage_class_name: "nfs", access_modes: ["ReadWriteMany"], resources: { requests: { storage: "500Gi" } } });
  });

  it("ReadWriteOnce: every backup pod is pinned to the node where another one runs", () => {
    for (const cj of allCronJobs(devOut)) {
      expect(cj.spec.job_template.spec.template.metadata.labels["nyrkio.io/backup-volume"]).toBe("mongodb-backup");
      expect(podSpec(cj).affinity.pod_affinity.required_during_scheduling_ignored_during_execution).toEqual([
        { topology_key: "kubernetes.io/hostname", label_selector: [{ match_labels: { "nyrkio.io/backup-volume": "mongodb-backup" } }] },
      ]);
    }
  });

  it("ReadWriteMany: the jobs run anywhere", () => {
    const out = synthBackup(configOf("dev", { backup: { storage: { accessMode: "ReadWriteMany" } } }));
    for (const cj of allCronJobs(out)) {
      expect(podSpec(cj).affinity).toBeUndefined();
      expect(cj.spec.job_template.spec.template.metadata.labels).not.toHaveProperty("nyrkio.io/backup-volume");
    }
  });

  it("the claim is mounted at /backup; restore and catalog export mount it read-only", () => {
    const mount = (name: string) => containers(devOut.byName[name])[0].volume_mount.find((m: Json) => m.name === "backup");
    expect(mount("mongodb-rs0-backup-full")).toEqual({ name: "backup", mount_path: "/backup", read_only: false });
    expect(mount("mongodb-rs0-restore").read_only).toBe(true);
    expect(mount("mongodb-rs0-backup-catalog").read_only).toBe(true);
    expect(volume(devOut.byName["mongodb-rs0-backup-full"], "backup").persistent_volume_claim).toEqual({ claim_name: "mongodb-backup" });
  });
});

describe("storage in an S3 bucket (prod)", () => {
  const prod = configOf("prod");
  const storage = prod.backup.storage as Extract<typeof prod.backup.storage, { type: "s3" }>;

  it("has no claim", () => {
    expect(prodOut.json.resource.kubernetes_persistent_volume_claim_v1).toBeUndefined();
    for (const cj of allCronJobs(prodOut)) expect(volume(cj, "backup")).toBeUndefined();
  });

  it("runs each job as a pipeline: the S3 client pulls and pushes around the mongo work", () => {
    const pipeline = (name: string) => containers(prodOut.byName[name]).map((c: Json) => `${c.name}:${c.image.startsWith("amazon/aws-cli:") ? "s3" : "mongo"}`);
    expect(pipeline("mongodb-rs0-backup-full")).toEqual(["pull-manifests:s3", "full-dump:mongo", "push:s3"]);
    expect(pipeline("mongodb-rs0-backup-oplog")).toEqual(["pull-head:s3", "oplog-slice:mongo", "push:s3"]);
    expect(pipeline("mongodb-rs0-backup-verify")).toEqual(["pull-manifests:s3", "select:mongo", "pull-files:s3", "verify:mongo", "push:s3"]);
    expect(pipeline("mongodb-rs0-restore")).toEqual(["pull-manifests:s3", "select:mongo", "pull-files:s3", "restore:mongo"]);
    expect(podSpec(prodOut.byName["mongodb-rs0-backup-full"]).container.map((c: Json) => c.name)).toEqual(["push"]);
  });

  it("with S3 no writer prunes (the prune job does, with the pruner's key); the slice job pulls just the catalog head", () => {
    expect(envOf(containers(prodOut.byName["mongodb-rs0-backup-full"])[1]).BACKUP_PRUNE).toBeUndefined();
    expect(envOf(containers(prodOut.byName["mongodb-rs0-backup-oplog"])[1]).BACKUP_PRUNE).toBeUndefined();
    expect(containers(prodOut.byName["mongodb-rs0-backup-oplog"])[0].args).toEqual(["pull-head"]);
    expect(containers(prodOut.byName["mongodb-rs0-backup-full"])[0].args).toEqual(["pull-manifests"]);
  });

  it("the work container defers its exit code to push, so what it saved is uploaded and a failure still fails the Job", () => {
    const [, work, push] = containers(prodOut.byName["mongodb-rs0-backup-full"]);
    expect(envOf(work)).toMatchObject({ BACKUP_STORAGE: "s3", BACKUP_DEFER_EXIT: "1" });
    expect(envOf(work).BACKUP_ROOT).toBeUndefined();
    expect(push.args).toEqual(["push"]);
    // The restore's mongo container is the last one: its exit code is the Job's.
    for (const c of containers(prodOut.byName["mongodb-rs0-restore"])) expect(envOf(c).BACKUP_DEFER_EXIT).toBeUndefined();
  });

  it("the S3 client gets the bucket, prefix, region and credentials as files", () => {
    const pull = containers(prodOut.byName["mongodb-rs0-backup-full"])[0];
    expect(envOf(pull)).toMatchObject({ S3_BUCKET: storage.bucket, S3_PREFIX: storage.prefix, AWS_REGION: storage.region, S3_CREDENTIALS_DIR: "/etc/nyrkio/s3" });
    expect(volume(prodOut.byName["mongodb-rs0-backup-full"], "s3-credentials-pull-manifests").secret).toMatchObject({ secret_name: storage.credentials.writer });
    expect(pull.volume_mount).toContainEqual({ name: "s3-credentials-pull-manifests", mount_path: "/etc/nyrkio/s3", read_only: true });
  });

  it("each job mounts one S3 key: the writers (full, oplog) never the pruner's, which only the prune job holds", () => {
    const keysOf = (cj: Json) =>
      // One Secret volume per S3 container (credential-isolation.test.ts), all of the same key.
      [...new Set((podSpec(cj).volume as Json[]).filter((v) => v.secret && Object.values(storage.credentials).includes(v.secret.secret_name)).map((v) => v.secret.secret_name))];
    const expected: Record<string, string> = {
      full: storage.credentials.writer,
      oplog: storage.credentials.writer,
      verify: storage.credentials.reader,
      restore: storage.credentials.reader,
      catalog: storage.credentials.reader,
      prune: storage.credentials.pruner,
    };
    const seen: Record<string, string[]> = {};
    for (const cj of allCronJobs(prodOut)) seen[cj.metadata.labels["nyrkio.io/backup-kind"]] = keysOf(cj);
    expect(seen).toEqual(Object.fromEntries(Object.entries(expected).map(([kind, key]) => [kind, [key]])));
    // The metrics push reads the catalog as the catalog job does: the reader's key.
    const metrics = Object.values(prodOut.byName).filter((cj: Json) => cj.metadata?.labels?.["nyrkio.io/backup-kind"] === "metrics");
    for (const cj of metrics) expect(keysOf(cj)).toEqual([storage.credentials.reader]);
  });

  it("each key's S3 steps are the ones s3-keys.bats runs against that key's documented policy", () => {
    // s3-keys.bats ("each key's policy ... grants exactly what its jobs' calls use") runs these
    // steps with each key under the policies of docs/backups.md; a new step here needs a run there.
    const steps: Record<string, Set<string>> = {};
    for (const cj of allCronJobs(prodOut))
      for (const c of containers(cj).filter((c: Json) => c.image.startsWith("amazon/aws-cli:"))) {
        // Each S3 container has its own Secret volume (credential-isolation.test.ts).
        const key = Object.entries(storage.credentials).find(([, secret]) => volume(cj, `s3-credentials-${c.name}`).secret.secret_name === secret)![0];
        (steps[key] ??= new Set()).add(c.args[0]);
      }
    expect(Object.fromEntries(Object.entries(steps).map(([k, v]) => [k, [...v].sort()]))).toEqual({
      writer: ["pull-head", "pull-manifests", "push"],
      reader: ["pull-files", "pull-manifests", "push"],
      pruner: ["delete", "pull-manifests"],
    });
    // The reader's only push is verification's status/verify.json (its policy's one write).
    const readerPushes = allCronJobs(prodOut).filter((cj: Json) => containers(cj).some((c: Json) => c.args?.[0] === "push") && volume(cj, "s3-credentials-push").secret.secret_name === storage.credentials.reader);
    expect(readerPushes.map((cj: Json) => cj.metadata.labels["nyrkio.io/backup-kind"])).toEqual(["verify"]);
  });

  it("retention runs in a prune job of its own, after each day's dump; the writers no longer prune", () => {
    const prune = prodOut.byName["mongodb-rs0-backup-prune"];
    expect(prune.spec.schedule).toBe(prod.backup.full.schedule);
    expect(containers(prune).map((c: Json) => c.name)).toEqual(["pull-manifests", "prune", "delete"]);
    const [, work, del] = containers(prune);
    expect(envOf(work)).toMatchObject({ BACKUP_DEFER_EXIT: "1", RETENTION_DAILY: String(prod.backup.retention.daily), RETENTION_WEEKLY: String(prod.backup.retention.weekly) });
    expect(del.args).toEqual(["delete"]);
    // No database user, no database access: pruning reads manifests only.
    expect(prune.metadata.labels).not.toMatchObject(DB_CLIENT_LABEL);
    for (const name of ["mongodb-rs0-backup-full", "mongodb-rs0-backup-oplog"]) for (const c of containers(prodOut.byName[name])) expect(envOf(c).BACKUP_PRUNE).toBeUndefined();
    // With a claim there are no keys to split: the full dump prunes as before, and there is no prune job.
    expect(devOut.byName["mongodb-rs0-backup-prune"]).toBeUndefined();
    expect(envOf(containers(devOut.byName["mongodb-rs0-backup-full"])[0]).BACKUP_PRUNE).toBe("1");
  });

  it("client-side encryption: only an encrypt container (after the dump, before push) holds the public key, only decrypt (after pull-files) the private key", () => {
    const cse = { publicKeySecret: "nyrkio-backup-public-key", privateKeySecret: "nyrkio-backup-private-key" };
    const out = synthBackup(configOf("prod", { backup: { storage: { clientSideEncryption: cse } } }));
    const names = (name: string) => containers(out.byName[name]).map((c: Json) => c.name);
    expect(names("mongodb-rs0-backup-full")).toEqual(["pull-manifests", "full-dump", "encrypt", "push"]);
    expect(names("mongodb-rs0-backup-oplog")).toEqual(["pull-head", "oplog-slice", "encrypt", "push"]);
    expect(names("mongodb-rs0-backup-verify")).toEqual(["pull-manifests", "select", "pull-files", "decrypt", "verify", "push"]);
    expect(names("mongodb-rs0-restore")).toEqual(["pull-manifests", "select", "pull-files", "decrypt", "restore"]);
    expect(names("mongodb-rs0-backup-prune")).toEqual(["pull-manifests", "prune", "delete"]);
    const secretsOf = (cj: Json) => (podSpec(cj).volume as Json[]).filter((v) => v.secret).map((v) => v.secret.secret_name);
    for (const cj of allCronJobs(out)) {
      const kind = cj.metadata.labels["nyrkio.io/backup-kind"];
      expect([kind, secretsOf(cj).includes(cse.publicKeySecret)]).toEqual([kind, kind === "full" || kind === "oplog"]);
      expect([kind, secretsOf(cj).includes(cse.privateKeySecret)]).toEqual([kind, kind === "verify" || kind === "restore"]);
      for (const c of containers(cj)) {
        const mounts = (c.volume_mount as Json[]).map((m) => m.name);
        // Each key is mounted by its one container; that container holds no other credential.
        expect([c.name, mounts.includes("encryption-public-key")]).toEqual([c.name, c.name === "encrypt"]);
        expect([c.name, mounts.includes("encryption-private-key")]).toEqual([c.name, c.name === "decrypt"]);
        if (c.name === "encrypt" || c.name === "decrypt") {
          // Its own memory-backed credentials volume holds each artifact's unwrapped data key.
          expect(mounts.sort()).toEqual([`credentials-${c.name}`, `encryption-${c.name === "encrypt" ? "public" : "private"}-key`, "scripts", "tmp", "work"]);
          expect(envOf(c).CREDENTIALS_DIR).toBe("/credentials");
          expect(c.args).toEqual([c.name]);
          expect(c.image).toBe(configOf("prod").image);
        }
      }
    }
    // Off: no encryption containers, no key volumes.
    for (const cj of allCronJobs(prodOut)) for (const c of containers(cj)) expect(["encrypt", "decrypt"]).not.toContain(c.name);
  });

  it("SSE-KMS: the key id reaches every S3 client", () => {
    const out = synthBackup(configOf("prod", { backup: { storage: { sseKmsKeyId: "alias/nyrkio-backups" } } }));
    for (const cj of allCronJobs(out)) for (const c of containers(cj).filter((c: Json) => c.image.startsWith("amazon/aws-cli:"))) expect(envOf(c).S3_SSE_KMS_KEY_ID).toBe("alias/nyrkio-backups");
    for (const cj of allCronJobs(prodOut)) for (const c of containers(cj)) expect(envOf(c).S3_SSE_KMS_KEY_ID).toBeUndefined();
  });

  it("an S3-compatible endpoint is passed on", () => {
    const out = synthBackup(configOf("prod", { backup: { storage: { endpoint: "https://minio.example:9000" } } }));
    expect(envOf(containers(out.byName["mongodb-rs0-backup-full"])[0]).S3_ENDPOINT).toBe("https://minio.example:9000");
  });

  it("the S3 client image is pinned by tag and digest and can be changed", () => {
    for (const cj of allCronJobs(prodOut)) for (const c of containers(cj)) expect(c.image).toMatch(/:[0-9][^:@]*@sha256:[0-9a-f]{64}$/);
    const out = synthBackup(configOf("prod"), { s3ClientImage: "minio/mc-with-aws:1.2.3" });
    expect(containers(out.byName["mongodb-rs0-backup-full"])[0].image).toBe("minio/mc-with-aws:1.2.3");
  });
});

describe("scratch space never fills a node's disk", () => {
  const kindOf = (cj: Json) => cj.metadata.labels["nyrkio.io/backup-kind"];
  const large = (storage: string) => (storage === "s3" ? ["full", "restore", "verify"] : ["verify"]);

  it.each([
    ["dev (backup claim)", devOut, "pvc"],
    ["prod (S3)", prodOut, "s3"],
  ])("%s: a whole dump or a restored copy goes to a claim that lives with the pod, sized from config", (_env, out, storage) => {
    const config = storage === "s3" ? configOf("prod") : dev;
    for (const cj of allCronJobs(out)) {
      const work = volume(cj, "work");
      if (large(storage).includes(kindOf(cj))) {
        expect([cj.metadata.name, work]).toEqual([
          cj.metadata.name,
          {
            name: "work",
            ephemeral: {
              volume_claim_template: {
                metadata: { labels: expect.objectContaining({ "app.kubernetes.io/component": "backup-scratch", "nyrkio.io/backup-kind": kindOf(cj) }) },
                spec: {
                  access_modes: ["ReadWriteOnce"],
                  resources: { requests: { storage: config.backup.scratch.size } },
                  ...(config.backup.scratch.storageClass ? { storage_class_name: config.backup.scratch.storageClass } : {}),
                },
              },
            },
          },
        ]);
      } else {
        expect([cj.metadata.name, work]).toEqual([cj.metadata.name, { name: "work", empty_dir: { size_limit: config.backup.scratch.small } }]);
      }
    }
  });

  it("every container requests the node-local storage its pod may use: /tmp, and the scratch emptyDir when it is one", () => {
    // dev: small 2Gi + /tmp 1Gi; verify's scratch is a claim, so /tmp only.
    for (const cj of allCronJobs(devOut))
      for (const c of containers(cj)) expect([cj.metadata.name, c.name, c.resources.requests["ephemeral-storage"]]).toEqual([cj.metadata.name, c.name, kindOf(cj) === "verify" ? "1Gi" : "3Gi"]);
  });

  it("the sizes follow the config", () => {
    const out = synthBackup(configOf("dev", { backup: { scratch: { size: "123Gi", small: "5Gi", storageClass: "scratch" } } }));
    const verify = Object.values(out.cronJobs).find((cj: Json) => kindOf(cj) === "verify") as Json;
    expect(volume(verify, "work").ephemeral.volume_claim_template.spec).toMatchObject({ storage_class_name: "scratch", resources: { requests: { storage: "123Gi" } } });
    const oplog = Object.values(out.cronJobs).find((cj: Json) => kindOf(cj) === "oplog") as Json;
    expect(volume(oplog, "work")).toEqual({ name: "work", empty_dir: { size_limit: "5Gi" } });
  });
});

describe("the scripts ConfigMap", () => {
  const [configMap] = Object.values(devOut.json.resource.kubernetes_config_map_v1) as Json[];

  it("embeds every pod script as it is in the repository, and the pruner", () => {
    expect(configMap.metadata.name).toBe("mongodb-backup-scripts");
    for (const script of BACKUP_POD_SCRIPTS) {
      expect(terraformLiteralValue(configMap.data[script.replace("/", "-")])).toBe(readFileSync(join(__dirname, "../../../backup", script), "utf8"));
    }
    expect(terraformLiteralValue(configMap.data["mongosh-pruner.js"])).toBe(prunerModuleSource());
    // verify.sh's scratch mongod.conf, generated (mongod-config.ts verifyMongodConf).
    expect(terraformLiteralValue(configMap.data["scripts-verify-mongod.conf"])).toBe(verifyMongodConfText());
  });

  it("is laid out in the pods as in backup/, so the scripts find each other", () => {
    const items = volume(devOut.byName["mongodb-rs0-backup-full"], "scripts").config_map.items;
    expect(items).toContainEqual({ key: "scripts-full-dump.sh", path: "scripts/full-dump.sh" });
    expect(items).toContainEqual({ key: "mongosh-pruner.js", path: "mongosh/pruner.js" });
    expect(items.map((i: Json) => i.key).sort()).toEqual(Object.keys(configMap.data).filter((k) => k !== MONGOSH_CONF_KEY).sort());
  });

  it("gives every mongo container mongosh's global config (no log files, no telemetry)", () => {
    expect(configMap.data[MONGOSH_CONF_KEY]).toBe(MONGOSH_CONF);
    for (const cronJob of allCronJobs(devOut)) {
      expect(volume(cronJob, "mongosh-conf").config_map.items).toEqual([{ key: MONGOSH_CONF_KEY, path: "mongosh.conf" }]);
      for (const c of containers(cronJob).filter((c) => c.image === dev.image))
        expect([c.name, c.volume_mount]).toEqual([c.name, expect.arrayContaining([{ name: "mongosh-conf", mount_path: "/etc/mongosh.conf", sub_path: "mongosh.conf", read_only: true }])]);
    }
  });
});

describe("the stack", () => {
  it("stands alone: only its own resources, no reference to the database stack", () => {
    for (const out of [devOut, prodOut]) {
      expect(Object.keys(out.json.resource).sort()).toEqual(
        out === devOut
          ? ["kubernetes_config_map_v1", "kubernetes_cron_job_v1", "kubernetes_persistent_volume_claim_v1", "kubernetes_service_account_v1"]
          : ["kubernetes_config_map_v1", "kubernetes_cron_job_v1", "kubernetes_network_policy_v1", "kubernetes_service_account_v1"],
      );
      expect(out.json.data).toBeUndefined();
    }
  });

  it("backs up every shard and the config servers when sharded", () => {
    const out = synthBackup(configOf("sharded"));
    const fulls = Object.keys(out.byName).filter((n) => n.endsWith("-backup-full")).sort();
    expect(fulls).toEqual(["mongodb-cfg-backup-full", "mongodb-rs0-backup-full", "mongodb-rs1-backup-full"]);
    expect(envOf(containers(out.byName["mongodb-rs1-backup-oplog"])[0]).BACKUP_REPLSET).toBe("rs1");
    // All sets' full dumps start together, so their balancer windows overlap into one.
    expect(new Set(fulls.map((n) => out.byName[n].spec.schedule)).size).toBe(1);
  });

  it("sharded: each full dump runs inside a balancer window through mongos; slices do not", () => {
    const sharded = configOf("sharded");
    const out = synthBackup(sharded);
    const [full] = containers(out.byName["mongodb-rs0-backup-full"]);
    expect(full.command).toEqual(["bash", "/opt/nyrkio/backup/sharding/balancer-window.sh", "bash", "/opt/nyrkio/backup/scripts/full-dump.sh"]);
    expect(envOf(full)).toMatchObject({
      // The sharded environment runs requireTLS (config/environments): the URI verifies mongos.
      MONGOS_URI: withUriTlsOptions(`mongodb://${mongosHost(sharded)}/admin`, sharded.tls),
      BALANCER_SCRIPT: "/opt/nyrkio/backup/sharding/balancer.js",
      BALANCER_USERNAME_FILE: "/etc/nyrkio/backup-user/username",
      BALANCER_PASSWORD_FILE: "/etc/nyrkio/backup-user/password",
    });
    expect(containers(out.byName["mongodb-rs0-backup-oplog"])[0].command).toEqual(["bash", "/opt/nyrkio/backup/scripts/oplog-slice.sh"]);
    const [configMap] = Object.values(out.json.resource.kubernetes_config_map_v1) as Json[];
    const window = balancerWindowFiles();
    expect(terraformLiteralValue(configMap.data["sharding-balancer-window.sh"])).toBe(window["balancer-window.sh"]);
    expect(terraformLiteralValue(configMap.data["sharding-balancer.js"])).toBe(window["balancer.js"]);
    expect(volume(out.byName["mongodb-rs0-backup-full"], "scripts").config_map.items).toContainEqual({ key: "sharding-balancer.js", path: "sharding/balancer.js" });
    // Unsharded: no window, no balancer files.
    expect(containers(devOut.byName["mongodb-rs0-backup-full"])[0].command).toHaveLength(2);
    expect(Object.keys((Object.values(devOut.json.resource.kubernetes_config_map_v1)[0] as Json).data).filter((k) => k.startsWith("sharding-"))).toEqual([]);
  });

  it("refuses a replica set name that makes a CronJob name too long", () => {
    const name = "a".repeat(40);
    const config = configOf("dev");
    config.replsets[0].name = name;
    expect(() => synthBackup(config)).toThrow(/longer than 52 characters/);
  });
});
