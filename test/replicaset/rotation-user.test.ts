// The TLS rotation sidecars' user (replicaset/users.ts rotationRole): managed only with TLS on, on
// every kind of set, with exactly one privilege, and mongod's authorization (test/support/mongod-authz.ts,
// from rotate_certificates_command.cpp) lets it rotate and nothing else.
import { dev as devEnvironment } from "../../config/environments/dev";
import { withoutTls } from "../support/tls-config";
import type { PlatformConfig } from "../../config/platform-config";
import { customRoles, managedUserRoles, renderUsersSpec, rotationRole, ROTATION_ROLE } from "../../replicaset/users";
import { authorize, CustomRole } from "../support/mongod-authz";

// dev ships with requireTLS; "dev" here is the TLS-disabled counterpart the tests compare against.
const dev = withoutTls(devEnvironment);
const tlsOn: PlatformConfig = { ...dev, tls: { mode: "requireTLS", memberAuth: "keyFile", clientsMigrated: true, certificates: { source: "secret", secretName: "nyrkio-db-tls" } } };

describe("the rotator user", () => {
  test("exactly the rotateCertificates action on the cluster", () => {
    expect(rotationRole()).toEqual({ role: ROTATION_ROLE, db: "admin", privileges: [{ resource: { cluster: true }, actions: ["rotateCertificates"] }], roles: [] });
    expect(managedUserRoles(tlsOn, "rotator")).toEqual([{ role: ROTATION_ROLE, db: "admin" }]);
  });

  test.each(["replicaset", "cluster", "shard"] as const)("with TLS on, a %s holds it and its role; with TLS disabled, neither", (scope) => {
    const spec = renderUsersSpec(tlsOn, scope);
    expect(spec.users.find((u) => u.name === "rotator")).toEqual({ name: "rotator", secretName: "nyrkio-mongodb-rotator", secretDir: "/etc/nyrkio/secrets/rotator", db: "admin", roles: [{ role: ROTATION_ROLE, db: "admin" }] });
    expect(customRoles(tlsOn, scope).map((r) => r.role)).toContain(ROTATION_ROLE);
    expect(renderUsersSpec(dev, scope).users.map((u) => u.name)).not.toContain("rotator");
    expect(customRoles(dev, scope).map((r) => r.role)).not.toContain(ROTATION_ROLE);
  });

  test("mongod lets it rotate certificates and nothing else", () => {
    const server = { hasUsers: true, arbiter: false, customRoles: [rotationRole() as CustomRole] };
    const session = { fromLocalhost: true, roles: [{ role: ROTATION_ROLE, db: "admin" }] };
    expect(() => authorize(server, session, { rotateCertificates: 1 })).not.toThrow();
    for (const cmd of [{ setParameter: 1, tlsMode: "requireTLS" }, { getParameter: 1, tlsMode: 1 }, { shutdown: 1 }, { replSetGetStatus: 1 }, { find: "results", $db: "nyrkio" }])
      expect(() => authorize(server, session, cmd)).toThrow(/not authorized/);
  });
});
