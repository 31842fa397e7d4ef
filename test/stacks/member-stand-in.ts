// A stand-in mongod for the member pods' mongosh scripts (stacks/scripts/mongosh/): one member
// of a replica set, with its users, its state as `hello` reports it, and mongod's authorization
// (test/support/mongod-authz.ts) on every command of every connection. A connection is from
// localhost (the pod's own scripts over 127.0.0.1) or not (a peer, a Job); it may authenticate.
// Commands the model does not know are refused, never answered.

import { authorize, AUTHENTICATION_FAILED, AuthzSession, CustomRole, ServerError } from "../support/mongod-authz";

type Doc = Record<string, unknown>;
export type Reply = <T>(produce: () => T) => T;

export interface MemberUser {
  user: string;
  pwd: string;
  roles: { role: string; db: string }[];
}

// mongod's answers to the failures the scripts meet (src/mongo/base/error_codes.yml).
const NOT_WRITABLE_PRIMARY = 10107;
const USER_ALREADY_EXISTS = 51003; // src/mongo/db/commands/user_management_commands.cpp

export interface MemberOptions {
  /** What hello answers (PRIMARY, SECONDARY, not initiated, ...), or a thrown error: unreachable. */
  hello: Doc | (() => Doc);
  users?: MemberUser[];
  /** An arbiter holds no data, so no users: its localhost exception never closes. */
  arbiter?: boolean;
  /** replSetInitiate's answer once authorized (default ok). */
  initiate?: (config: Doc) => Doc;
  /** Called once createUser is authorized and the user written (e.g. to throw a write-concern error). */
  afterCreateUser?: (user: MemberUser) => void;
  /** Roles defined on the server (admin.system.roles) that users may hold. */
  customRoles?: CustomRole[];
  /** Called once rotateCertificates is authorized (the server then reloads its TLS files). */
  onRotateCertificates?: () => void;
  /** The running tlsMode, as getParameter answers it (default disabled). */
  tlsMode?: string;
  /** replSetGetStatus's members, as this member's heartbeats see them. */
  statusMembers?: Doc[];
  /** Called once shutdown is authorized; the connection then drops as mongod exits. */
  onShutdown?: () => void;
}

export class StandInMember {
  readonly users: MemberUser[];
  readonly commands: Doc[] = [];
  /**
   * Whether this mongod process has seen a user or role document: once it has, the localhost
   * exception stays closed until it restarts, even if every user is dropped
   * (AuthorizationManagerImpl::hasAnyPrivilegeDocuments: "If we know that a user exists, don't
   * re-check", src/mongo/db/auth/authorization_manager_impl.cpp; checked at every request's
   * startRequest → _checkShouldAllowLocalhost).
   */
  private privilegeDocumentsSeen = false;
  constructor(readonly options: MemberOptions) {
    this.users = [...(options.users ?? [])];
    if (options.arbiter && this.users.length > 0) throw new Error("an arbiter holds no users (it replicates no data)");
  }

  private hello(): Doc {
    return typeof this.options.hello === "function" ? this.options.hello() : { ...this.options.hello };
  }

  run(session: AuthzSession, cmd: Doc): Doc {
    const name = Object.keys(cmd)[0];
    this.commands.push({ ...cmd, ...("pwd" in cmd ? { pwd: "<redacted>" } : {}) });
    // A member that does not answer fails every command, hello included.
    const hello = this.hello();
    if (this.users.length > 0 || (this.options.customRoles ?? []).length > 0) this.privilegeDocumentsSeen = true;
    authorize({ hasUsers: this.privilegeDocumentsSeen, arbiter: this.options.arbiter === true, customRoles: this.options.customRoles }, session, cmd);
    switch (name) {
      case "hello":
        return hello;
      case "ping":
        return { ok: 1 };
      case "usersInfo":
        return { users: this.users.map((u) => ({ user: u.user, db: "admin", roles: u.roles })), ok: 1 };
      case "createUser": {
        // After authorization, as mongod orders them: checkAuthorization, then the not-primary
        // check (ExecCommandDatabase::_initiateCommand, src/mongo/db/service_entry_point_common.cpp r8.0).
        if (hello.isWritablePrimary !== true) throw new ServerError(NOT_WRITABLE_PRIMARY, "NotWritablePrimary", "not primary");
        if (this.users.some((u) => u.user === cmd.createUser)) throw new ServerError(USER_ALREADY_EXISTS, "Location51003", `User "${String(cmd.createUser)}@admin" already exists`);
        const user = { user: cmd.createUser as string, pwd: cmd.pwd as string, roles: cmd.roles as MemberUser["roles"] };
        this.users.push(user);
        this.options.afterCreateUser?.(user);
        return { ok: 1 };
      }
      case "getParameter": {
        // src/mongo/db/commands/parameters.cpp: the values asked for; the model knows tlsMode only.
        if (!("tlsMode" in cmd)) throw new Error("the stand-in member answers getParameter for tlsMode only");
        return { tlsMode: this.options.tlsMode ?? "disabled", ok: 1 };
      }
      case "replSetGetStatus":
        if (!this.options.statusMembers) throw new ServerError(94, "NotYetInitialized", "no replset config has been received");
        return { set: "rs0", members: this.options.statusMembers, ok: 1 };
      case "shutdown":
        this.options.onShutdown?.();
        throw new ServerError(6, "HostUnreachable", "connection closed: the server is shutting down");
      case "rotateCertificates":
        // src/mongo/db/commands/rotate_certificates_command.cpp: adminOnly(), then
        // SSLManagerCoordinator::rotate(), ok ("may only be run against the admin database" is
        // the server's refusal of an adminOnly command elsewhere, src/mongo/db/commands.cpp).
        if (cmd.$db !== "admin") throw new ServerError(13, "Unauthorized", "rotateCertificates may only be run against the admin database.");
        this.options.onRotateCertificates?.();
        return { ok: 1 };
      case "replSetInitiate":
        return this.options.initiate ? this.options.initiate(cmd.replSetInitiate as Doc) : { ok: 1 };
      default:
        throw new Error(`the stand-in member does not answer ${name}`);
    }
  }

  /** A connection, as mongosh's `db` (and `rs`) on it. */
  connect(reply: Reply, fromLocalhost: boolean) {
    const session: AuthzSession = { fromLocalhost };
    const run = (cmd: Doc) => reply(() => this.run(session, cmd));
    const database = (name: string) => ({
      runCommand: (cmd: Doc) => run({ ...cmd, $db: name }),
      // mongosh's db.createUser sends createUser with the user's fields and the write concern.
      createUser: (user: { user: string; pwd: string; roles: unknown[] }, writeConcern?: Doc) =>
        run({ createUser: user.user, pwd: user.pwd, roles: user.roles, ...(writeConcern ? { writeConcern } : {}), $db: name }),
      // db.auth runs saslStart/saslContinue (no authentication needed); a wrong password is
      // AuthenticationFailed (18), "Authentication failed.".
      auth: (user: string, pwd: string) =>
        reply(() => {
          const found = this.users.find((u) => u.user === user && u.pwd === pwd);
          if (!found) throw new ServerError(AUTHENTICATION_FAILED, "AuthenticationFailed", "Authentication failed.");
          session.roles = found.roles;
          return { ok: 1 };
        }),
    });
    const admin = database("admin");
    return {
      /** What `new Mongo(uri)` gives. */
      mongo: { getDB: database },
      db: { ...admin, adminCommand: admin.runCommand, getSiblingDB: database },
      rs: { initiate: (config: Doc) => run({ replSetInitiate: config, $db: "admin" }) },
    };
  }
}
