// mongos.conf, rendered from config: the config server replica set to route by, and the same
// keyfile as the members (internal authentication; mongos has no data and no dbPath).

import type { PlatformConfig } from "../../../config/platform-config";
import { configServerReplset } from "../../../sharding/config-server";
import { CONFIG_SERVER_REPLSET, dataMemberHosts, MONGODB_PORT } from "../../naming";
import { serverTlsConf, toYaml, WIRE_COMPRESSORS } from "../mongod-config";

/** sharding.configDB: "cfg/<host:port>,…", the config servers' replica set and its members. */
export function configDb(config: PlatformConfig): string {
  return `${CONFIG_SERVER_REPLSET.name}/${dataMemberHosts(config, configServerReplset(config)).join(",")}`;
}

export function renderMongosConf(config: PlatformConfig, keyFile: string): string {
  const tls = serverTlsConf(config.tls);
  return toYaml({
    net: { port: MONGODB_PORT, bindIpAll: true, compression: { compressors: WIRE_COMPRESSORS }, ...tls.net },
    sharding: { configDB: configDb(config) },
    security: { keyFile, ...tls.security },
  });
}
