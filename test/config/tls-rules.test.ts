import { environments } from "../../config/environments";
import { MEMBER_AUTH_MODES, TLS_MODES } from "../../config/tls";
import { formatProblem, validateConfig } from "../../config/validate";

const secretCerts = { source: "secret", secretName: "nyrkio-mongodb-tls" };

/** dev with its tls section replaced. */
function devTls(tls: Record<string, unknown>): unknown {
  const c = structuredClone(environments.dev) as Record<string, any>;
  c.tls = tls;
  return c;
}

function problems(value: unknown): string[] {
  const result = validateConfig(value);
  return result.ok ? [] : result.problems.map(formatProblem);
}

describe("tls rules: what can never work is refused, naming the field", () => {
  it.each(TLS_MODES.filter((m) => m !== "disabled"))("mode %s without certificates", (mode) => {
    expect(problems(devTls({ mode, memberAuth: "keyFile", clientsMigrated: false }))).toEqual([
      expect.stringMatching(new RegExp(`^tls\\.certificates: is required with tls\\.mode ${mode}: mongod and mongos need a certificate`)),
    ]);
  });

  it.each(MEMBER_AUTH_MODES.filter((m) => m !== "keyFile"))("memberAuth %s with TLS disabled (mongod: need to enable TLS via the tlsMode flag)", (memberAuth) => {
    expect(problems(devTls({ mode: "disabled", memberAuth, clientsMigrated: false }))).toEqual([
      `tls.memberAuth: must be "keyFile" while tls.mode is "disabled": mongod refuses clusterAuthMode ${memberAuth} without TLS, got "${memberAuth}"`,
    ]);
  });

  it.each(["sendX509", "x509"])("memberAuth %s in allowTLS (mongod: cannot have x.509 cluster authentication in allowTLS mode)", (memberAuth) => {
    expect(problems(devTls({ mode: "allowTLS", certificates: secretCerts, memberAuth, clientsMigrated: false }))).toEqual([
      expect.stringMatching(/^tls\.memberAuth: must be "keyFile" or "sendKeyFile" while tls\.mode is "allowTLS"/),
    ]);
  });

  it("a certificate Secret named like the keyfile's", () => {
    expect(problems(devTls({ mode: "requireTLS", certificates: { ...secretCerts, secretName: "nyrkio-mongodb-keyfile" }, memberAuth: "keyFile", clientsMigrated: true }))).toEqual([
      'tls.certificates.secretName: must differ from secrets.keyfile: the certificate Secret holds tls.crt, tls.key and ca.crt only, got "nyrkio-mongodb-keyfile"',
    ]);
  });

  it("an issuerRef kind other than Issuer or ClusterIssuer is a field problem", () => {
    const found = problems(devTls({ mode: "requireTLS", certificates: { source: "certManager", secretName: "x", issuerRef: { name: "ca", kind: "Vault" } }, memberAuth: "keyFile", clientsMigrated: true }));
    expect(found).toEqual([expect.stringMatching(/^tls\.certificates\.issuerRef\.kind: must be one of "Issuer", "ClusterIssuer"/)]);
  });

  it("every combination the server accepts is accepted", () => {
    const accepted: string[] = [];
    for (const mode of TLS_MODES)
      for (const memberAuth of MEMBER_AUTH_MODES) {
        const tls = { mode, memberAuth, clientsMigrated: false, ...(mode === "disabled" ? {} : { certificates: secretCerts }) };
        if (problems(devTls(tls)).length === 0) accepted.push(`${mode}/${memberAuth}`);
      }
    expect(accepted).toEqual([
      "disabled/keyFile",
      "allowTLS/keyFile",
      "allowTLS/sendKeyFile",
      "preferTLS/keyFile",
      "preferTLS/sendKeyFile",
      "preferTLS/sendX509",
      "preferTLS/x509",
      "requireTLS/keyFile",
      "requireTLS/sendKeyFile",
      "requireTLS/sendX509",
      "requireTLS/x509",
    ]);
  });
});
