// The reconcile job's documents against a real replica set: the setDefaultRWConcern command, the
// migrator role's privileges (real action names), users with SCRAM-SHA-256, and a reconfig planned
// from the live config as the server returns it. The planner's comparisons are checked against
// what the server answers (rolesInfo, usersInfo, getDefaultRWConcern), so a drift in the server's
// shapes shows up here. The default RW concern and the reconfig are changed only on a throwaway
// mongodb-memory-server set, never on a MONGODB_URI deployment (roles and users get scratch names
// and are dropped).
import { MongoClient, type Db } from "mongodb";
import { dev } from "../../config/environments/dev";
import { memberStatesFromStatus, type StatusMember } from "../../replicaset/member-states";
import { planReconfig, type LiveReplicaSetConfig } from "../../replicaset/reconfig-plan";
import { defaultRWConcernNeedsUpdate, renderDefaultRWConcernCommand, type DefaultRWConcernResponse } from "../../replicaset/rw-concern";
import { planUserChanges, type ExistingRole, type ExistingUser } from "../../replicaset/user-plan";
import { migratorRole, USER_MECHANISMS } from "../../replicaset/users";
import { describeWithMongo, scratchDatabaseName } from "./mongo-server";

describeWithMongo("reconcile commands against a replica set", (target) => {
  let client: MongoClient;
  let admin: Db;
  const suffix = scratchDatabaseName("rs").replace(/^rs_/, "");
  const role = { ...migratorRole(dev), role: `nyrkioMigrator_${suffix}` };
  const user = `nyrkio_it_${suffix}`;

  beforeAll(async () => {
    client = await new MongoClient(target().uri).connect();
    admin = client.db("admin");
  });
  afterAll(async () => {
    await admin?.command({ dropUser: user }).catch(() => undefined);
    await admin?.command({ dropRole: role.role }).catch(() => undefined);
    await client?.close();
  });

  test("setDefaultRWConcern as rendered is accepted, and afterwards nothing needs updating", async () => {
    if (target().source !== "mongodb-memory-server") return; // a cluster-wide default cannot be made implicit again
    const command = renderDefaultRWConcernCommand(dev);
    expect(defaultRWConcernNeedsUpdate((await admin.command({ getDefaultRWConcern: 1 })) as DefaultRWConcernResponse, command)).toBe(true);
    await admin.command({ ...command });
    const after = (await admin.command({ getDefaultRWConcern: 1 })) as DefaultRWConcernResponse;
    expect(defaultRWConcernNeedsUpdate(after, command)).toBe(false);
  });

  test("the migrator role's privileges are valid, and rolesInfo's answer plans no update", async () => {
    await admin.command({ createRole: role.role, privileges: role.privileges, roles: role.roles });
    const { roles } = (await admin.command({ rolesInfo: { role: role.role, db: "admin" }, showPrivileges: true })) as { roles: ExistingRole[] };
    const result = planUserChanges({ users: [], roles }, { roles: [role], users: [] });
    expect(result).toEqual({ ok: true, changes: [] });
  });

  test("a SCRAM-SHA-256 user with that role, and usersInfo's answer plans only the password refresh", async () => {
    const roles = [{ role: role.role, db: "admin" }];
    await admin.command({ createUser: user, pwd: `pw-${suffix}`, roles, mechanisms: USER_MECHANISMS });
    const { users } = (await admin.command({ usersInfo: { user, db: "admin" } })) as { users: ExistingUser[] };
    const result = planUserChanges({ users, roles: [] }, { roles: [], users: [{ name: "migrator", user, db: "admin", roles }] });
    expect(result).toEqual({ ok: true, changes: [{ kind: "updateUser", name: "migrator", user, db: "admin", roles, rolesChanged: false }] });
    await admin.command({ updateUser: user, pwd: `pw2-${suffix}`, roles, mechanisms: USER_MECHANISMS });
  });

  test("a priority change planned from the live config is accepted by replSetReconfig, version + 1", async () => {
    if (target().source !== "mongodb-memory-server") return; // never reconfigure someone's deployment
    const { config: live } = (await admin.command({ replSetGetConfig: 1 })) as unknown as { config: LiveReplicaSetConfig };
    const status = (await admin.command({ replSetGetStatus: 1 })) as { members: StatusMember[] };
    const states = memberStatesFromStatus(status, 10);
    expect(states.some((s) => s.stateStr === "PRIMARY" && s.caughtUp)).toBe(true);
    const desired = {
      _id: live._id,
      members: live.members.map((m) => ({ _id: m._id, host: m.host, priority: (m.priority ?? 1) + 1, votes: m.votes ?? 1 })),
    };
    const plan = planReconfig({ live, desired, memberStates: states, defaultWriteConcernIsExplicit: true });
    if (!plan.ok) throw new Error(plan.error);
    expect(plan.steps).toHaveLength(1);
    const [step] = plan.steps;
    if (step.kind !== "reconfig") throw new Error("expected a reconfig");
    await admin.command({ replSetReconfig: step.config });
    const { config: after } = (await admin.command({ replSetGetConfig: 1 })) as unknown as { config: LiveReplicaSetConfig };
    expect(after.version).toBe(live.version + 1);
    expect(after.members.map((m) => m.priority)).toEqual(desired.members.map((m) => m.priority));
    expect(after.settings?.replicaSetId).toEqual(live.settings?.replicaSetId);
  });
});
