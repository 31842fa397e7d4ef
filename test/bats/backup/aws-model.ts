// Stand-in for the aws CLI v2 (test/bats/backup/bin/aws runs it), over a local directory
// ($STANDIN_S3/<bucket>/<key>), as strict as the real CLI and S3 for the calls the pod scripts make:
//
// - Arguments: only the commands and options the real CLI has, each spelled as it spells them
//   (aws/aws-cli v2: awscli/customizations/s3/subcommands.py for `s3 cp`/`s3 rm`, the S3 service
//   model awscli/botocore/data/s3/2006-03-01/service-2.json for `s3api`); anything else is a usage
//   error, exit 252 (awscli/constants.py PARAM_VALIDATION_ERROR_RC).
// - Requests: each command is the S3 requests the CLI sends (`s3 cp` of a file above the multipart
//   threshold, 8 MiB by default, is CreateMultipartUpload, UploadPart, CompleteMultipartUpload;
//   `--no-overwrite` adds If-None-Match: * to PutObject and CompleteMultipartUpload only,
//   awscli/s3transfer/upload.py), and a 412 on `s3 cp --no-overwrite` is a silently skipped file
//   with exit 0 (awscli/customizations/s3/results.py), on `s3api put-object` an error, exit 254.
// - Authorization: when STANDIN_S3_POLICIES names a file {keys: {<access key id>: <IAM policy>},
//   bucket: <bucket policy>}, every request is evaluated as IAM does within one account: an
//   explicit Deny in either policy wins, else an Allow in the key's policy is needed
//   (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).
//   SSE-KMS needs kms:GenerateDataKey to write, kms:Decrypt to read and, for a multipart upload,
//   both (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#require-sse-kms).
//   HeadObject of a missing key answers 404 only to a caller who may list the bucket, else 403
//   (https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html). A condition operator
//   the model does not know fails the call rather than being ignored.
//   Each authorized request is appended to $STANDIN_LOG/aws.requests: "<key id> <action> <resource>",
//   and each S3 request (KMS excluded) to $STANDIN_LOG/aws.operations: "<Operation> <key or prefix>",
//   so a test can count what a job reads (test/bats/backup/s3-at-scale.bats).
// - Listing: `s3api list-objects-v2` (--bucket, --prefix, --start-after) is paginated by the CLI,
//   one ListObjectsV2 request per 1,000 keys, keys in ascending UTF-8 binary order
//   (https://docs.aws.amazon.com/cli/latest/reference/s3api/list-objects-v2.html,
//   https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html); the global --query is
//   modelled only as the scripts write it, 'Contents[].[Key]' or 'Contents[].[Key,LastModified]'
//   with --output text (one tab-separated row a key; a page without Contents prints None, as the
//   CLI applies the query to each page). Global options (--query, --output) may stand anywhere, as
//   in the CLI (https://docs.aws.amazon.com/cli/latest/reference/index.html). A recursive `s3 cp`
//   download lists the same way and gets each match; a single download is HeadObject then GetObject.

import { appendFileSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";

const USAGE_RC = 252;
const CLIENT_ERROR_RC = 254;
const env = process.env;
const root = env.STANDIN_S3 ?? fail("STANDIN_S3 is not set", 255);
const log = env.STANDIN_LOG ?? fail("STANDIN_LOG is not set", 255);
const MULTIPART_THRESHOLD = Number(env.STANDIN_S3_MULTIPART_BYTES ?? 8 * 1024 * 1024);

class CliError extends Error {
  constructor(
    message: string,
    readonly rc: number,
  ) {
    super(message);
  }
}

function fail(message: string, rc: number): never {
  throw new CliError(message, rc);
}

function usage(message: string): never {
  fail(`usage: aws [options] <command> <subcommand> [<subcommand> ...] [parameters]\naws: error: ${message}`, USAGE_RC);
}

// ---- arguments ----------------------------------------------------------------------------

interface OptionSpec {
  /** takes a value: "one" always, "optional" when the next word is not an option (nargs '?'). */
  value: "none" | "one" | "optional";
  choices?: string[];
  const?: string;
}

/** Parses `--name value` and `--name=value` against a table; positional words in order. */
function parseArgs(words: string[], table: Record<string, OptionSpec>): { options: Record<string, string | true>; positional: string[] } {
  const options: Record<string, string | true> = {};
  const positional: string[] = [];
  const unknown: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    if (!word.startsWith("--")) {
      positional.push(word);
      continue;
    }
    const eq = word.indexOf("=");
    const name = eq > 0 ? word.slice(2, eq) : word.slice(2);
    const spec = table[name];
    if (!spec) {
      unknown.push(word);
      continue;
    }
    let value: string | true = true;
    if (eq > 0) value = word.slice(eq + 1);
    else if (spec.value === "one") {
      if (i + 1 >= words.length) usage(`argument --${name}: expected one argument`);
      value = words[++i];
    } else if (spec.value === "optional") {
      value = i + 1 < words.length && !words[i + 1].startsWith("--") ? words[++i] : (spec.const ?? true);
    }
    if (spec.choices && (value === true || !spec.choices.includes(value)))
      usage(`argument --${name}: invalid choice: '${value}' (choose from ${spec.choices.map((c) => `'${c}'`).join(", ")})`);
    if (options[name] !== undefined && name !== "exclude" && name !== "include") usage(`argument --${name}: given twice`);
    options[name] = value;
  }
  if (unknown.length) usage(`Unknown options: ${unknown.join(", ")}`);
  return { options, positional };
}

// awscli/customizations/s3/subcommands.py: the options of cp (TRANSFER_ARGS and its own) that the
// scripts may use, with their real spelling; others are refused here although the CLI has them.
const S3_CP: Record<string, OptionSpec> = {
  recursive: { value: "none" },
  exclude: { value: "one" },
  include: { value: "one" },
  "only-show-errors": { value: "none" },
  "no-overwrite": { value: "none" },
  sse: { value: "optional", choices: ["AES256", "aws:kms"], const: "AES256" },
  "sse-kms-key-id": { value: "one" },
};
const S3_RM: Record<string, OptionSpec> = { recursive: { value: "none" }, "only-show-errors": { value: "none" } };
// s3api parameters: the operation's input members in the service model, CLI-cased.
const HEAD_OBJECT: Record<string, OptionSpec> = { bucket: { value: "one" }, key: { value: "one" } };
const LIST_OBJECTS_V2: Record<string, OptionSpec> = { bucket: { value: "one" }, prefix: { value: "one" }, "start-after": { value: "one" } };
/** Keys a ListObjectsV2 request returns at most (MaxKeys' default and limit). */
const LIST_PAGE = 1000;
const PUT_OBJECT: Record<string, OptionSpec> = {
  bucket: { value: "one" },
  key: { value: "one" },
  body: { value: "one" },
  "if-none-match": { value: "one" },
  "server-side-encryption": { value: "one", choices: ["AES256", "aws:kms", "aws:kms:dsse"] },
  "ssekms-key-id": { value: "one" },
};

// ---- the store ----------------------------------------------------------------------------

interface ObjectMeta {
  sse?: string;
  kmsKeyId?: string;
}
const objectPath = (bucket: string, key: string) => join(root, bucket, key);
const metaPath = (bucket: string, key: string) => join(root, ".meta", bucket, `${key}.json`);
const exists = (bucket: string, key: string) => existsSync(objectPath(bucket, key)) && statSync(objectPath(bucket, key)).isFile();
function metaOf(bucket: string, key: string): ObjectMeta {
  return existsSync(metaPath(bucket, key)) ? (JSON.parse(readFileSync(metaPath(bucket, key), "utf8")) as ObjectMeta) : {};
}
function store(bucket: string, key: string, from: string, meta: ObjectMeta): void {
  mkdirSync(dirname(objectPath(bucket, key)), { recursive: true });
  copyFileSync(from, objectPath(bucket, key));
  mkdirSync(dirname(metaPath(bucket, key)), { recursive: true });
  writeFileSync(metaPath(bucket, key), JSON.stringify(meta));
}
function listKeys(bucket: string, prefix: string): string[] {
  const base = join(root, bucket);
  const out: string[] = [];
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else out.push(relative(base, path));
    }
  };
  walk(base);
  // S3 lists keys in ascending UTF-8 binary order.
  return out.filter((k) => k.startsWith(prefix)).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}
/** The pages of a listing: one ListObjectsV2 request per 1,000 keys, at least one. */
function listPages(bucket: string, prefix: string, startAfter?: string): string[][] {
  const keys = listKeys(bucket, prefix).filter((k) => !startAfter || Buffer.compare(Buffer.from(k), Buffer.from(startAfter)) > 0);
  const pages: string[][] = [];
  for (let i = 0; i === 0 || i < keys.length; i += LIST_PAGE) pages.push(keys.slice(i, i + LIST_PAGE));
  return pages;
}

function parseS3Url(url: string): { bucket: string; key: string } {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  if (!m) usage(`not an s3:// URL: ${url}`);
  return { bucket: m[1], key: m[2] };
}

// ---- authorization ------------------------------------------------------------------------

type Policy = { Version?: string; Statement: Statement[] };
type Statement = { Sid?: string; Effect: "Allow" | "Deny"; Principal?: unknown; Action: string | string[]; Resource: string | string[]; Condition?: Record<string, Record<string, string | string[]>> };
interface Request {
  operation: string;
  action: string;
  resource: string;
  context: Record<string, string | undefined>;
}

const policies = env.STANDIN_S3_POLICIES ? (JSON.parse(readFileSync(env.STANDIN_S3_POLICIES, "utf8")) as { keys: Record<string, Policy>; bucket?: Policy }) : undefined;

function credentialsKeyId(): string {
  const file = env.AWS_SHARED_CREDENTIALS_FILE;
  if (!file || !existsSync(file)) fail("Unable to locate credentials. You can configure credentials by running \"aws configure\".", CLIENT_ERROR_RC);
  const text = readFileSync(file, "utf8");
  writeFileSync(join(log, "aws.credentials"), `${(statSync(file).mode & 0o777).toString(8)}\n${text}`);
  const m = /^\[default\][^[]*?^aws_access_key_id\s*=\s*(\S+)/m.exec(text);
  if (!m || !/^aws_secret_access_key\s*=\s*\S+/m.test(text)) fail("Unable to locate credentials. You can configure credentials by running \"aws configure\".", CLIENT_ERROR_RC);
  return m[1];
}

const glob = (pattern: string, value: string, ci = false) =>
  new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, ci ? "is" : "s").test(value);
const list = (v: string | string[]) => (Array.isArray(v) ? v : [v]);

function conditionHolds(condition: Statement["Condition"], context: Request["context"]): boolean {
  for (const [operator, tests] of Object.entries(condition ?? {})) {
    for (const [key, expected] of Object.entries(tests)) {
      const actual = context[key];
      const values = list(expected);
      let holds: boolean;
      switch (operator) {
        case "Null":
          holds = values.some((v) => (v === "true") === (actual === undefined));
          break;
        case "Bool":
          holds = actual !== undefined && values.includes(actual);
          break;
        case "StringEquals":
          holds = actual !== undefined && values.includes(actual);
          break;
        case "StringLike":
          holds = actual !== undefined && values.some((v) => glob(v, actual));
          break;
        default:
          fail(`stand-in: the policy uses the condition operator ${operator}, which this model does not evaluate`, 255);
      }
      if (!holds) return false;
    }
  }
  return true;
}

function matches(statement: Statement, request: Request): boolean {
  return (
    list(statement.Action).some((a) => glob(a, request.action, true)) &&
    list(statement.Resource).some((r) => glob(r, request.resource)) &&
    conditionHolds(statement.Condition, request.context)
  );
}

function allowed(keyId: string, request: Request): boolean {
  if (!policies) return true;
  const identity = policies.keys[keyId];
  if (!identity) return false;
  const statements = [...identity.Statement, ...(policies.bucket?.Statement ?? [])];
  if (statements.some((s) => s.Effect === "Deny" && matches(s, request))) return false;
  return identity.Statement.some((s) => s.Effect === "Allow" && matches(s, request));
}

// ---- the calls ----------------------------------------------------------------------------

let keyId = "";
let secureTransport = "true";

function authorize(request: Request, target?: string): void {
  request.context["aws:SecureTransport"] = secureTransport;
  if (!allowed(keyId, request))
    fail(`An error occurred (AccessDenied) when calling the ${request.operation} operation: User: ${keyId} is not authorized to perform: ${request.action} on resource: "${request.resource}"`, CLIENT_ERROR_RC);
  appendFileSync(join(log, "aws.requests"), `${keyId} ${request.action} ${request.resource}\n`);
  const s3Target = target ?? (request.resource.startsWith("arn:aws:s3:::") ? request.resource.replace(/^arn:aws:s3:::[^/]+\/?/, "") : undefined);
  if (s3Target !== undefined) appendFileSync(join(log, "aws.operations"), `${request.operation} ${s3Target}\n`);
}
const objectArn = (bucket: string, key: string) => `arn:aws:s3:::${bucket}/${key}`;
const kmsArn = (id: string) => (id.startsWith("arn:") ? id : `arn:aws:kms:${env.AWS_REGION ?? "us-east-1"}:111122223333:${id.startsWith("alias/") ? id : `key/${id}`}`);
function kms(operation: string, action: string, keyIdOrArn: string): void {
  authorize({ operation, action, resource: kmsArn(keyIdOrArn), context: {} });
}

function getObject(bucket: string, key: string, operation = "GetObject"): void {
  authorize({ operation, action: "s3:GetObject", resource: objectArn(bucket, key), context: {} });
  if (!exists(bucket, key)) {
    const listable = allowed(keyId, { operation: "ListObjectsV2", action: "s3:ListBucket", resource: `arn:aws:s3:::${bucket}`, context: { "aws:SecureTransport": secureTransport } });
    fail(`An error occurred (${listable ? "404" : "403"}) when calling the HeadObject operation: ${listable ? "Not Found" : "Forbidden"}`, CLIENT_ERROR_RC);
  }
  const meta = metaOf(bucket, key);
  if (meta.sse === "aws:kms") kms(operation, "kms:Decrypt", meta.kmsKeyId!);
}

/** PutObject, or the three requests of a multipart upload; false when If-None-Match found the key. */
function putObject(bucket: string, key: string, file: string, ifNoneMatch: boolean, meta: ObjectMeta): boolean {
  const size = statSync(file).size;
  const resource = objectArn(bucket, key);
  const conditional = ifNoneMatch ? { "s3:if-none-match": "*" } : {};
  if (size < MULTIPART_THRESHOLD) {
    authorize({ operation: "PutObject", action: "s3:PutObject", resource, context: { "s3:ObjectCreationOperation": "true", ...conditional } });
    if (meta.sse === "aws:kms") kms("PutObject", "kms:GenerateDataKey", meta.kmsKeyId!);
  } else {
    authorize({ operation: "CreateMultipartUpload", action: "s3:PutObject", resource, context: { "s3:ObjectCreationOperation": "false" } });
    if (meta.sse === "aws:kms") kms("CreateMultipartUpload", "kms:GenerateDataKey", meta.kmsKeyId!);
    // Once the upload exists, any failure aborts it (awscli/s3transfer/tasks.py
    // CreateMultipartUploadTask: add_failure_cleanup(abort_multipart_upload)); a failed abort
    // is only logged, and the parts stay until a lifecycle rule removes them.
    const abort = () => {
      try {
        authorize({ operation: "AbortMultipartUpload", action: "s3:AbortMultipartUpload", resource, context: {} });
      } catch {
        appendFileSync(join(log, "aws.requests"), `${keyId} denied s3:AbortMultipartUpload ${resource}\n`);
      }
    };
    try {
      authorize({ operation: "UploadPart", action: "s3:PutObject", resource, context: { "s3:ObjectCreationOperation": "false" } });
      if (meta.sse === "aws:kms") kms("UploadPart", "kms:Decrypt", meta.kmsKeyId!);
      authorize({ operation: "CompleteMultipartUpload", action: "s3:PutObject", resource, context: { "s3:ObjectCreationOperation": "true", ...conditional } });
    } catch (e) {
      abort();
      throw e;
    }
    if (ifNoneMatch && exists(bucket, key)) {
      abort();
      return false;
    }
  }
  if (ifNoneMatch && exists(bucket, key)) return false;
  store(bucket, key, file, meta);
  return true;
}

function sseOf(options: Record<string, string | true>, sseName: string, keyName: string): ObjectMeta {
  const sse = options[sseName];
  const keyIdOption = options[keyName];
  // The CLI sends the key id as it is (awscli/customizations/s3/utils.py _set_sse_request_params);
  // S3 refuses x-amz-server-side-encryption-aws-kms-key-id without the aws:kms header.
  if (keyIdOption !== undefined && sse !== "aws:kms")
    fail("An error occurred (InvalidArgument) when calling the PutObject operation: Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms", CLIENT_ERROR_RC);
  if (sse !== "aws:kms") return sse === undefined ? {} : { sse: String(sse) };
  if (typeof keyIdOption !== "string") fail("stand-in: SSE-KMS without a key id would use the AWS managed key, which the scripts never do", 255);
  return { sse: "aws:kms", kmsKeyId: keyIdOption };
}

function s3Cp(words: string[]): void {
  const { options, positional } = parseArgs(words, S3_CP);
  if (positional.length !== 2) usage("the following arguments are required: paths");
  const [src, dst] = positional;
  if (options.recursive) {
    if (!src.startsWith("s3://") || dst.startsWith("s3://")) fail("stand-in: only recursive downloads are modelled", 255);
    const { bucket, key: prefix } = parseS3Url(src);
    // --exclude/--include filters apply in order, the last match wins (awscli/customizations/s3/filters.py).
    const filters: [string, string][] = [];
    for (let i = 0; i < words.length; i++) if (words[i] === "--exclude" || words[i] === "--include") filters.push([words[i].slice(2), words[++i]]);
    for (const page of listPages(bucket, prefix)) {
      authorize({ operation: "ListObjectsV2", action: "s3:ListBucket", resource: `arn:aws:s3:::${bucket}`, context: { "s3:prefix": prefix } }, prefix);
      for (const key of page) {
      const rel = key.slice(prefix.length).replace(/^\//, "");
      let included = true;
      for (const [kind, pattern] of filters) if (glob(pattern, rel)) included = kind === "include";
      if (!included) continue;
      getObject(bucket, key);
      mkdirSync(dirname(join(dst, rel)), { recursive: true });
      copyFileSync(objectPath(bucket, key), join(dst, rel));
      }
    }
    return;
  }
  if (src.startsWith("s3://")) {
    const { bucket, key } = parseS3Url(src);
    try {
      getObject(bucket, key, "HeadObject");
      getObject(bucket, key);
    } catch (e) {
      throw e instanceof CliError ? new CliError(`fatal error: ${e.message}`, 1) : e;
    }
    mkdirSync(dirname(dst), { recursive: true });
    copyFileSync(objectPath(bucket, key), dst);
    return;
  }
  const { bucket, key } = parseS3Url(dst);
  if (!existsSync(src)) fail(`The user-provided path ${src} does not exist.`, 255);
  try {
    // A key that exists under --no-overwrite: 412, reported as a skipped file, exit 0.
    putObject(bucket, key, src, options["no-overwrite"] === true, sseOf(options, "sse", "sse-kms-key-id"));
  } catch (e) {
    throw e instanceof CliError && e.rc === CLIENT_ERROR_RC ? new CliError(`upload failed: ${src} to ${dst} ${e.message}`, 1) : e;
  }
}

function s3Rm(words: string[]): void {
  const { options, positional } = parseArgs(words, S3_RM);
  if (positional.length !== 1) usage("the following arguments are required: paths");
  if (options.recursive) fail("stand-in: recursive deletion is not modelled (the scripts delete one key at a time)", 255);
  const { bucket, key } = parseS3Url(positional[0]);
  try {
    authorize({ operation: "DeleteObject", action: "s3:DeleteObject", resource: objectArn(bucket, key), context: {} });
  } catch (e) {
    throw e instanceof CliError ? new CliError(`delete failed: ${positional[0]} ${e.message}`, 1) : e;
  }
  rmSync(objectPath(bucket, key), { force: true });
  rmSync(metaPath(bucket, key), { force: true });
}

function required(options: Record<string, string | true>, names: string[]): void {
  const missing = names.filter((n) => typeof options[n] !== "string");
  if (missing.length) usage(`the following arguments are required: ${missing.map((n) => `--${n}`).join(", ")}`);
}

function s3api(words: string[]): void {
  const [operation, ...rest] = words;
  if (operation === "head-object") {
    const { options, positional } = parseArgs(rest, HEAD_OBJECT);
    if (positional.length) usage(`Unknown options: ${positional.join(", ")}`);
    required(options, ["bucket", "key"]);
    getObject(String(options.bucket), String(options.key), "HeadObject");
    process.stdout.write(`${JSON.stringify({ ContentLength: statSync(objectPath(String(options.bucket), String(options.key))).size })}\n`);
    return;
  }
  if (operation === "put-object") {
    const { options, positional } = parseArgs(rest, PUT_OBJECT);
    if (positional.length) usage(`Unknown options: ${positional.join(", ")}`);
    required(options, ["bucket", "key"]);
    const body = typeof options.body === "string" ? options.body : fail("stand-in: put-object without --body is not modelled", 255);
    if (!existsSync(body)) usage(`Error parsing parameter '--body': Blob values must be a path to a file.`);
    const ifNoneMatch = options["if-none-match"];
    if (ifNoneMatch !== undefined && ifNoneMatch !== "*") fail("An error occurred (NotImplemented) when calling the PutObject operation: A header you provided implies functionality that is not implemented", CLIENT_ERROR_RC);
    // PutObject itself is never multipart.
    const stored = putObject(String(options.bucket), String(options.key), body, ifNoneMatch === "*", sseOf(options, "server-side-encryption", "ssekms-key-id"));
    if (!stored) fail("An error occurred (PreconditionFailed) when calling the PutObject operation: At least one of the pre-conditions you specified did not hold", CLIENT_ERROR_RC);
    process.stdout.write(`${JSON.stringify({ ETag: '"0"' })}\n`);
    return;
  }
  if (operation === "list-objects-v2") {
    const { options, positional } = parseArgs(rest, LIST_OBJECTS_V2);
    if (positional.length) usage(`Unknown options: ${positional.join(", ")}`);
    required(options, ["bucket"]);
    const columns = globalQuery === undefined ? undefined : { "Contents[].[Key]": ["Key"], "Contents[].[Key,LastModified]": ["Key", "LastModified"] }[globalQuery];
    if (!columns || globalOutput !== "text") fail(`stand-in: only --query 'Contents[].[Key]' or 'Contents[].[Key,LastModified]' with --output text is modelled (the scripts' listing), not ${globalQuery} / ${globalOutput}`, 255);
    const bucket = String(options.bucket);
    const prefix = typeof options.prefix === "string" ? options.prefix : "";
    const lines: string[] = [];
    for (const page of listPages(bucket, prefix, typeof options["start-after"] === "string" ? options["start-after"] : undefined)) {
      authorize({ operation: "ListObjectsV2", action: "s3:ListBucket", resource: `arn:aws:s3:::${bucket}`, context: { "s3:prefix": prefix } }, prefix);
      if (!page.length) lines.push("None");
      for (const key of page) {
        const modified = new Date(statSync(objectPath(bucket, key)).mtimeMs).toISOString().replace(/\.\d{3}Z$/, "+00:00");
        lines.push(columns.map((c) => (c === "Key" ? key : modified)).join("\t"));
      }
    }
    process.stdout.write(`${lines.join("\n")}\n`);
    return;
  }
  usage(`argument operation: Invalid choice: '${operation}'`);
}

let globalQuery: string | undefined;
let globalOutput: string | undefined;

function main(argv: string[]): void {
  appendFileSync(join(log, "aws.log"), `${argv.join(" ")}\n`);
  // --query and --output are global options, accepted anywhere on the command line.
  const words: string[] = [];
  for (let j = 0; j < argv.length; j++) {
    const m = /^--(query|output)(?:=(.*))?$/.exec(argv[j]);
    if (!m) {
      words.push(argv[j]);
      continue;
    }
    const value = m[2] ?? argv[++j];
    if (value === undefined) usage(`argument --${m[1]}: expected one argument`);
    if (m[1] === "output" && !["json", "text", "table", "yaml", "yaml-stream"].includes(value))
      usage(`argument --output: invalid choice: '${value}' (choose from 'json', 'text', 'table', 'yaml', 'yaml-stream')`);
    if (m[1] === "query") globalQuery = value;
    else globalOutput = value;
  }
  argv = words;
  let i = 0;
  let endpoint: string | undefined;
  while (argv[i]?.startsWith("--")) {
    const word = argv[i];
    if (word.startsWith("--endpoint-url=")) endpoint = word.slice("--endpoint-url=".length);
    else if (word === "--endpoint-url") endpoint = argv[++i];
    else usage(`Unknown options: ${word}`);
    i++;
  }
  if (endpoint !== undefined && !/^https?:\/\/[^\s/]+/.test(endpoint)) usage(`Bad value for --endpoint-url "${endpoint}": scheme is missing.  Must be of the form http://<hostname>/ or https://<hostname>/`);
  secureTransport = endpoint?.startsWith("http://") ? "false" : "true";
  const [service, command, ...rest] = argv.slice(i);
  keyId = credentialsKeyId();
  if (env.STANDIN_AWS_FAIL && argv.join(" ").includes(env.STANDIN_AWS_FAIL)) fail("An error occurred (InternalError) when calling the operation: injected failure", service === "s3" ? 1 : CLIENT_ERROR_RC);
  if (service === "s3" && command === "cp") return s3Cp(rest);
  if (service === "s3" && command === "rm") return s3Rm(rest);
  if (service === "s3api") return s3api([command, ...rest].filter((w) => w !== undefined));
  usage(`argument command: Invalid choice: '${service} ${command}'`);
}

try {
  main(process.argv.slice(2));
} catch (e) {
  if (!(e instanceof CliError)) throw e;
  process.stderr.write(`${e.message}\n`);
  process.exit(e.rc);
}
