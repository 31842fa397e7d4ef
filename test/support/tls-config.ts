// Every shipped environment now defaults to requireTLS (config/environments/*, issue 15). Tests that
// pin something TLS does not concern (the users without the rotator, plaintext connection strings)
// say so with an explicit config from here instead of relying on an environment's default.
import type { PlatformConfig } from "../../config/platform-config";
import type { TlsConfig } from "../../config/tls";

/** The config with TLS off: no certificates, no rotator user, plaintext connections. */
export function withoutTls<C extends PlatformConfig>(config: C): C {
  return { ...config, tls: { mode: "disabled", memberAuth: "keyFile", clientsMigrated: false } };
}

/** The config with its TLS section changed by `tls`. */
export function withTlsConfig<C extends PlatformConfig>(config: C, tls: Partial<TlsConfig>): C {
  return { ...config, tls: { ...config.tls, ...tls } as TlsConfig };
}
