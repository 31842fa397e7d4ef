import type { PlatformConfig } from "../platform-config";
import { dev } from "./dev";
import { prod } from "./prod";
import { prodPss } from "./prod-pss";
import { sharded } from "./sharded";

/** The built-in environments, chosen with NYRKIO_DB_ENV (default "dev"). */
export const environments: Readonly<Record<string, PlatformConfig>> = { dev, prod, "prod-pss": prodPss, sharded };

export const DEFAULT_ENVIRONMENT = "dev";
