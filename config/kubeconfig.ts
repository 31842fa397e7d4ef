// Which kubeconfig the kubernetes provider and the kubernetes state backend use when the config
// names none (kubernetes.configPath): the user's, found the way kubectl finds it.
//
// Neither reads KUBECONFIG or ~/.kube/config on its own. Provider v2.38.0 builds its client from
// an empty clientcmd.ClientConfigLoadingRules{} and adds only config_path, config_paths or
// KUBE_CONFIG_PATHS (terraform-provider-kubernetes kubernetes/provider.go, initializeConfiguration);
// with none of them it talks to localhost unless KUBE_HOST & co. or the in-cluster config say
// otherwise, and it applies config_context only together with a path. Terraform's kubernetes
// backend does the same (hashicorp/terraform internal/backend/remote-state/kubernetes/backend.go,
// tryLoadingConfigFile). kubectl reads KUBECONFIG (a list of files, merged) or else ~/.kube/config.

/** The variables this decision reads; main.ts passes process.env. */
export interface KubeconfigEnvironment {
  KUBECONFIG?: string;
  KUBE_CONFIG_PATH?: string;
  KUBE_CONFIG_PATHS?: string;
  KUBE_HOST?: string;
  HOME?: string;
}

export interface UserKubeconfig {
  /** One or more kubeconfig files (a list is merged, the first file's values winning, as kubectl does). */
  paths: string[];
  /** Where they came from, for the docs and messages. */
  from: "KUBECONFIG" | "~/.kube/config";
}

/** The default kubeconfig file; `~` is expanded by the provider and the backend (go-homedir). */
export const HOME_KUBECONFIG = "~/.kube/config";

/**
 * The user's kubeconfig, or undefined when the provider and the backend should be left to their
 * own settings: KUBE_CONFIG_PATH(S) or KUBE_HOST set (they read those themselves), or neither
 * KUBECONFIG nor ~/.kube/config there (e.g. in a pod, where they use the in-cluster config).
 */
export function userKubeconfig(env: KubeconfigEnvironment, exists: (file: string) => boolean): UserKubeconfig | undefined {
  if (env.KUBE_CONFIG_PATH || env.KUBE_CONFIG_PATHS || env.KUBE_HOST) return undefined;
  // KUBECONFIG is a list in the OS's path-list syntax (client-go's filepath.SplitList); empty entries are skipped.
  const listed = (env.KUBECONFIG ?? "").split(":").filter((p) => p !== "");
  if (listed.length) return { paths: listed, from: "KUBECONFIG" };
  if (env.HOME && exists(`${env.HOME}/.kube/config`)) return { paths: [HOME_KUBECONFIG], from: "~/.kube/config" };
  return undefined;
}

/**
 * kubernetes.configContext does nothing when the provider gets no kubeconfig path: v2.38.0 applies
 * config_context only together with config_path(s) or KUBE_CONFIG_PATHS (initializeConfiguration).
 */
export function ignoredContextWarning(configContext: string | undefined, configPath: string | undefined, user: UserKubeconfig | undefined, env: KubeconfigEnvironment): string | undefined {
  if (!configContext || configPath || user || env.KUBE_CONFIG_PATH || env.KUBE_CONFIG_PATHS) return undefined;
  return `kubernetes.configContext: "${configContext}" is ignored: no kubeconfig to pick it from (no kubernetes.configPath, KUBECONFIG, ~/.kube/config or KUBE_CONFIG_PATH)`;
}
