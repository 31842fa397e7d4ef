import { environments } from "../../config/environments";
import { loadConfig } from "../../config/load";
import type { PlatformConfig } from "../../config/platform-config";
import { formatProblem, validateConfig } from "../../config/validate";

/** dev with a change applied, as a plain object a JSON override could produce. */
function devWith(change: (c: Record<string, any>) => void): unknown {
  const c = structuredClone(environments.dev) as Record<string, any>;
  change(c);
  return c;
}

function problemsOf(value: unknown): string[] {
  const result = validateConfig(value);
  if (result.ok) throw new Error("expected the config to be rejected");
  return result.problems.map(formatProblem);
}

describe("built-in environments", () => {
  it.each(Object.keys(environments))("%s is valid", (name) => {
    const result = validateConfig(environments[name]);
    expect(result.ok ? [] : result.problems).toEqual([]);
  });

  it("dev is the default and has two data members with priorities 2 and 1 plus an arbiter with priority 0", () => {
    const result = loadConfig({ readFile: () => "" });
    expect(result.ok).toBe(true);
    const config = (result as { config: PlatformConfig }).config;
    expect(config.name).toBe("dev");
    expect(config.replsets[0].members.map((m) => m.priority)).toEqual([2, 1]);
    expect(config.replsets[0].arbiter).toMatchObject({ enabled: true, priority: 0 });
    expect(config.replsets[0].oplogMinRetentionHours).toBe(24);
  });
});

describe("rejected configs name the field and the rule", () => {
  const cases: [string, (c: Record<string, any>) => void, RegExp][] = [
    ["an unknown key (typo)", (c) => (c.replsets[0].prioritys = 1), /^replsets\[0\]\.prioritys: is not a known field \(known here: name, members/],
    ["an unknown top-level key", (c) => (c.bakup = {}), /^bakup: is not a known field/],
    ["an arbiter with priority 1", (c) => (c.replsets[0].arbiter.priority = 1), /^replsets\[0\]\.arbiter\.priority: must be 0: an arbiter .* got 1$/],
    [
      "an arbiter too small for mongod and the readiness probe's mongosh",
      (c) => (c.replsets[0].arbiter.resources = { requests: { cpu: "50m", memory: "256Mi" }, limits: { memory: "256Mi" } }),
      /^replsets\[0\]\.arbiter\.resources\.limits\.memory: must be at least 512Mi: mongod and the readiness probe's mongosh \(about 125 MiB\) share the container, got 256Mi$/,
    ],
    [
      "an even number of voting members",
      (c) => (c.replsets[0].arbiter.enabled = false),
      /^replsets\[0\]\.members: the number of voting members .* must be odd .* got 2$/,
    ],
    [
      "more than 7 voting members",
      (c) => (c.replsets[0].members = Array.from({ length: 8 }, () => ({ priority: 1, votes: 1 }))),
      /^replsets\[0\]\.members: a replica set has at most 7 voting members, this config has 9$/,
    ],
    ["a storage size Kubernetes would not parse", (c) => (c.replsets[0].storage.size = "10GB"), /^replsets\[0\]\.storage\.size: must be a Kubernetes quantity .* got "10GB"$/],
    ["a zero storage size", (c) => (c.replsets[0].storage.size = "0Gi"), /^replsets\[0\]\.storage\.size: must be greater than zero/],
    ["a memory limit that does not parse", (c) => (c.replsets[0].resources.limits.memory = "1 GiB"), /^replsets\[0\]\.resources\.limits\.memory: must be a Kubernetes quantity/],
    ["a cron schedule with 4 fields", (c) => (c.backup.full.schedule = "0 2 * *"), /^backup\.full\.schedule: must be a cron schedule of 5 fields/],
    ["a cron schedule with an hour of 24", (c) => (c.retention.schedule = "0 24 * * *"), /^retention\.schedule: must be a valid cron schedule: hour "24" is outside 0-23/],
    ["a zero retention", (c) => (c.retention.resultsDays = 0), /^retention\.resultsDays: must be a whole number at least 1, got number 0$/],
    ["a negative backup retention", (c) => (c.backup.retention.daily = -1), /^backup\.retention\.daily: must be a whole number at least 1, got number -1$/],
    ["a rapid-release image", (c) => (c.image = "mongo:8.2.1"), /^image: must be a long-term-support release .* 8\.2 is a rapid release, which does not support arbiters/],
    ["an unpinned image", (c) => (c.image = "mongo:latest"), /^image: must be an image pinned to a full MongoDB version tag/],
    ["a floating minor tag", (c) => (c.image = "mongo:8.0"), /^image: must be an image pinned to a full MongoDB version tag/],
    ["a wrong type", (c) => (c.replsets[0].members[0].priority = "2"), /^replsets\[0\]\.members\[0\]\.priority: must be a number from 0 to 1000, got string "2"$/],
    ["a missing field", (c) => delete c.kubernetes.namespace, /^kubernetes\.namespace: is required/],
    ["an unknown state backend", (c) => (c.state = { backend: "consul" }), /^state\.backend: must be one of "local", "s3", "kubernetes", got string "consul"$/],
    ["votes 0 with a priority", (c) => (c.replsets[0].members[1] = { priority: 1, votes: 0 }), /^replsets\[0\]\.members\[1\]\.priority: must be 0 for a member with votes: 0/],
    ["a grace period shorter than the quiesce", (c) => (c.pod.terminationGracePeriodSeconds = 20), /^pod\.terminationGracePeriodSeconds: must be at least shutdownQuiesceSeconds \+ 15 \(30\)/],
    ["two replica sets without sharding", (c) => c.replsets.push({ ...c.replsets[0], name: "rs1" }), /^replsets: must hold exactly one replica set while sharding\.enabled is false, got 2$/],
    ["an oplog slice interval of 0", (c) => (c.backup.pitr.oplogSpanMin = 0), /^backup\.pitr\.oplogSpanMin: must be a whole number from 1 to 60/],
    ["memory requests above limits", (c) => (c.replsets[0].resources.requests.memory = "2Gi"), /^replsets\[0\]\.resources\.requests\.memory: must not exceed limits\.memory \(1Gi\), got 2Gi$/],
    ["a bad namespace", (c) => (c.kubernetes.namespace = "Nyrkio_DB"), /^kubernetes\.namespace: must be a DNS label/],
    ["an even config server replica set", (c) => ((c.sharding.enabled = true), (c.replsets[0].arbiter.enabled = false), (c.replsets[0].members.push({ priority: 1, votes: 1 })), (c.sharding.configServer.members = 2)), /^sharding\.configServer\.members: must be an odd number of at least 3/],
  ];

  it.each(cases)("%s", (_name, change, expected) => {
    const problems = problemsOf(devWith(change));
    expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
  });

  it("reports every problem, not just the first", () => {
    const problems = problemsOf(
      devWith((c) => {
        c.replsets[0].arbiter.priority = 3;
        c.replsets[0].storage.size = "big";
        c.retention.resultsDays = -5;
        c.typo = true;
      }),
    );
    expect(problems.map((p) => p.split(":")[0]).sort()).toEqual(["replsets[0].storage.size", "retention.resultsDays", "typo"].sort());
    // Field rules run first; cross-field rules (the arbiter's priority) run once the shape is right.
    const second = problemsOf(devWith((c) => ((c.replsets[0].arbiter.priority = 3), (c.replsets[0].arbiter.enabled = false))));
    expect(second).toHaveLength(2);
  });

  it("a shard with an arbiter is refused unless allowed, and then warned about", () => {
    const sharded = (allow: boolean) =>
      validateConfig(
        (() => {
          const c = structuredClone(environments.sharded) as Record<string, any>;
          c.replsets[1].arbiter.enabled = true;
          c.replsets[1].members.pop();
          c.sharding.allowShardArbiters = allow;
          return c;
        })(),
      );
    const refused = sharded(false);
    expect(refused.ok).toBe(false);
    expect(refused.ok ? [] : refused.problems.map(formatProblem)).toEqual([expect.stringMatching(/^replsets\[1\]\.arbiter\.enabled: .*abort; set sharding\.allowShardArbiters: true/)]);
    const allowed = sharded(true);
    expect(allowed.ok && allowed.warnings.map(formatProblem)).toEqual([expect.stringMatching(/^replsets\[1\]\.arbiter\.enabled: a shard with an arbiter/)]);
  });
});

describe("loadConfig", () => {
  const files: Record<string, string> = {
    "ok.json": JSON.stringify({ replsets: [{ ...environments.dev.replsets[0], storage: { size: "50Gi" } }], retention: { resultsDays: 30 } }),
    "bad.json": "{ not json",
    "array.json": "[1]",
    "typo.json": JSON.stringify({ retention: { resultDays: 30 } }),
  };
  const readFile = (path: string) => {
    if (!(path in files)) throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: "ENOENT" });
    return files[path];
  };

  it("overrides an environment with a JSON file: objects merge, arrays replace", () => {
    const result = loadConfig({ environment: "dev", overrideFile: "ok.json", readFile });
    expect(result.ok).toBe(true);
    const config = (result as { config: PlatformConfig }).config;
    expect(config.replsets[0].storage).toEqual({ size: "50Gi" });
    expect(config.retention).toEqual({ ...environments.dev.retention, resultsDays: 30 });
    expect(environments.dev.retention.resultsDays).toBe(90); // the built-in stays untouched
  });

  it.each([
    ["missing.json", /^NYRKIO_DB_CONFIG: cannot read missing\.json: no such file$/],
    ["bad.json", /^NYRKIO_DB_CONFIG: bad\.json is not valid JSON: /],
    ["array.json", /^NYRKIO_DB_CONFIG: array\.json must hold a JSON object, got an array$/],
    ["typo.json", /^retention\.resultDays: is not a known field/],
  ])("refuses %s", (file, expected) => {
    const result = loadConfig({ environment: "dev", overrideFile: file, readFile });
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
  });

  it("refuses an unknown environment and lists the known ones", () => {
    const result = loadConfig({ environment: "staging", readFile });
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual(['NYRKIO_DB_ENV: unknown environment "staging"; known environments: dev, prod, prod-pss, sharded']);
  });
});
