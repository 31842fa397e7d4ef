// The peer-TLS rule of the member pods' mongosh scripts, one function (replicaset/peer-tls.ts)
// that stacks/constructs/pod-scripts.ts puts in front of both initiate.js and readiness.js. The
// scripts' own runs against peers with TLS on and off are in test/stacks/member-mongosh-scripts.test.ts.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { peerTlsOptions } from "../../replicaset/peer-tls";
import { podScriptsData, podScriptText } from "../../stacks/constructs/pod-scripts";

const CA = "/etc/nyrkio/tls-ca/ca.crt";
const MODE_FILE = "/etc/nyrkio/config/tls-mode";
const reader = (files: Record<string, string>) => (file: string) => {
  if (!(file in files)) throw new Error(`ENOENT: ${file}`);
  return files[file];
};

describe("peerTlsOptions", () => {
  it.each([
    ["requireTLS\n", `&tls=true&tlsCAFile=${CA}`],
    ["preferTLS", `&tls=true&tlsCAFile=${CA}`],
    // A peer not yet restarted out of "disabled" speaks no TLS while the set steps through allowTLS.
    ["allowTLS\n", ""],
  ])("with the CA in the pod and the deployed mode %j: %j", (mode, options) => {
    expect(peerTlsOptions({ NYRKIO_TLS_CA_FILE: CA, NYRKIO_TLS_MODE_FILE: MODE_FILE }, reader({ [MODE_FILE]: mode }))).toBe(options);
  });

  it("prefers TLS when the mode file cannot be read or is not named (never plaintext to a set that may require TLS)", () => {
    expect(peerTlsOptions({ NYRKIO_TLS_CA_FILE: CA, NYRKIO_TLS_MODE_FILE: MODE_FILE }, reader({}))).toBe(`&tls=true&tlsCAFile=${CA}`);
    expect(peerTlsOptions({ NYRKIO_TLS_CA_FILE: CA }, reader({}))).toBe(`&tls=true&tlsCAFile=${CA}`);
  });

  it("without the CA in the pod (TLS off) asks in plaintext and reads no file", () => {
    const read = jest.fn(reader({ [MODE_FILE]: "requireTLS" }));
    expect(peerTlsOptions({ NYRKIO_TLS_MODE_FILE: MODE_FILE }, read)).toBe("");
    expect(peerTlsOptions({ NYRKIO_TLS_CA_FILE: "", NYRKIO_TLS_MODE_FILE: MODE_FILE }, read)).toBe("");
    expect(read).not.toHaveBeenCalled();
  });
});

describe("one copy of the rule", () => {
  const scripts = ["mongosh/initiate.js", "mongosh/readiness.js"] as const;

  it.each(scripts)("%s in the repository calls peerTlsOptions and defines no rule of its own", (script) => {
    const text = readFileSync(join(__dirname, "..", "..", "stacks", "scripts", script), "utf8");
    expect(text).toMatch(/peerTlsOptions\(process\.env, /);
    expect(text).not.toMatch(/function peerTlsOptions|NYRKIO_TLS_MODE_FILE|"allowTLS"|tlsCAFile=/);
  });

  it.each(scripts)("%s as the pod gets it starts with the very function the tests exercise, once", (script) => {
    const text = podScriptText(script);
    expect(text.startsWith(peerTlsOptions.toString())).toBe(true);
    expect(text.split("function peerTlsOptions(").length - 1).toBe(1);
  });

  it("no other pod script carries the rule", () => {
    const others = Object.entries(podScriptsData()).filter(([key]) => !["mongosh-initiate.js", "mongosh-readiness.js"].includes(key));
    for (const [, text] of others) expect(text).not.toMatch(/function peerTlsOptions/);
  });
});
