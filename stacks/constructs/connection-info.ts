// What an application needs to connect, published without any password: as a ConfigMap in the
// database's namespace and as Terraform outputs. The password stays in the user's Secret; the
// application combines the two (driver options, not a `user:pass@` URI on a command line).
// With clients on TLS (config/tls.ts clientsUseTls) the connection strings carry tls=true and the
// info names where the CA certificate is: the certificate Secret and its `ca.crt` key, in the
// database's namespace. The application mounts (or copies) that one key and passes it as
// tlsCAFile; its path is the application's, so it is not in the published string. Host names are
// verified by every driver unless told otherwise (tlsAllowInvalidHostnames, tlsInsecure: never).

import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import { ITerraformDependable, TerraformOutput } from "cdktf";
import { Construct } from "constructs";
import { configMapData, terraformLiteral } from "../terraform-text";
import { TLS_CA_KEY } from "./tls-client";

export interface ConnectionInfoProps {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  /** The replica set's name; absent when clients connect through mongos. */
  replicaSet?: string;
  /** host:port of every member a client may be sent to (data members only). */
  hosts: string[];
  database: string;
  authSource: string;
  /** Name of the Secret with the application's username and password. */
  credentialsSecret: string;
  /** With clients on TLS: the Secret (in `namespace`) whose `ca.crt` key is the CA to verify the server with. */
  tlsCaSecret?: string;
  /**
   * What must be in place before the values change (sharded: the sharding Job, so applications
   * move to mongos only once the shard is added and the users exist on the config servers).
   */
  dependsOn?: ITerraformDependable[];
}

/** A connection string without credentials. */
export function connectionString(hosts: string[], database: string, params: Record<string, string>): string {
  const query = Object.entries(params)
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join("&");
  return `mongodb://${hosts.join(",")}/${database}?${query}`;
}

/** The published values, by ConfigMap key. */
export function connectionInfo(p: Omit<ConnectionInfoProps, "namespace" | "name" | "labels" | "dependsOn">): Record<string, string> {
  const params = { ...(p.replicaSet ? { replicaSet: p.replicaSet } : {}), authSource: p.authSource, ...(p.tlsCaSecret ? { tls: "true" } : {}) };
  return {
    ...(p.replicaSet ? { replicaSet: p.replicaSet } : {}),
    hosts: p.hosts.join(","),
    authSource: p.authSource,
    database: p.database,
    credentialsSecret: p.credentialsSecret,
    ...(p.tlsCaSecret ? { tls: "true", tlsCASecret: p.tlsCaSecret, tlsCAKey: TLS_CA_KEY } : {}),
    connectionString: connectionString(p.hosts, p.database, params),
    // Analytics reads from a secondary when one is up, as the design suggests, and keeps the
    // primary for the application's writes.
    analyticsConnectionString: connectionString(p.hosts, p.database, { ...params, readPreference: "secondaryPreferred" }),
  };
}

/** Terraform output names (`cdktf output`), by ConfigMap key. */
export const CONNECTION_OUTPUTS: Record<string, string> = {
  replicaSet: "mongodb_replica_set",
  hosts: "mongodb_hosts",
  authSource: "mongodb_auth_source",
  database: "mongodb_database",
  credentialsSecret: "mongodb_credentials_secret",
  tls: "mongodb_tls",
  tlsCASecret: "mongodb_tls_ca_secret",
  tlsCAKey: "mongodb_tls_ca_key",
  connectionString: "mongodb_connection_string",
  analyticsConnectionString: "mongodb_analytics_connection_string",
};

export class ConnectionInfo extends Construct {
  readonly configMap: ConfigMapV1;
  readonly values: Record<string, string>;

  constructor(scope: Construct, id: string, props: ConnectionInfoProps) {
    super(scope, id);
    this.values = connectionInfo(props);
    this.configMap = new ConfigMapV1(this, "config-map", {
      metadata: { name: props.name, namespace: props.namespace, labels: props.labels },
      data: configMapData(this.values, `ConfigMap ${props.name}`),
      ...(props.dependsOn ? { dependsOn: props.dependsOn } : {}),
    });
    for (const [key, value] of Object.entries(this.values)) {
      const output = new TerraformOutput(this, key, {
        value: key === "hosts" ? props.hosts : terraformLiteral(value, `output ${key}`),
        description: `MongoDB connection info (${key}); no credentials`,
        sensitive: false,
        // No dependsOn here: cdktf 0.21 writes an output's depends_on as "${type.id}", which
        // terraform validate refuses ("A single static variable reference is required"). Outputs
        // are read after the apply; the ConfigMap is what pods read during it.
      });
      output.overrideLogicalId(CONNECTION_OUTPUTS[key]);
    }
  }
}
