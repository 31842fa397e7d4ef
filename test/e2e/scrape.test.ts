// The end-to-end run's exporter scrape (e2e/scrape.ts): the exposition parser and the check are
// pure; the process edge runs through the stand-in kubectl (test/e2e/stand-ins/standin.js), which
// records its arguments, refuses flags the real kubectl refuses, and fails when the scenario asks.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { processRunner } from "../../e2e/exec";
import { Kube } from "../../e2e/kube";
import { checkScrape, parseExposition, scrapeCommand, scrapeExporter, scrapeResult } from "../../e2e/scrape";
import { RESULT_MARKER } from "../../e2e/toolbox";
import { EXPORTER_METRICS } from "../../monitoring/exporter-metrics";
import { EXPORTER_PORT, METRICS_PATH } from "../../stacks/constructs/monitoring/exporter";
import { fakeClock } from "./fake-clock";

/** Every metric the dashboard and the rules use, one sample each, as client_golang writes them. */
const fullPage = () => EXPORTER_METRICS.map((m) => `# HELP ${m.name} help\n# TYPE ${m.name} gauge\n${m.name}{${m.labels.map((l) => `${l}="x"`).join(",")}} 1\n`).join("");

describe("parseExposition", () => {
  test("samples with and without labels, escapes, timestamps, special values; comments skipped", () => {
    const text = [
      "# HELP mongodb_up Whether MongoDB is up.",
      "# TYPE mongodb_up gauge",
      'mongodb_up{cluster_role="mongod"} 1',
      "go_goroutines 12",
      'mongodb_members_state{member_idx="a:27017",member_state="PRIMARY",rs_nm="rs0"} 1 1733450000000',
      'weird{l="a \\"quoted\\", comma, } brace\\\\ and\\nnewline"} -1.5e3',
      "x_nan NaN",
      "x_inf +Inf",
      'trailing_comma{a="1",} 2',
      "",
    ].join("\n");
    const { samples, invalid } = parseExposition(text);
    expect(invalid).toEqual([]);
    expect(samples).toEqual([
      { name: "mongodb_up", labels: { cluster_role: "mongod" }, value: 1 },
      { name: "go_goroutines", labels: {}, value: 12 },
      { name: "mongodb_members_state", labels: { member_idx: "a:27017", member_state: "PRIMARY", rs_nm: "rs0" }, value: 1 },
      { name: "weird", labels: { l: 'a "quoted", comma, } brace\\ and\nnewline' }, value: -1500 },
      { name: "x_nan", labels: {}, value: NaN },
      { name: "x_inf", labels: {}, value: Infinity },
      { name: "trailing_comma", labels: { a: "1" }, value: 2 },
    ]);
  });

  test("lines Prometheus would reject are reported with their line numbers", () => {
    const { samples, invalid } = parseExposition(['ok 1', 'no_value', 'bad{l=unquoted} 1', 'bad_escape{l="\\t"} 1', '9starts_with_digit 1', 'two_values 1 2 3', 'text_value abc', 'unclosed{l="x" 1'].join("\n"));
    expect(samples).toEqual([{ name: "ok", labels: {}, value: 1 }]);
    expect(invalid.map((i) => i.line)).toEqual([2, 3, 4, 5, 6, 7, 8]);
  });
});

describe("checkScrape", () => {
  test("a page with every name the dashboard and the rules use passes", () => {
    expect(checkScrape(fullPage(), EXPORTER_METRICS)).toEqual([]);
  });

  test("names each missing metric (e.g. the oplog timestamps without --compatible-mode), a down exporter, and an invalid page", () => {
    const page = fullPage()
      .split("\n")
      .filter((l) => !l.startsWith("mongodb_mongod_replset_oplog"))
      .join("\n")
      .replace('mongodb_up{cluster_role="x"} 1', 'mongodb_up{cluster_role="x"} 0');
    expect(checkScrape(page + "garbage here\n", EXPORTER_METRICS)).toEqual([
      expect.stringMatching(/^line \d+ is not in the text exposition format: garbage here$/),
      "no sample of mongodb_mongod_replset_oplog_head_timestamp, which the dashboard or the rules use",
      "no sample of mongodb_mongod_replset_oplog_tail_timestamp, which the dashboard or the rules use",
      "mongodb_up is 0: the exporter cannot reach its mongod",
    ]);
    expect(checkScrape("", EXPORTER_METRICS)[0]).toBe("the scrape holds no sample");
    // A HELP/TYPE line alone is no series.
    expect(checkScrape("# TYPE mongodb_myState gauge\nmongodb_up 1\n", [{ name: "mongodb_myState" }])).toEqual(["no sample of mongodb_myState, which the dashboard or the rules use"]);
  });
});

describe("scrapeResult", () => {
  const marked = (doc: unknown) => `${RESULT_MARKER}${JSON.stringify(doc)}\n`;
  test("the page on HTTP 200; the reason otherwise", () => {
    expect(scrapeResult(0, marked({ status: 200, text: "a 1\n" }), "")).toEqual({ text: "a 1\n" });
    expect(scrapeResult(0, marked({ status: 500, text: "boom" }), "")).toEqual({ error: "the exporter answered HTTP 500: boom" });
    expect(scrapeResult(1, marked({ error: "connect ECONNREFUSED 127.0.0.1:9216" }), "")).toEqual({ error: "the exporter did not answer: connect ECONNREFUSED 127.0.0.1:9216" });
    expect(scrapeResult(126, "", "OCI runtime exec failed: exec: \"mongosh\": executable file not found")).toEqual({ error: 'no answer (exit 126): OCI runtime exec failed: exec: "mongosh": executable file not found' });
  });
});

describe("scrapeExporter through the stand-in kubectl", () => {
  const made: string[] = [];
  afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

  function setup(scenario: Record<string, unknown>) {
    const dir = mkdtempSync(join(tmpdir(), "e2e-scrape-"));
    made.push(dir);
    const bin = join(dir, "bin");
    mkdirSync(bin);
    writeFileSync(join(bin, "kubectl"), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(join(__dirname, "stand-ins/standin.js"))} kubectl "$@"\n`);
    chmodSync(join(bin, "kubectl"), 0o755);
    writeFileSync(join(dir, "scenario.json"), JSON.stringify(scenario));
    writeFileSync(join(dir, "state.json"), JSON.stringify({ clusters: ["nyrkio-e2e"], namespaces: ["nyrkio-db-dev"], objects: { pods: [{ name: "mongodb-rs0-0", ns: "nyrkio-db-dev", labels: {} }] } }));
    const kube = new Kube({ runner: processRunner({ PATH: `${bin}:/usr/bin:/bin`, STANDIN_DIR: dir, HOME: dir }), context: "kind-nyrkio-e2e", clock: fakeClock() });
    const calls = () => (existsSync(join(dir, "calls.jsonl")) ? readFileSync(join(dir, "calls.jsonl"), "utf8").trim().split("\n").map((l) => (JSON.parse(l) as { argv: string[] }).argv) : []);
    return { kube, calls };
  }

  test("execs the scrape in the member's mongod container, with the context, and returns the page", async () => {
    const { kube, calls } = setup({ execResult: { status: 200, text: fullPage() } });
    const result = await scrapeExporter(kube, "nyrkio-db-dev", "mongodb-rs0-0", "mongod", EXPORTER_PORT, METRICS_PATH, 60_000);
    expect(result).toEqual({ text: fullPage() });
    expect(calls()).toEqual([["--context", "kind-nyrkio-e2e", "exec", "-i", "-n", "nyrkio-db-dev", "mongodb-rs0-0", "-c", "mongod", "--", ...scrapeCommand(9216, "/metrics")]]);
    expect(scrapeCommand(9216, "/metrics").join(" ")).toContain('fetch("http://127.0.0.1:9216/metrics")');
  });

  test("a failing exec (pod gone, container missing) is the reason, not an exception", async () => {
    const { kube } = setup({ fail: [{ tool: "kubectl", match: "exec .*mongodb-rs0-0", code: 1, stderr: 'error: unable to upgrade connection: container not found ("mongod")' }] });
    expect(await scrapeExporter(kube, "nyrkio-db-dev", "mongodb-rs0-0", "mongod", EXPORTER_PORT, METRICS_PATH, 60_000)).toEqual({ error: 'no answer (exit 1): error: unable to upgrade connection: container not found ("mongod")' });
    const gone = setup({});
    expect(await scrapeExporter(gone.kube, "nyrkio-db-dev", "mongodb-rs0-9", "mongod", EXPORTER_PORT, METRICS_PATH, 60_000)).toEqual({ error: 'no answer (exit 1): Error from server (NotFound): pods "mongodb-rs0-9" not found' });
  });
});
