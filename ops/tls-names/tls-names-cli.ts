// `node dist/ops/tls-names/tls-names-cli.js [--env <name>] [--config <file>] [--json]` (to be
// wired as `nyrkio-db tls-names`): the server certificate's
// subject, names and Secret for an environment (config/tls-names.ts), as scripts/create-secrets.sh
// --tls reads them. The same function gives the cert-manager Certificate its names, so a
// certificate made either way certifies the same hosts.
// Exit codes: 0 printed, 1 the config is not valid, 2 usage error.

import { loadConfig } from "../../config/load";
import { tlsCertificateNames } from "../../config/tls-names";
import { formatProblem } from "../../config/validate";
import { printFailure, runAsProcess, type CliIo } from "../../migrations/cli/cli-io";
import { parseOptions } from "../../migrations/cli/parse-options";
import { UsageError } from "../../migrations/runner/errors";

export const TLS_NAMES_HELP = `Usage: node dist/ops/tls-names/tls-names-cli.js [options]   (npm run build first)

Prints the server certificate's subject and names for an environment: every member's stable DNS
name, each headless Service's wildcard, the client Services, mongos's Service when sharded,
localhost and 127.0.0.1 (docs/tls.md). scripts/create-secrets.sh --tls signs these; the
cert-manager Certificate carries the same.

Options:
  --env <name>     built-in environment (default: NYRKIO_DB_ENV, else dev)
  --config <file>  JSON override over it (default: NYRKIO_DB_CONFIG), as for the synth
  --json           one JSON document on stdout
  -h, --help       this help
Text output, one item per line: "namespace <ns>", "secret <name>" (tls.certificates.secretName,
when set), "subject <openssl -subj>", then "DNS:<name>" and "IP:<address>" lines.
Exit codes: 0 printed, 1 the config is not valid, 2 usage error.
`;

export async function runTlsNamesCli(argv: readonly string[], io: CliIo): Promise<number> {
  let json = argv.includes("--json");
  let v;
  try {
    v = parseOptions(argv, {
      env: { type: "string" },
      config: { type: "string" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    });
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    printFailure(io, "tls-names", { code: "usage", message: e.message }, true, json && { command: "tls-names" });
    return 2;
  }
  json = v.json ?? false;
  if (v.help) {
    io.stdout(TLS_NAMES_HELP);
    return 0;
  }
  const result = loadConfig({ environment: v.env ?? io.env.NYRKIO_DB_ENV, overrideFile: v.config ?? io.env.NYRKIO_DB_CONFIG, readFile: io.readFile });
  if (!result.ok) {
    printFailure(io, "tls-names", { code: "config", message: `the config is not valid: ${result.problems.map(formatProblem).join("; ")}` }, false, json && { command: "tls-names" });
    return 1;
  }
  const config = result.config;
  const names = tlsCertificateNames(config);
  const secret = config.tls.certificates?.secretName;
  if (json) {
    io.stdout(JSON.stringify({ ok: true, command: "tls-names", namespace: config.kubernetes.namespace, ...(secret ? { secret } : {}), ...names }) + "\n");
    return 0;
  }
  const { organization, organizationalUnit, commonName } = names.subject;
  io.stdout(
    [
      `namespace ${config.kubernetes.namespace}`,
      ...(secret ? [`secret ${secret}`] : []),
      `subject /O=${organization}/OU=${organizationalUnit}/CN=${commonName}`,
      ...names.dnsNames.map((n) => `DNS:${n}`),
      ...names.ipAddresses.map((ip) => `IP:${ip}`),
    ].join("\n") + "\n",
  );
  return 0;
}

if (require.main === module) runAsProcess("tls-names", runTlsNamesCli);
