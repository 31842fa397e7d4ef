// The REAL mongosh (node_modules/.bin) takes the project's TLS spellings and verifies with them:
// the mongos probe's argv (mongoshTlsArgs), as synthesized for the sharded environment with
// requireTLS, and the readiness probe's connection string (uriTlsOptions, through probe.sh).
// Against a local TLS server (Node's tls module) with certificates made as create-secrets.sh
// --tls makes them (test/support/tls-certs.sh): another CA's certificate and a certificate whose
// SANs lack the host connected to both fail in the TLS handshake, before any command is sent;
// with the right CA and names the handshake succeeds (the server then closes the connection: it
// speaks no MongoDB, which is not what is tested).

import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:tls";
import { join } from "node:path";
import { environments } from "../../config/environments";
import { TLS_CLIENT_CA_FILE, type TlsConfig } from "../../config/tls";
import { MONGODB_PORT } from "../../stacks/naming";
import { synthDatabase } from "../stacks/database-synth";
import { hasMongosh, removeTempDirs, runProgram, tempDir } from "./real-shell";

const REPO = join(__dirname, "..", "..");
const TLS: TlsConfig = { mode: "requireTLS", certificates: { source: "secret", secretName: "mongodb-tls" }, memberAuth: "keyFile", clientsMigrated: true };
const describeShell = hasMongosh() ? describe : describe.skip;

function certs(...args: string[]): string {
  const dir = tempDir("tls-argv-");
  const made = spawnSync("bash", [join(REPO, "test/support/tls-certs.sh"), dir, ...args], { encoding: "utf8" });
  if (made.status !== 0) throw new Error(made.stderr);
  return dir;
}

/** A TLS server on 127.0.0.1 presenting <dir>/tls.crt; handshakes are counted. */
async function tlsServer(dir: string): Promise<{ server: Server; port: number; handshakes: () => number }> {
  let handshakes = 0;
  const server = createServer({ cert: readFileSync(join(dir, "tls.crt")), key: readFileSync(join(dir, "tls.key")) }, (socket) => {
    handshakes++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  return { server, port: typeof address === "object" && address ? address.port : 0, handshakes: () => handshakes };
}

describeShell("the real mongosh with the project's TLS spellings", () => {
  jest.setTimeout(120_000);
  afterAll(removeTempDirs);

  const sharded = synthDatabase({ ...structuredClone(environments.sharded), tls: TLS }).json;
  const mongos = Object.values<{ metadata: { name: string }; spec: { template: { spec: { container: { name: string; readiness_probe: { exec: { command: string[] } } }[] } } } }>(
    sharded.resource.kubernetes_deployment_v1,
  )[0];
  const probeArgv = mongos.spec.template.spec.container.find((c) => c.name === "mongos")!.readiness_probe.exec.command;

  /** The probe's argv against `port`, with the CA at `ca` instead of the pod's path. */
  const argvFor = (port: number, ca: string) => probeArgv.map((a) => (a === String(MONGODB_PORT) ? String(port) : a === TLS_CLIENT_CA_FILE ? ca : a));

  it("the mongos probe carries --tls --tlsCAFile", () => {
    expect(probeArgv).toEqual(expect.arrayContaining(["--tls", "--tlsCAFile", TLS_CLIENT_CA_FILE]));
  });

  it.each([
    ["another CA", () => certs(), () => certs(), /unable to get local issuer certificate|self[- ]signed certificate/],
    ["no 127.0.0.1 in the SANs", () => certs("--no-ip"), undefined, /IP: 127\.0\.0\.1 is not in the cert's list|ERR_TLS_CERT_ALTNAME_INVALID|altnames/],
  ])("mongos probe: %s fails in the handshake", async (_case, serverCerts, clientCerts, error) => {
    const serverDir = serverCerts();
    const ca = join((clientCerts ?? (() => serverDir))(), "ca.crt");
    const { server, port } = await tlsServer(serverDir);
    try {
      const run = await runProgram(argvFor(port, ca), { env: { HOME: tempDir("home-") }, timeoutMs: 60_000 });
      expect(run.code).not.toBe(0);
      expect(run.stdout + run.stderr).toMatch(error);
    } finally {
      server.close();
    }
  });

  it("mongos probe: with the right CA and names the handshake completes (then the stand-in hangs up)", async () => {
    const dir = certs();
    const { server, port, handshakes } = await tlsServer(dir);
    try {
      const run = await runProgram(argvFor(port, join(dir, "ca.crt")), { env: { HOME: tempDir("home-") }, timeoutMs: 60_000 });
      expect(run.code).not.toBe(0);
      expect(run.stdout + run.stderr).not.toMatch(/certificate|altnames|MongoParseError|Unknown option/i);
      expect(handshakes()).toBeGreaterThan(0);
    } finally {
      server.close();
    }
  });

  it("readiness (probe.sh, tls=true&tlsCAFile in the URI): another CA fails in the handshake", async () => {
    const { server, port } = await tlsServer(certs());
    try {
      const run = await runProgram(["bash", join(REPO, "stacks/scripts/probe.sh"), "readiness"], {
        env: { HOME: tempDir("home-"), MONGODB_PORT: String(port), NYRKIO_TLS_CA_FILE: join(certs(), "ca.crt"), REPLICASET_CONFIG: "/dev/null" },
        timeoutMs: 60_000,
      });
      expect(run.code).not.toBe(0);
      expect(run.stdout + run.stderr).toMatch(/unable to get local issuer certificate|self[- ]signed certificate/);
    } finally {
      server.close();
    }
  });
});
