import { Testing } from "cdktf";
import { environments } from "../../config/environments";
import type { PlatformConfig } from "../../config/platform-config";
import { BackupStack } from "../../stacks/backup-stack";

function backendOf(config: PlatformConfig): Record<string, unknown> {
  const stack = new BackupStack(Testing.app(), { config, projectDir: "/srv/nyrkio-db" });
  return JSON.parse(Testing.synth(stack)).terraform.backend;
}

describe("Terraform state backend", () => {
  it("is a local file per stack by default, anchored at the project directory", () => {
    expect(backendOf(environments.dev)).toEqual({ local: { path: "/srv/nyrkio-db/terraform.nyrkio-db-dev-backup.tfstate" } });
  });

  it("is a Kubernetes Secret with a lock for prod", () => {
    expect(backendOf(environments.prod)).toEqual({ kubernetes: { secret_suffix: "nyrkio-db-prod", namespace: "terraform-state" } });
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
