// Loaded with load() by the mongosh scripts that talk to a replica-set member (it must share their
// mongosh context: required Node modules do not get mongosh's implicit awaits). It opens a direct,
// authenticated connection to one member as the backup user. The password is read from the
// mounted Secret file, never from argv or the environment.
//   BACKUP_USER_DIR  directory holding the Secret's `username` and `password` files

// eslint-disable-next-line @typescript-eslint/no-unused-vars
function connectMember(host) {
  const fs = require("fs");
  const dir = process.env.BACKUP_USER_DIR;
  if (!dir) throw new Error("BACKUP_USER_DIR is not set");
  const read = (name) => fs.readFileSync(`${dir}/${name}`, "utf8").replace(/\n+$/, "");
  // With NYRKIO_TLS_CA_FILE set (clients use TLS, config/tls.ts tlsClientEnv), the certificate and
  // host name are verified: config/tls.ts uriTlsOptions, spelled for a URI.
  const tls = process.env.NYRKIO_TLS_CA_FILE ? `&tls=true&tlsCAFile=${process.env.NYRKIO_TLS_CA_FILE}` : "";
  const conn = new Mongo(`mongodb://${host}/?directConnection=true&serverSelectionTimeoutMS=10000&connectTimeoutMS=10000&readPreference=secondaryPreferred${tls}`);
  conn.getDB("admin").auth(read("username"), read("password"));
  return conn;
}

// eslint-disable-next-line @typescript-eslint/no-unused-vars
function plainTs(ts) {
  return { t: typeof ts.t === "number" ? ts.t : ts.getHighBits(), i: typeof ts.i === "number" ? ts.i : ts.getLowBits() };
}
