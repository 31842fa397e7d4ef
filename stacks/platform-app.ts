// The deployment model: which stacks an environment consists of.

import { App } from "cdktf";
import type { PlatformConfig } from "../config/platform-config";
import { BackupStack } from "./backup-stack";
import { DatabaseStack } from "./database-stack";
import type { CertificatesStack } from "./certificates-stack";
import type { MonitoringStack } from "./monitoring-stack";

export interface PlatformStacks {
  database: DatabaseStack;
  backup?: BackupStack;
  /** With monitoring.prometheusOperator: applied after the Prometheus Operator (its CRDs). */
  monitoring?: MonitoringStack;
  /** With TLS on and certificates from cert-manager: applied after cert-manager, before the database stack. */
  certificates?: CertificatesStack;
}

/** `kubeconfigPaths`: the user's kubeconfig as main.ts resolved it (config/kubeconfig.ts). */
export function addPlatformStacks(app: App, config: PlatformConfig, projectDir: string, kubeconfigPaths?: readonly string[]): PlatformStacks {
  const database = new DatabaseStack(app, { config, projectDir, kubeconfigPaths });
  const backup = config.backup.enabled ? new BackupStack(app, { config, projectDir, kubeconfigPaths }) : undefined;
  // Loaded only when asked for: the manifest resource and the YAML parser are not needed otherwise.
  const operator = () => require("./monitoring-stack") as typeof import("./monitoring-stack");
  const monitoring = config.monitoring.enabled && config.monitoring.prometheusOperator ? new (operator().MonitoringStack)(app, { config, projectDir, kubeconfigPaths }) : undefined;
  const certificatesStack = () => require("./certificates-stack") as typeof import("./certificates-stack");
  const certificates =
    config.tls.mode !== "disabled" && config.tls.certificates?.source === "certManager" ? new (certificatesStack().CertificatesStack)(app, { config, projectDir, kubeconfigPaths }) : undefined;
  return { database, backup, monitoring, certificates };
}
