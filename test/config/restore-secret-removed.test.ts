// secrets.restore is removed (issue 12, High 4): no permanent restore user exists; an override that
// still names it is refused with what replaced it (docs/upgrading.md).
import { environments } from "../../config/environments";
import { formatProblem, validateConfig } from "../../config/validate";
import { MANAGED_USERS } from "../../replicaset/users";

it("refuses secrets.restore, saying that every restore runs as a temporary user; no shipped environment names it", () => {
  for (const [name, env] of Object.entries(environments)) expect([name, "restore" in env.secrets]).toEqual([name, false]);
  const c = structuredClone(environments.dev) as Record<string, any>;
  c.secrets.restore = "nyrkio-mongodb-restore";
  const result = validateConfig(c);
  expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([
    "secrets.restore: is no longer used: every restore runs as a temporary restore-<random> user created for it (docs/runbooks/restore.md, step 6), and the reconcile Job drops the old restore user (docs/upgrading.md); remove the field",
  ]);
  expect(MANAGED_USERS).not.toContain("restore");
});
