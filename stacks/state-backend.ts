// Where Terraform keeps each stack's state, chosen in config: a local file by default; an S3
// bucket with S3-native locking (use_lockfile); or Kubernetes Secrets with a Lease lock.

import { LocalBackend, S3Backend, TerraformBackend, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import * as path from "node:path";
import type { PlatformConfig, StateBackendConfig } from "../config/platform-config";
import type { ClusterAccess } from "./cluster-access";

/** cdktf 0.21 ships no Kubernetes backend class; this is Terraform's `kubernetes` backend. */
export class KubernetesBackend extends TerraformBackend {
  constructor(
    scope: Construct,
    private readonly props: { secretSuffix: string; namespace: string } & ClusterAccess,
  ) {
    super(scope, "backend", "kubernetes");
  }

  protected synthesizeAttributes(): { [name: string]: unknown } {
    return {
      secret_suffix: this.props.secretSuffix,
      namespace: this.props.namespace,
      ...(this.props.configPath ? { config_path: this.props.configPath } : {}),
      ...(this.props.configPaths ? { config_paths: this.props.configPaths } : {}),
      ...(this.props.configContext ? { config_context: this.props.configContext } : {}),
    };
  }

  protected synthesizeHclAttributes(): { [name: string]: unknown } {
    return this.synthesizeAttributes();
  }

  getRemoteStateDataSource(): never {
    throw new Error("remote state between the platform's stacks is not used: stacks share names through config");
  }
}

/**
 * Terraform's kubernetes backend stores a state in the Secret tfstate-<workspace>-<secret_suffix>
 * and locks it with the Lease lock-<that name>; it labels both with tfstateSecretSuffix=<suffix>
 * (hashicorp/terraform internal/backend/remote-state/kubernetes/client.go: createSecretName,
 * createLeaseName, getLabels). Two stacks with one suffix share one state, so the suffix carries
 * the stack's name. A label value holds at most 63 characters.
 */
export function kubernetesSecretSuffix(secretSuffix: string, stackName: string): string {
  const suffix = `${secretSuffix}-${stackName}`;
  // The backend refuses a suffix ending in -<number>: it appends -<index> itself when it splits a
  // large state over several Secrets (backend.go Configure, hasNumericSuffix; the message is in the
  // terraform 1.11.4 binary).
  if (/-[0-9]+$/.test(suffix)) throw new Error(`name: must not end in -<number>: the kubernetes state backend refuses the secret_suffix "${suffix}"`);
  if (suffix.length > 63)
    throw new Error(
      `state.secretSuffix: must leave room for the stack name: Terraform labels the state Secret with "${suffix}" (${suffix.length} characters), and a label value holds at most 63`,
    );
  return suffix;
}

/**
 * Attaches the configured backend to a stack: every backend type gives every stack a state of its
 * own (a file, an S3 object or a Secret named after the stack). `projectDir` anchors a relative
 * local state directory (Terraform runs inside cdktf.out/stacks/<stack>, so the path is written absolute).
 */
export function addStateBackend(stack: TerraformStack, config: PlatformConfig, stackName: string, projectDir: string, access: ClusterAccess = {}): TerraformBackend {
  const state: StateBackendConfig = config.state;
  switch (state.backend) {
    case "local":
      return new LocalBackend(stack, { path: path.resolve(projectDir, state.directory ?? ".", `terraform.${stackName}.tfstate`) });
    case "s3": {
      const backend = new S3Backend(stack, {
        bucket: state.bucket,
        key: `${state.keyPrefix}/${stackName}.tfstate`,
        region: state.region,
        encrypt: state.encrypt,
        ...(state.endpoint ? { endpoints: { s3: state.endpoint }, usePathStyle: true } : {}),
      });
      // Terraform >= 1.10 locks with a lock object next to the state; cdktf 0.21 predates the option.
      backend.addOverride("use_lockfile", true);
      return backend;
    }
    case "kubernetes":
      return new KubernetesBackend(stack, {
        secretSuffix: kubernetesSecretSuffix(state.secretSuffix, stackName),
        namespace: state.namespace,
        // The same cluster access as the provider: the backend, too, ignores KUBECONFIG and ~/.kube/config.
        ...access,
      });
  }
}
