// `restore run --cluster` writes `stopped: true` to the balancer settings on the config servers
// before their restore and again right after it (issue 13, item 5), as the cluster's restore
// user, whose role grants exactly that.

import { runRealTar } from "./real-tar";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CatalogEntry } from "../../backup/manifest";
import type { BalancerConnection } from "../../backup/restore/balancer-settings";
import { BALANCER_STOPPED_UPDATE } from "../../backup/restore/balancer-settings";
import { CliDeps, runCli } from "../../backup/restore/restore-command";
import { fileInspector } from "../../backup/restore/verify-artifacts";
import { sharded } from "../../config/environments/sharded";
import { renderUsersSpec, restoreUserRoles } from "../../replicaset/users";
import { modeOf } from "../sharding/stand-in-balancer";
import { writeCatalog } from "./disk-catalog";
import { fullDump, sliceChain, ts } from "./fixtures";

const T0 = 1714528800;
const forRs = (replicaSet: string, entries: CatalogEntry[]) => entries.map((e) => ({ ...e, replicaSet }));
let root: string;
let work: string;
let conn: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "balancer-settings-"));
  work = mkdtempSync(join(tmpdir(), "balancer-settings-work-"));
  for (const rs of ["cfg", "rs0"]) writeCatalog(forRs(rs, [fullDump(ts(T0 + 10, 1)), ...sliceChain(ts(T0 + 10, 1), [ts(T0 + 300, 1)])]), join(root, rs));
  conn = join(work, "conn");
  mkdirSync(conn);
  for (const rs of ["cfg", "rs0"]) {
    writeFileSync(join(conn, `${rs}.uri`), `mongodb://restore@${rs}:27017/?directConnection=true&authSource=admin\n`);
    writeFileSync(join(conn, `${rs}.password`), `pw-${rs}\n`);
  }
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

async function restore(stopBalancer: (c: BalancerConnection) => Promise<void>, events: string[]) {
  let stderr = "";
  const deps: CliDeps = {
    stdout: (t) => (stderr += t),
    stderr: (t) => (stderr += t),
    // Each replica set's primary, never a mongos; a cluster restore drops what the target holds.
    probeTarget: async () => ({ mongos: false, namespacesWithData: [] }),
    run: async (argv, onLine) => {
      if (argv[0] === "tar") return runRealTar(argv, onLine);
      const uri = readUriHost(argv);
      events.push(`mongorestore ${uri}`);
      onLine("0 document(s) restored successfully. 0 document(s) failed to restore.");
      return { code: 0 };
    },
    inspector: fileInspector,
    now: () => 0,
    tmpdir: work,
    stopBalancer,
  };
  const code = await runCli(["run", "--cluster", "--catalog", root, "--to", "2024-05-01T02:03:20Z", "--uri-dir", conn, "--drop", "--yes"], deps);
  return { code, stderr };
}

/** Which replica set a mongorestore call restores into: its --config file names the host. */
function readUriHost(argv: readonly string[]): string {
  const config = argv.find((a) => a.startsWith("--config="))?.slice("--config=".length) ?? "";
  const text = require("node:fs").readFileSync(config, "utf8") as string;
  return /@(\w+):27017/.exec(text)?.[1] ?? "?";
}

describe("restore run --cluster and the balancer settings", () => {
  it("writes stopped: true on the config servers before their first step and right after their last, then restores the shards", async () => {
    const events: string[] = [];
    // The config server's settings document, as the replay would leave it: balancer on at the target.
    let settings: Record<string, unknown> | null = { _id: "balancer", mode: "full", stopped: false };
    const stop = async (c: BalancerConnection) => {
      events.push(`stop ${/@(\w+):/.exec(c.uri)?.[1]} password=${c.password}`);
      settings = { ...settings, ...BALANCER_STOPPED_UPDATE.$set };
    };
    const r = await restore(stop, events);
    expect(r.code).toBe(0);
    const cfgSteps = events.filter((e) => e === "mongorestore cfg").length;
    expect(cfgSteps).toBeGreaterThan(0);
    expect(events).toEqual(["stop cfg password=pw-cfg", ...Array(cfgSteps).fill("mongorestore cfg"), "stop cfg password=pw-cfg", ...events.filter((e) => e === "mongorestore rs0")]);
    // The write means "off" to the server whatever `mode` said (BalancerSettingsType::fromBSON).
    expect(modeOf(settings)).toBe("off");
  });

  it("restores nothing when the write is refused before the config servers' restore", async () => {
    const events: string[] = [];
    const r = await restore(async () => {
      throw new Error("not authorized on config to execute command { update: \"settings\" }");
    }, events);
    expect(r.code).toBe(1);
    expect(events).toEqual([]);
    expect(r.stderr).toContain("nyrkioRestore");
  });

  it("stops before the shards when the write right after the config servers' restore fails", async () => {
    const events: string[] = [];
    let calls = 0;
    const r = await restore(async () => {
      if (++calls === 2) throw new Error("connection reset");
      events.push("stop");
    }, events);
    expect(r.code).toBe(1);
    expect(events).not.toContain("mongorestore rs0");
    expect(r.stderr).toContain("stop the balancer by hand");
  });

  it("the cluster's restore user may write config.settings: its nyrkioRestore role grants every action (the replay needs it anyway)", () => {
    const cluster = renderUsersSpec(sharded, "cluster");
    expect(restoreUserRoles(sharded, "cluster")).toContainEqual({ role: "nyrkioRestore", db: "admin" });
    expect(cluster.roles.find((r) => r.role === "nyrkioRestore")!.privileges).toEqual([{ resource: { anyResource: true }, actions: ["anyAction"] }]);
  });
});
