// The PSA mitigation (docs/read-write-concern.md) must be expressible in config: a data member at
// {priority: 0, votes: 0} next to the arbiter passes validation with a warning, while an even
// number of voters without that reason is still refused.
import { dev } from "../../config/environments/dev";
import type { PlatformConfig } from "../../config/platform-config";
import { formatProblem, validateConfig } from "../../config/validate";
import { renderReplicaSetConfig } from "../../replicaset/replica-set-config";

const withMembers = (members: PlatformConfig["replsets"][number]["members"], arbiter = true): PlatformConfig => ({
  ...dev,
  replsets: [{ ...dev.replsets[0], members, arbiter: { ...dev.replsets[0].arbiter, enabled: arbiter } }],
});

test("member 1 at votes 0, priority 0 beside the arbiter: valid, with a warning, rendered as MongoDB's mitigation", () => {
  const config = withMembers([{ priority: 2, votes: 1 }, { priority: 0, votes: 0 }]);
  const result = validateConfig(config);
  if (!result.ok) throw new Error(result.problems.map(formatProblem).join("\n"));
  expect(result.warnings.map(formatProblem)).toEqual([expect.stringMatching(/^replsets\[0\]\.members: an even number of voting members \(2\) with a non-voting data member: the PSA mitigation/)]);
  expect(renderReplicaSetConfig(config, config.replsets[0]).members[1]).toMatchObject({ _id: 1, priority: 0, votes: 0 });
});

test("an even number of voters for any other reason is still refused", () => {
  expect(validateConfig(withMembers([{ priority: 2, votes: 1 }, { priority: 1, votes: 1 }], false)).ok).toBe(false);
  expect(validateConfig(withMembers([{ priority: 2, votes: 1 }, { priority: 0, votes: 0 }], false)).ok).toBe(true);
});
