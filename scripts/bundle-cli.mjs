// Bundles one of the project's CLIs into a single file, gzipped (<out>.gz), for the e2e run's
// in-cluster Job (e2e/steps.ts): the cluster then needs only a node image, not one of this project.
// Usage: node scripts/bundle-cli.mjs <entry.ts> <out.js>
import { build } from "esbuild";
import { readFileSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

const [entry, out] = process.argv.slice(2);
if (!entry || !out) {
  process.stderr.write("usage: node scripts/bundle-cli.mjs <entry.ts> <out.js>\n");
  process.exit(2);
}
await build({
  entryPoints: [entry],
  outfile: out,
  bundle: true,
  minify: true,
  format: "cjs",
  platform: "node",
  target: "node20",
  logLevel: "warning",
  // The driver's optional native or cloud add-ons, loaded only when configured: none is used here.
  external: ["kerberos", "@mongodb-js/zstd", "@aws-sdk/credential-providers", "gcp-metadata", "snappy", "socks", "aws4", "mongodb-client-encryption"],
});
const gz = gzipSync(readFileSync(out), { level: 9 });
// A ConfigMap holds at most 1 MiB (https://kubernetes.io/docs/concepts/configuration/configmap/).
if (gz.length > 900 * 1024) {
  process.stderr.write(`bundle-cli: ${out}.gz is ${gz.length} bytes, too big for a ConfigMap\n`);
  process.exit(1);
}
writeFileSync(`${out}.gz`, gz);
process.stdout.write(`${out}.gz ${gz.length} bytes\n`);
