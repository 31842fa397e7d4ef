// The e2e driver's scrape command (e2e/scrape.ts scrapeCommand) in the REAL MongoDB Shell, as the
// mongod container runs it: mongosh --nodb GETs the exporter's page over loopback. Here the page
// is a local HTTP server; the exporter itself exists only in a cluster.
import { createServer, type Server } from "node:http";
import { checkScrape, scrapeCommand, scrapeResult } from "../../e2e/scrape";
import { EXPORTER_METRICS } from "../../monitoring/exporter-metrics";
import { closedPort, hasMongosh, MONGOSH, runProgram, tempDir, removeTempDirs } from "./real-shell";

// A page as the exporter writes it (client_golang's text encoder): HELP, TYPE, labelled samples.
const page = EXPORTER_METRICS.map((m) => `# HELP ${m.name} x\n# TYPE ${m.name} gauge\n${m.name}{${m.labels.map((l) => `${l}="v \\"q\\""`).join(",")}} 1\n`).join("").repeat(50);

function server(): Promise<{ server: Server; port: number }> {
  const s = createServer((req, res) => {
    if (req.url !== "/metrics") res.writeHead(404).end("404 page not found\n");
    else res.writeHead(200, { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" }).end(page);
  });
  return new Promise((resolve) => s.listen(0, "127.0.0.1", () => resolve({ server: s, port: (s.address() as { port: number }).port })));
}

const run = (argv: string[]) => runProgram([MONGOSH, ...argv.slice(1)], { env: { HOME: tempDir("nyrkio-e2e-scrape-") }, timeoutMs: 60_000 });

(hasMongosh() ? describe : describe.skip)("the e2e scrape command in mongosh", () => {
  afterAll(removeTempDirs);

  test("prints the whole page, which then passes the check", async () => {
    const s = await server();
    try {
      const r = await run(scrapeCommand(s.port, "/metrics"));
      const result = scrapeResult(r.code ?? 1, r.stdout, r.stderr);
      expect(result).toEqual({ text: page });
      expect(checkScrape((result as { text: string }).text, EXPORTER_METRICS)).toEqual([]);
      const w = await run(scrapeCommand(s.port, "/nope"));
      expect(scrapeResult(w.code ?? 1, w.stdout, w.stderr)).toEqual({ error: "the exporter answered HTTP 404: 404 page not found\n" });
    } finally {
      s.server.close();
    }
  }, 90_000);

  test("nothing listening: exit 1 and the reason", async () => {
    const r = await run(scrapeCommand(await closedPort(), "/metrics"));
    expect(r.code).toBe(1);
    expect(scrapeResult(r.code ?? 1, r.stdout, r.stderr)).toEqual({ error: expect.stringMatching(/^the exporter did not answer: .*ECONNREFUSED/) });
  }, 60_000);
});
