// How the kubernetes provider and the kubernetes state backend reach the cluster: the config's
// kubernetes.configPath/configContext, else the user's kubeconfig that main.ts resolved
// (config/kubeconfig.ts says why neither finds it on its own).

import type { PlatformConfig } from "../config/platform-config";

/** How the provider and the kubernetes state backend reach the cluster. */
export interface ClusterAccess {
  configPath?: string;
  configPaths?: string[];
  configContext?: string;
}

/**
 * kubernetes.configPath (and configContext) from the config win; else the user's kubeconfig. A
 * list of files is config_paths (merged, as kubectl merges KUBECONFIG); config_path and
 * config_paths conflict in provider v2.38.0 (kubernetes/provider.go: ConflictsWith).
 */
export function clusterAccess(config: PlatformConfig, kubeconfigPaths: readonly string[] = []): ClusterAccess {
  const context = config.kubernetes.configContext ? { configContext: config.kubernetes.configContext } : {};
  if (config.kubernetes.configPath) return { configPath: config.kubernetes.configPath, ...context };
  if (kubeconfigPaths.length === 1) return { configPath: kubeconfigPaths[0], ...context };
  if (kubeconfigPaths.length > 1) return { configPaths: [...kubeconfigPaths], ...context };
  return context;
}
