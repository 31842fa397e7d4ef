// Property (issue 11 defect 1, issue 12 item 13): no fragment of a password reaches any output of
// the restore CLI, whatever reserved characters it holds, as written or percent-encoded. As
// written (an unescaped "@", "/", ...) the string is refused with exit 2 before anything runs;
// encoded it parses, and every path that prints (run without --yes, the probe's error, the
// progress lines, the text and --json reports) prints it redacted.
import { runRealTar } from "./real-tar";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { StepExit } from "../../backup/restore/executor";
import { CliDeps, runCli } from "../../backup/restore/restore-command";
import { fileInspector } from "../../backup/restore/verify-artifacts";
import { mongorestoreRefusal } from "../support/mongorestore-rules";
import { fragments, prng, randomPassword } from "../support/password-property";
import { DiskCatalog, writeCatalog } from "./disk-catalog";
import { fullDump, sliceChain, ts } from "./fixtures";

const T0 = 1714528800;
let catalog: DiskCatalog;
let work: string;
beforeAll(() => {
  catalog = writeCatalog([fullDump(ts(T0 + 12, 4)), ...sliceChain(ts(T0 + 12, 4), [ts(T0 + 300, 1)])]);
});
afterAll(() => catalog.cleanup());
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), "restore-redaction-"));
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

/**
 * mongorestore as strict as mongorestore-rules.ts, and as careless as possible about secrets: it
 * prints the config file it was handed (the connection string and the password) as a line.
 */
async function carelessMongorestore(argv: readonly string[], onLine: (line: string) => void): Promise<StepExit> {
  if (argv[0] === "tar") return runRealTar(argv, onLine);
  const refusal = mongorestoreRefusal(argv.slice(1));
  if (refusal) {
    onLine(refusal);
    return { code: 1 };
  }
  const config = argv.find((a) => a.startsWith("--config="))?.slice("--config=".length) as string;
  for (const line of readFileSync(config, "utf8").split("\n")) onLine(`connecting with ${line}`);
  onLine("0 document(s) restored successfully. 0 document(s) failed to restore.");
  return { code: 0 };
}

async function cli(argv: string[], probe: CliDeps["probeTarget"]) {
  let output = "";
  const deps: CliDeps = {
    stdout: (t) => (output += t),
    stderr: (t) => (output += t),
    run: carelessMongorestore,
    inspector: fileInspector,
    now: () => 0,
    probeTarget: probe,
    tmpdir: work,
  };
  const code = await runCli(argv, deps);
  return { code, output };
}

describe("property: no fragment of a password reaches any output of the restore CLI", () => {
  const SEED = 20261206;
  const next = prng(SEED + 1);
  const passwords = Array.from({ length: 16 }, () => randomPassword(next));

  it.each(passwords.map((p, i) => [i, p]))("password #%d, as written and percent-encoded, through run (with and without --yes, text and --json) and its errors", async (_i, password) => {
    const forms = [password as string, encodeURIComponent(password as string)];
    const secrets = forms.flatMap(fragments);
    expect(secrets.length).toBeGreaterThan(5);
    for (const form of forms) {
      const uri = `mongodb://restore:${form}@db-0.example:27017/?replicaSet=rs0&authSource=admin`;
      writeFileSync(join(work, "uri"), `${uri}\n`);
      const base = ["run", "--catalog", catalog.dir, "--to", `${T0 + 200}:0`, "--uri-file", join(work, "uri")];
      const empty: CliDeps["probeTarget"] = async () => ({ mongos: false, namespacesWithData: [] });
      // A driver's error quotes the string and the decoded password (the worst it could do).
      const failing: CliDeps["probeTarget"] = async (c) => {
        throw new Error(`connecting to ${c.uri} as restore:${password as string} failed: authentication failed`);
      };
      const runs = [
        await cli(base, empty),
        await cli([...base, "--yes"], empty),
        await cli([...base, "--yes", "--json"], empty),
        await cli([...base, "--yes", "--json"], failing),
      ];
      if (form === password) {
        // As written: refused before the plan is shown or the target contacted.
        for (const r of runs) {
          expect(r.code).toBe(2);
          expect(r.output).toMatch(/the connection string is malformed/);
        }
      } else {
        expect(runs.map((r) => r.code)).toEqual([2, 0, 0, 1]);
        expect(runs[0].output).toContain("this restores into mongodb://<credentials>@db-0.example:27017/?replicaSet=rs0&authSource=admin");
        expect(runs[1].output).toContain("connecting with uri: 'mongodb://<credentials>@db-0.example:27017/");
        expect(JSON.parse(runs[2].output.slice(runs[2].output.indexOf("\n{") + 1))).toMatchObject({ ok: true });
        expect(runs[3].output).toMatch(/cannot check the target .* before restoring: connecting to mongodb:\/\/<credentials>@db-0/);
      }
      for (const { output } of runs) {
        const lower = output.toLowerCase();
        for (const secret of secrets) if (lower.includes(secret)) throw new Error(`seed ${SEED + 1}: fragment ${JSON.stringify(secret)} of a password reached the output: ${output}`);
      }
    }
  });

  it("a --password-file's password is scrubbed from mongorestore's lines too, and a --config-file's malformed string is refused with exit 2", async () => {
    writeFileSync(join(work, "uri"), "mongodb://restore@db-0.example:27017/?replicaSet=rs0\n");
    writeFileSync(join(work, "pw"), "Zq@/x:Pw#7\n");
    const empty: CliDeps["probeTarget"] = async () => ({ mongos: false, namespacesWithData: [] });
    const ok = await cli(["run", "--catalog", catalog.dir, "--to", `${T0 + 200}:0`, "--uri-file", join(work, "uri"), "--password-file", join(work, "pw"), "--yes"], empty);
    expect(ok.code).toBe(0);
    expect(ok.output).toContain("connecting with password: '****'");
    expect(ok.output).not.toContain("Zq@/x:Pw#7");
    writeFileSync(join(work, "restore.yaml"), "uri: 'mongodb://restore:pa/ss%word@db-0.example/'\n");
    let probed = false;
    const bad = await cli(["run", "--catalog", catalog.dir, "--to", `${T0 + 200}:0`, "--config-file", join(work, "restore.yaml"), "--yes"], async () => {
      probed = true;
      return { mongos: false, namespacesWithData: [] };
    });
    expect([bad.code, probed]).toEqual([2, false]);
    expect(bad.output).toMatch(/the connection string is malformed/);
    expect(bad.output).not.toMatch(/pa\/ss|word/);
  });
});
