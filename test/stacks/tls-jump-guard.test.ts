// A running plaintext set never jumps to preferTLS or requireTLS in one deploy, and a set using
// TLS never drops to disabled: a precondition on each replica set's data StatefulSet reads the
// tls-mode key the last deploy left in the set's ConfigMap (config/tls-rules.ts). Evaluated by
// the real Terraform CLI (`terraform console`, offline), with the data source's map replaced by
// what the cluster would hold.
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { environments } from "../../config/environments";
import type { PlatformConfig } from "../../config/platform-config";
import { TLS_MODES, TlsMode } from "../../config/tls";
import { deployedModesAllowedFor, tlsJumpMessage } from "../../config/tls-rules";
import { synthDatabase } from "./database-synth";

const terraform = spawnSync("terraform", ["version"], { encoding: "utf8" }).status === 0;
if (!terraform) console.log("TLS jump guard: the terraform CLI is missing, its conditions are not evaluated");
const itTerraform = terraform ? it : it.skip;

const SS = "kubernetes_stateful_set_v1";
const DATA = "data.kubernetes_config_map_v1.deployed_rs0_config.data";

function configWith(env: string, mode: TlsMode): PlatformConfig {
  const config = structuredClone(environments[env]);
  config.tls = { mode, memberAuth: "keyFile", clientsMigrated: false, ...(mode === "disabled" ? {} : { certificates: { source: "secret", secretName: "nyrkio-mongodb-tls" } }) };
  return config;
}

/** The condition's value for each deployed ConfigMap data map (HCL), one `terraform console` each. */
function evaluate(condition: string, deployed: string[]): string[] {
  const expression = condition.replace(/^\$\{/, "").replace(/\}$/, "");
  expect(expression).toContain(DATA);
  const cwd = mkdtempSync(join(tmpdir(), "tf-console-"));
  return deployed.map((d) => {
    const run = spawnSync("terraform", ["console"], { input: `${expression.split(DATA).join(d)}\n`, encoding: "utf8", cwd, timeout: 60000 });
    expect(run.stderr).not.toMatch(/Error/);
    return run.stdout.trim();
  });
}

const guard = (mode: TlsMode, env = "dev") =>
  (synthDatabase(configWith(env, mode)).named(SS, "mongodb-rs0").lifecycle?.precondition ?? []).filter((p: { error_message: string }) => p.error_message.startsWith("tls.mode"));

describe("TLS jump guard", () => {
  it("allowTLS is reachable from every deployed mode: no guard", () => {
    expect(guard("allowTLS")).toEqual([]);
  });

  it.each(["disabled", "preferTLS", "requireTLS"] as const)("%s guards the data StatefulSet with a message naming tls.mode and the way", (mode) => {
    expect(guard(mode)).toEqual([{ condition: expect.stringContaining(DATA), error_message: tlsJumpMessage(mode) }]);
    expect(tlsJumpMessage(mode)).toMatch(mode === "disabled" ? /lower it to allowTLS first/ : /Set tls\.mode to "allowTLS" for this deploy/);
  });

  it("guards every replica set of a sharded cluster, the config servers included", () => {
    const s = synthDatabase(configWith("sharded", "requireTLS"));
    for (const rs of ["cfg", ...environments.sharded.replsets.map((r) => r.name)])
      expect(s.named(SS, `mongodb-${rs}`).lifecycle.precondition).toEqual(expect.arrayContaining([expect.objectContaining({ error_message: tlsJumpMessage("requireTLS") })]));
  });

  itTerraform("refuses exactly the jumps MongoDB's path does not allow, and never a first deploy", () => {
    // What the cluster holds: nothing (first deploy), a set deployed before TLS existed (no
    // tls-mode key), and a set deployed with each mode.
    const deployed = [
      "tomap({})",
      `tomap({"mongod.conf" = "net: {}"})`,
      ...TLS_MODES.map((m) => `tomap({"mongod.conf" = "net: {}", "tls-mode" = "${m}"})`),
    ];
    const table: Record<string, string[]> = {};
    for (const mode of ["disabled", "preferTLS", "requireTLS"] as const) table[mode] = evaluate(guard(mode)[0].condition, deployed);
    expect(table).toEqual({
      //             first   pre-TLS  disabled allowTLS preferTLS requireTLS
      disabled: ["true", "true", "true", "true", "false", "false"],
      preferTLS: ["true", "false", "false", "true", "true", "true"],
      requireTLS: ["true", "false", "false", "true", "true", "true"],
    });
    // The same table as the pure rule.
    for (const mode of ["disabled", "preferTLS", "requireTLS"] as const)
      expect(table[mode].slice(2)).toEqual(TLS_MODES.map((d) => String(deployedModesAllowedFor(mode).includes(d))));
  });
});
