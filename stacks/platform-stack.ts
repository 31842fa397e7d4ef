// What every stack of the platform shares: its config, its state backend and the Kubernetes provider.

import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { TerraformStack } from "cdktf";
import { Construct } from "constructs";
import type { PlatformConfig } from "../config/platform-config";
import { clusterAccess } from "./cluster-access";
import { addStateBackend } from "./state-backend";

export interface PlatformStackProps {
  config: PlatformConfig;
  /** Directory that relative local state paths are resolved against (main.ts passes the project's). */
  projectDir: string;
  /**
   * The user's kubeconfig files (KUBECONFIG, else ~/.kube/config), resolved by main.ts
   * (config/kubeconfig.ts); used when the config names no kubernetes.configPath.
   */
  kubeconfigPaths?: readonly string[];
}

export abstract class PlatformStack extends TerraformStack {
  readonly config: PlatformConfig;

  protected constructor(scope: Construct, name: string, props: PlatformStackProps) {
    super(scope, name);
    this.config = props.config;
    const access = clusterAccess(props.config, props.kubeconfigPaths);
    addStateBackend(this, props.config, name, props.projectDir, access);
    new KubernetesProvider(this, "kubernetes", access);
  }
}
