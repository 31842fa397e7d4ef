import { App, TerraformStack, Testing } from "cdktf";
import { environments } from "../../config/environments";
import type { PlatformConfig, StateBackendConfig } from "../../config/platform-config";
import { BackupStack } from "../../stacks/backup-stack";
import { addPlatformStacks } from "../../stacks/platform-app";
import { addStateBackend, kubernetesSecretSuffix } from "../../stacks/state-backend";

function backendOf(config: PlatformConfig): Record<string, unknown> {
  const stack = new BackupStack(Testing.app(), { config, projectDir: "/srv/nyrkio-db" });
  return JSON.parse(Testing.synth(stack)).terraform.backend;
}

describe("Terraform state backend", () => {
  it("is a local file per stack by default, anchored at the project directory", () => {
    expect(backendOf(environments.dev)).toEqual({ local: { path: "/srv/nyrkio-db/terraform.nyrkio-db-dev-backup.tfstate" } });
  });

  it("is a Kubernetes Secret with a lock for prod", () => {
    expect(backendOf(environments.prod)).toEqual({ kubernetes: { secret_suffix: "nyrkio-nyrkio-db-prod-backup", namespace: "terraform-state" } });
  });

  it("is S3 with S3-native locking when configured", () => {
    const config: PlatformConfig = {
      ...environments.dev,
      state: { backend: "s3", bucket: "tf-state", keyPrefix: "nyrkio-db/dev", region: "eu-north-1", encrypt: true, endpoint: "https://minio.example.com" },
    };
    expect(backendOf(config)).toEqual({
      s3: {
        bucket: "tf-state",
        key: "nyrkio-db/dev/nyrkio-db-dev-backup.tfstate",
        region: "eu-north-1",
        encrypt: true,
        endpoints: { s3: "https://minio.example.com" },
        use_path_style: true,
        use_lockfile: true,
      },
    });
  });
});

/**
 * Where a backend keeps a stack's state, as Terraform names it: the local file, the S3 object, or
 * the kubernetes backend's Secret tfstate-<workspace>-<secret_suffix> in its namespace (cdktf
 * runs in the workspace "default"; hashicorp/terraform
 * internal/backend/remote-state/kubernetes/client.go createSecretName).
 */
function stateLocation(backend: Record<string, any>): string {
  const [[type, b]] = Object.entries(backend);
  if (type === "local") return `file:${b.path}`;
  if (type === "s3") return `s3://${b.bucket}/${b.key}`;
  if (type === "kubernetes") {
    const secret = `tfstate-default-${b.secret_suffix}`;
    // Secret names are DNS-1123 subdomains; the suffix is also a label value (at most 63 characters).
    expect(secret).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    expect(b.secret_suffix.length).toBeLessThanOrEqual(63);
    return `kubernetes:${b.namespace}/${secret}`;
  }
  throw new Error(`unknown backend ${type}`);
}

const BACKENDS: StateBackendConfig[] = [
  { backend: "local" },
  { backend: "local", directory: "/var/lib/terraform" },
  { backend: "s3", bucket: "tf-state", keyPrefix: "nyrkio", region: "eu-north-1", encrypt: true },
  { backend: "kubernetes", secretSuffix: "nyrkio", namespace: "terraform-state" },
];

// Every shipped environment, with backups on (two stacks), and the restore target of
// docs/runbooks/restore.md (prod renamed prod-restore): all configured with one backend.
const configs: PlatformConfig[] = [
  ...Object.values(environments),
  { ...environments.prod, name: "prod-restore", kubernetes: { ...environments.prod.kubernetes, namespace: "nyrkio-db-restore" } },
].map((c) => ({ ...c, backup: { ...c.backup, enabled: true } }));
// The stacks' own names (stacks/platform-app.ts), once per config.
const stackNames = new Map(configs.map((c) => [c, [...new Set(Object.values(addPlatformStacks(new App(), c, "/srv/nyrkio-db")).flatMap((s) => (s ? [s.node.id] : [])))]]));

describe("every stack has its own state", () => {
  it.each(BACKENDS.map((b) => [b.backend, b] as const))("%s: every stack of every environment has its own state", (_type, backend) => {
    const locations = configs.flatMap((config) => {
      const withBackend = { ...config, state: backend };
      // Each stack given the backend as PlatformStack gives it.
      const names = stackNames.get(config)!;
      expect(names).toHaveLength(2);
      return names.map((name) => {
        const stack = new TerraformStack(Testing.app(), name);
        addStateBackend(stack, withBackend, name, "/srv/nyrkio-db");
        return { name, location: stateLocation(JSON.parse(Testing.synth(stack)).terraform.backend) };
      });
    });
    expect(locations).toHaveLength(configs.length * 2);
    expect(new Set(locations.map((l) => l.location)).size).toBe(locations.length);
  });

  it("prod's two stacks: Secrets tfstate-default-nyrkio-nyrkio-db-prod and …-backup, as the database stack synthesizes it", () => {
    const { database, backup } = addPlatformStacks(Testing.app(), environments.prod, "/srv/nyrkio-db");
    const location = (s: TerraformStack) => stateLocation(JSON.parse(Testing.synth(s)).terraform.backend);
    expect(location(database)).toBe("kubernetes:terraform-state/tfstate-default-nyrkio-nyrkio-db-prod");
    expect(location(backup!)).toBe("kubernetes:terraform-state/tfstate-default-nyrkio-nyrkio-db-prod-backup");
  });

  it("refuses an environment name that makes the suffix end in -<number> (the backend's own chunk index; terraform 1.11.4 refuses it)", () => {
    expect(() => kubernetesSecretSuffix("nyrkio", "nyrkio-db-eu-2")).toThrow('name: must not end in -<number>: the kubernetes state backend refuses the secret_suffix "nyrkio-nyrkio-db-eu-2"');
    expect(kubernetesSecretSuffix("nyrkio", "nyrkio-db-eu-2-backup")).toBe("nyrkio-nyrkio-db-eu-2-backup");
  });

  it("refuses a secretSuffix that leaves no room for the stack name, naming the field", () => {
    expect(kubernetesSecretSuffix("x".repeat(41), "nyrkio-db-prod-backup")).toHaveLength(63);
    expect(() => kubernetesSecretSuffix("x".repeat(42), "nyrkio-db-prod-backup")).toThrow(/^state\.secretSuffix: must leave room for the stack name: .*\(64 characters\), and a label value holds at most 63$/);
  });
});
