# Shared setup of the backup pod-script tests: stand-ins for mongosh, mongodump, mongorestore,
# mongod and aws first on PATH (test/bats/backup/bin), a fresh backup root, work volume and call
# log per test, and helpers that write catalogs of real artifacts with their manifests.

REPO_ROOT="$(cd "$BATS_TEST_DIRNAME/../../.." && pwd)"
SCRIPTS="$REPO_ROOT/backup/scripts"
export REPO_ROOT

setup_backup_env() {
  export PATH="$BATS_TEST_DIRNAME/bin:$PATH"
  export STANDIN_LOG="$BATS_TEST_TMPDIR/log"
  export STANDIN_DIR="$BATS_TEST_TMPDIR/standin"
  export STANDIN_S3="$BATS_TEST_TMPDIR/s3"
  mkdir -p "$STANDIN_LOG" "$STANDIN_DIR/mongosh" "$STANDIN_S3"
  : >"$STANDIN_LOG/mongosh.log"
  : >"$STANDIN_LOG/mongodump.log"
  : >"$STANDIN_LOG/mongorestore.log"
  : >"$STANDIN_LOG/mongod.log"
  : >"$STANDIN_LOG/aws.log"

  export BACKUP_REPLSET=rs0
  export BACKUP_MEMBERS="mongodb-rs0-0.mongodb-rs0.db.svc.cluster.local:27017,mongodb-rs0-1.mongodb-rs0.db.svc.cluster.local:27017"
  export BACKUP_DATABASE=nyrkio
  export BACKUP_STORAGE=pvc
  export BACKUP_ROOT="$BATS_TEST_TMPDIR/backup"
  export BACKUP_WORK="$BATS_TEST_TMPDIR/work"
  export BACKUP_USER_DIR="$BATS_TEST_TMPDIR/secret/backup"
  # The container's own credentials volume (a memory-backed emptyDir in the pod; backup-pod.ts).
  export CREDENTIALS_DIR="$BATS_TEST_TMPDIR/credentials"
  export HOSTNAME="mongodb-rs0-backup-full-29000000-x7k2q"
  mkdir -p "$BACKUP_ROOT" "$BACKUP_WORK" "$BACKUP_USER_DIR" "$CREDENTIALS_DIR"
  printf 'backup' >"$BACKUP_USER_DIR/username"
  PASSWORD="s3cr'et pass:word"
  printf '%s\n' "$PASSWORD" >"$BACKUP_USER_DIR/password"
  CATALOG="$BACKUP_ROOT/rs0"
  export BACKUP_PRUNER
  BACKUP_PRUNER="$(real_pruner)"
  verify_settings
  server_model
  aws_model
}

# aws_model: the aws CLI stand-in (aws-model.ts), built once per .bats file. With
# STANDIN_S3_POLICIES set it authorizes every request with those IAM and bucket policies.
aws_model() {
  export STANDIN_AWS_MODEL="$BATS_FILE_TMPDIR/aws-model.js"
  if [[ ! -s "$STANDIN_AWS_MODEL" ]]; then
    "$REPO_ROOT/node_modules/.bin/esbuild" "$BATS_TEST_DIRNAME/aws-model.ts" --bundle --platform=node --log-level=error --outfile="$STANDIN_AWS_MODEL"
  fi
}

# server_model: the model of the replica set the stand-ins talk to (server-model.ts: its users and
# mongod's authorization), built once per .bats file. The set holds the backup user ("backup") and
# the restore user ("restorer"), both with $PASSWORD and the roles the reconcile Job gives them,
# the application's user "app" (password app-pw) and the exporter's "monitor" (monitor-pw).
server_model() {
  export STANDIN_SERVER_MODEL="$BATS_FILE_TMPDIR/server-model.js" STANDIN_USERS="$STANDIN_DIR/users.json"
  if [[ ! -s "$STANDIN_SERVER_MODEL" ]]; then
    "$REPO_ROOT/node_modules/.bin/esbuild" "$BATS_TEST_DIRNAME/server-model.ts" --bundle --platform=node --log-level=error --outfile="$STANDIN_SERVER_MODEL"
    node "$STANDIN_SERVER_MODEL" users "$BATS_FILE_TMPDIR/users.json" backup "$PASSWORD" restorer "$PASSWORD"
  fi
  cp "$BATS_FILE_TMPDIR/users.json" "$STANDIN_USERS"
}

# real_pruner: the pod's pruner module as the stack generates it (embeddablePrunerModule), built
# once per .bats file: the slice job's recovery point uses its chain logic.
real_pruner() {
  local out="$BATS_FILE_TMPDIR/pruner.js"
  if [[ ! -s "$out" ]]; then
    (cd "$REPO_ROOT" && node -e '
      const r = require("esbuild").buildSync({ stdin: { contents: "import { embeddablePrunerModule } from \"./backup/retention/embeddable-pruner\"; process.stdout.write(embeddablePrunerModule());", resolveDir: process.cwd(), loader: "ts" },
        bundle: true, platform: "node", format: "cjs", write: false, logLevel: "silent" });
      require("fs").writeFileSync(process.argv[1], require("child_process").execFileSync(process.execPath, ["-e", r.outputFiles[0].text]));' "$out")
  fi
  printf '%s' "$out"
}

# verify_settings: what the stack gives the verification container, generated from the same
# functions, once per .bats file: the scratch mongod's conf (backup-scripts.ts verifyMongodConfText,
# the ConfigMap's scripts/verify-mongod.conf) and VERIFY_RESTORE_ROLE (users.ts restoreRole).
verify_settings() {
  export VERIFY_MONGOD_CONF="$BATS_FILE_TMPDIR/verify-mongod.conf" VERIFY_RESTORE_ROLE
  if [[ ! -s "$VERIFY_MONGOD_CONF" ]]; then
    (cd "$REPO_ROOT" && node -e '
      const r = require("esbuild").buildSync({ stdin: { contents: "import { verifyMongodConfText } from \"./stacks/constructs/backup/backup-scripts\"; import { restoreRole } from \"./replicaset/users\"; const fs = require(\"fs\"); fs.writeFileSync(process.argv[1], verifyMongodConfText()); fs.writeFileSync(process.argv[1] + \".role\", JSON.stringify(restoreRole()));", resolveDir: process.cwd(), loader: "ts" },
        bundle: true, platform: "node", format: "cjs", write: false, logLevel: "silent", external: ["cdktf", "constructs", "@cdktf/*"] });
      require("child_process").execFileSync(process.execPath, ["-e", r.outputFiles[0].text, "--", process.argv[1]], { stdio: "inherit" });' "$VERIFY_MONGOD_CONF")
  fi
  VERIFY_RESTORE_ROLE="$(<"$VERIFY_MONGOD_CONF.role")"
}

# cached_catalog <builder>: builds the catalog with the builder function once per .bats file (the
# artifacts cost a few Node starts each) and gives every test its own copy.
cached_catalog() {
  local template="$BATS_FILE_TMPDIR/catalog-template"
  if [[ ! -d "$template" ]]; then
    (
      CATALOG="$template"
      "$1"
    )
  fi
  mkdir -p "$BACKUP_ROOT"
  cp -a "$template" "$CATALOG"
}

# canned <script> <text> [call number]: the answer the mongosh stand-in gives for that script.
canned() {
  local file="$STANDIN_DIR/mongosh/$1${3:+.$3}.out"
  printf '%s\n' "$2" >"$file"
}

# canned_failure <script> <message> [call number]
canned_failure() {
  local base="$STANDIN_DIR/mongosh/$1${3:+.$3}"
  printf '%s\n' "$2" >"$base.err"
  echo 1 >"$base.rc"
}

# facts <oldest> <majority> <applied> [role] [call number] [set newest]: what source-facts.js
# reports (the set's newest write defaults to the member's applied).
facts() {
  canned source-facts.js "source=mongodb-rs0-1.mongodb-rs0.db.svc.cluster.local:27017
role=${4:-secondary}
oldest=$1
newest=$3
majority=$2
applied=$3
setNewest=${6:-$3}
replicaSetId=${REPLSET_ID:-65f1a2b3c4d5e6f708192a3b}" "${5:-}"
}

# counts <json> [call number]: what snapshot-counts.js writes to COUNTS_OUT.
counts() {
  local base="$STANDIN_DIR/mongosh/snapshot-counts.js${2:+.$2}"
  printf '%s\n' "$1" >"$base.counts"
  echo "collections=2" >"$base.out"
}

# add_full <name> <first t:i> <last t:i> [counts json]: a real archive and its manifest.
add_full() {
  local name="$1" first="$2" last="$3" counts_json="${4:-}"
  mkdir -p "$CATALOG/full"
  node "$BATS_TEST_DIRNAME/fixtures/make-artifact.js" dir-tar "$CATALOG/full/$name.dump.tar" "$first" "$last"
  write_manifest full "$CATALOG/full/$name" "$name.dump.tar" "$first" "$last" "" "$counts_json"
}

# add_legacy_full <name> <first t:i> <last t:i> [counts json]: a schemaVersion 1 full dump (an
# --archive file, as earlier releases wrote them) and its manifest.
add_legacy_full() {
  local name="$1" first="$2" last="$3" counts_json="${4:-}"
  mkdir -p "$CATALOG/full"
  node "$BATS_TEST_DIRNAME/fixtures/make-artifact.js" archive "$CATALOG/full/$name.archive.gz" "$first" "$last"
  write_manifest full "$CATALOG/full/$name" "$name.archive.gz" "$first" "$last" "" "$counts_json" archive+gzip
}

# add_slice <prev t:i> <first t:i> <last t:i> [counts json]: a real slice and its manifest.
add_slice() {
  local prev="$1" first="$2" last="$3" counts_json="${4:-}" name
  name="${prev/:/-}_${last/:/-}"
  mkdir -p "$CATALOG/oplog"
  printf '{"ts":{"$gt":{"$timestamp":{"t":%s,"i":%s}},"$lte":{"$timestamp":{"t":%s,"i":%s}}}}' \
    "${prev%%:*}" "${prev##*:}" "${last%%:*}" "${last##*:}" >"$BATS_TEST_TMPDIR/q.json"
  node "$BATS_TEST_DIRNAME/fixtures/make-artifact.js" slice "$BATS_TEST_TMPDIR/q.json" "$first" "$last" | gzip -c >"$CATALOG/oplog/$name.bson.gz"
  write_manifest oplog "$CATALOG/oplog/$name" "$name.bson.gz" "$first" "$last" "$prev" "$counts_json"
}

# write_manifest <kind> <path without .manifest.json> <artifact name> <first> <last> <prev> <counts json> [format]
# (format: default the gzipped one the jobs write).
write_manifest() {
  local kind="$1" base="$2" file="$3" first="$4" last="$5" prev="$6" counts_json="$7" format="${8:-}" artifact
  artifact="$(dirname "$base")/$file"
  KIND="$kind" FILE="$file" FIRST="$first" LAST="$last" PREV="$prev" COUNTS="$counts_json" FORMAT="$format" \
    BYTES="$(stat -c %s "$artifact")" SHA="$(sha256sum "$artifact" | cut -d' ' -f1)" node -e '
      const e = process.env, ts = (s) => { const [t, i] = s.split(":").map(Number); return { t, i }; };
      const format = e.FORMAT || (e.KIND === "full" ? "dir-tar+gzip" : "bson+gzip");
      const m = { schemaVersion: format.startsWith("archive") ? 1 : 2, kind: e.KIND, format, file: e.FILE,
        bytes: Number(e.BYTES), sha256: e.SHA, replicaSet: "rs0", firstTs: ts(e.FIRST), lastTs: ts(e.LAST),
        createdAt: new Date(ts(e.LAST).t * 1000).toISOString() };
      if (e.PREV) m.prevTs = ts(e.PREV);
      if (e.COUNTS) m.counts = JSON.parse(e.COUNTS);
      process.stdout.write(JSON.stringify(m, null, 2));' >"$base.manifest.json"
}

# manifest_field <manifest> <js expression over m>: prints the value.
manifest_field() {
  node -e 'const m = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); console.log(eval(process.argv[2]))' "$1" "$2"
}

# assert_json_lines: every line of $output that starts with "{" is one JSON object with a step
# and a status (the jobs' log format).
assert_json_lines() {
  printf '%s\n' "$output" | node -e '
    const lines = require("fs").readFileSync(0, "utf8").split("\n").filter((l) => l.startsWith("{"));
    if (!lines.length) { console.error("no JSON log lines"); process.exit(1); }
    for (const l of lines) { const o = JSON.parse(l); if (!o.step || !o.status || !o.job) { console.error("bad line: " + l); process.exit(1); } }'
}

# json_line <step> <status>: the first log line with that step and status.
json_line() {
  printf '%s\n' "$output" | grep -F "\"step\":\"$1\",\"status\":\"$2\"" | head -n 1
}

# refute_password_anywhere: the password is in no recorded argv and in no log line.
refute_password_anywhere() {
  local f
  for f in "$STANDIN_LOG"/*.log; do
    if grep -qF -- "$PASSWORD" "$f"; then
      echo "the password appears in $f" >&2
      return 1
    fi
  done
  if printf '%s' "$output" | grep -qF -- "$PASSWORD"; then
    echo "the password appears in the job's output" >&2
    return 1
  fi
}

# oplog_ts: the `ts` of every entry of the BSON stream on stdin, "t:i" space-separated.
oplog_ts() {
  node -e '
    const { topLevelFields } = require(process.argv[1]);
    const b = require("fs").readFileSync(0);
    const out = [];
    for (let at = 0; at < b.length; at += b.readInt32LE(at)) {
      const ts = topLevelFields(b.subarray(at, at + b.readInt32LE(at))).ts;
      out.push(ts.t + ":" + ts.i);
    }
    console.log(out.join(" "));' "$REPO_ROOT/backup/mongosh/oplog-window.js"
}

# no_partial_files <dir>: nothing named .*.part is left behind.
no_partial_files() {
  local left
  left="$(find "$1" -name '.*.part' 2>/dev/null)"
  if [[ -n "$left" ]]; then
    echo "partial files left behind: $left" >&2
    return 1
  fi
}

# login_as <secret dir> <user> <password>: the Secret a job mounts names another user.
login_as() {
  printf '%s' "$2" >"$1/username"
  printf '%s\n' "$3" >"$1/password"
}

# server_user_roles <user> <roles json>: change a user's roles on the stand-in replica set.
server_user_roles() {
  node -e 'const fs = require("fs"), f = process.argv[1], u = JSON.parse(fs.readFileSync(f, "utf8"));
    u.users[process.argv[2]].roles = JSON.parse(process.argv[3]); fs.writeFileSync(f, JSON.stringify(u));' "$STANDIN_USERS" "$1" "$2"
}
