// The deployment model: which stacks an environment consists of.

import { App } from "cdktf";
import type { PlatformConfig } from "../config/platform-config";
import { BackupStack } from "./backup-stack";
import { DatabaseStack } from "./database-stack";
import { MonitoringStack } from "./monitoring-stack";

export interface PlatformStacks {
  database: DatabaseStack;
  backup?: BackupStack;
  /** With monitoring.prometheusOperator: applied after the Prometheus Operator (its CRDs). */
  monitoring?: MonitoringStack;
}

/** `kubeconfigPaths`: the user's kubeconfig as main.ts resolved it (config/kubeconfig.ts). */
export function addPlatformStacks(app: App, config: PlatformConfig, projectDir: string, kubeconfigPaths?: readonly string[]): PlatformStacks {
  const database = new DatabaseStack(app, { config, projectDir, kubeconfigPaths });
  const backup = config.backup.enabled ? new BackupStack(app, { config, projectDir, kubeconfigPaths }) : undefined;
  const monitoring = config.monitoring.enabled && config.monitoring.prometheusOperator ? new MonitoringStack(app, { config, projectDir, kubeconfigPaths }) : undefined;
  return { database, backup, monitoring };
}
