// Issue 15: "Nothing anywhere turns a check off". Every synthesized stack (database and backup) of
// every shipped environment, in every TLS mode, and every script in the repository are scanned
// for config/tls.ts INSECURE_TLS_OPTIONS in any spelling: a flag (--tlsInsecure,
// --sslAllowInvalidHostnames=true), a URI option (tlsAllowInvalidCertificates=true), a config
// key, in any case (URI option names are case-insensitive: the Connection String spec), and the
// Node spellings (rejectUnauthorized: false, checkServerIdentity).

import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { environments } from "../../config/environments";
import { INSECURE_TLS_OPTIONS, insecureTlsOptionsIn, TLS_MODES, type TlsConfig } from "../../config/tls";
import { synthBackup } from "../backup/stack/support";
import { synthDatabase } from "../stacks/database-synth";

const REPO = path.join(__dirname, "..", "..");

describe("insecureTlsOptionsIn", () => {
  it.each([
    ["--tlsInsecure", "tlsInsecure"],
    ["mongodump --sslAllowInvalidHostnames --host=x", "sslAllowInvalidHostnames"],
    ["--sslAllowInvalidCertificates=true", "sslAllowInvalidCertificates"],
    ["mongodb://h/?tls=true&tlsallowinvalidcertificates=TRUE", "tlsAllowInvalidCertificates"],
    ["mongodb://h/?TLSALLOWINVALIDHOSTNAMES=true", "tlsAllowInvalidHostnames"],
    ["net:\n  tls:\n    allowInvalidCertificates: true\n    tlsDisableOCSPEndpointCheck: true", "tlsDisableOCSPEndpointCheck"],
    ['{"tlsDisableCertificateRevocationCheck": true}', "tlsDisableCertificateRevocationCheck"],
    ["new MongoClient(uri, { rejectUnauthorized: false })", "rejectUnauthorized=false"],
    ["tls.connect({ checkServerIdentity: () => undefined })", "checkServerIdentity"],
  ])("finds %j", (text, option) => {
    expect(insecureTlsOptionsIn(text)).toContain(option);
  });

  it("finds nothing in verifying settings", () => {
    expect(insecureTlsOptionsIn("mongosh --tls --tlsCAFile /etc/nyrkio/tls-ca/ca.crt; mongodump --ssl --sslCAFile=/x; mongodb://h/?tls=true&tlsCAFile=/x")).toEqual([]);
  });

  it("covers every spelling the contract lists", () => {
    for (const option of INSECURE_TLS_OPTIONS) expect(insecureTlsOptionsIn(`x --${option.toUpperCase()} x`)).toEqual([option]);
  });
});

const tlsIn = (mode: (typeof TLS_MODES)[number]): TlsConfig => ({
  mode,
  memberAuth: "keyFile",
  clientsMigrated: mode === "requireTLS",
  ...(mode === "disabled" ? {} : { certificates: { source: "secret" as const, secretName: "mongodb-tls" } }),
});

describe.each(Object.keys(environments).flatMap((env) => TLS_MODES.map((mode) => [env, mode] as const)))("%s, tls.mode %s: no synthesized stack turns a check off", (env, mode) => {
  const config = { ...structuredClone(environments[env]), tls: tlsIn(mode) };

  it.each([
    ["database", () => synthDatabase(config).text],
    ["backup", () => synthBackup(config).text],
  ])("%s stack", (_name, synth) => {
    expect(insecureTlsOptionsIn(synth())).toEqual([]);
  });
});

it("the stack scan would catch one (a doctored stack)", () => {
  const s = synthDatabase({ ...structuredClone(environments.dev), tls: tlsIn("requireTLS") });
  const doctored = s.text.replace("tls=true&tlsCAFile=", "tls=true&tlsInsecure=true&tlsCAFile=");
  expect(doctored).not.toBe(s.text);
  expect(insecureTlsOptionsIn(doctored)).toEqual(["tlsInsecure"]);
});

describe("every script in the repository", () => {
  // Shell, JavaScript and the CI/ops files; the TypeScript sources are scanned through the stacks
  // they synthesize and the CLIs' own tests (test/migrations/runner/tls-options.test.ts), and
  // config/tls.ts names the options on purpose.
  const files = execFileSync("git", ["ls-files", "*.sh", "*.bash", "*.bats", "*.js", "*.mjs", "*.cjs", "*.yml", "*.yaml"], { cwd: REPO, encoding: "utf8" })
    .split("\n")
    .filter((f) => f && !f.startsWith("node_modules/"));

  it("there are scripts to scan", () => {
    expect(files.length).toBeGreaterThan(30);
    expect(files).toEqual(expect.arrayContaining(["stacks/scripts/probe.sh", "backup/scripts/lib.sh", "replicaset/mongosh/reconcile.js"]));
  });

  it.each(files)("%s", (file) => {
    expect(insecureTlsOptionsIn(readFileSync(path.join(REPO, file), "utf8"))).toEqual([]);
  });
});
