// A stand-in mongod on a TCP port for probe.sh's wire-protocol ping: it reads OP_MSG requests
// (MongoDB wire protocol: header, flagBits, a kind-0 section with one BSON document), applies
// mongod's authorization model to the command (test/support/mongod-authz.ts: an unauthenticated
// connection may run only commands whose requiresAuth() is false, ping among them) and answers
// as mongod does, `ok` as a double. Bundled with esbuild by probe.bats.
//   node wire-mongod.js <port-file> [ok|refuse|silent]
//     ok      answers ping with { ok: 1.0 }
//     refuse  answers every command with { ok: 0.0, code: 13, codeName: "Unauthorized" } (a
//             stand-in for a mongod that refuses: the probe must fail)
//     silent  reads the request and never answers (a hung mongod)
//   TLS_CERT and TLS_KEY set: it listens as a mongod with net.tls.mode requireTLS does, TLS only
//   (a plaintext client's bytes are taken for a handshake and the connection fails), presenting
//   that certificate and asking for none from the client (allowConnectionsWithoutCertificates).
import { BSON, Double } from "bson";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer, type Socket } from "node:net";
import { createServer as createTlsServer } from "node:tls";
import { authorize, ServerError } from "../../support/mongod-authz";

const [portFile, mode = "ok"] = process.argv.slice(2);
const OP_MSG = 2013;

function reply(requestId: number, doc: Record<string, unknown>): Buffer {
  const body = Buffer.concat([Buffer.alloc(4), Buffer.from([0]), Buffer.from(BSON.serialize(doc))]);
  const header = Buffer.alloc(16);
  header.writeInt32LE(16 + body.length, 0);
  header.writeInt32LE(1000 + requestId, 4);
  header.writeInt32LE(requestId, 8);
  header.writeInt32LE(OP_MSG, 12);
  return Buffer.concat([header, body]);
}

function serve(socket: Socket): void {
  let pending = Buffer.alloc(0);
  socket.on("data", (chunk) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 4 && pending.length >= pending.readInt32LE(0)) {
      const length = pending.readInt32LE(0);
      const message = pending.subarray(0, length);
      pending = pending.subarray(length);
      if (message.readInt32LE(12) !== OP_MSG || message[20] !== 0) {
        socket.destroy(); // mongod closes a connection on a malformed message
        return;
      }
      if (mode === "silent") continue;
      const command = BSON.deserialize(message.subarray(21)) as Record<string, unknown>;
      const requestId = message.readInt32LE(4);
      let answer: Record<string, unknown>;
      try {
        if (mode === "refuse") throw new ServerError(13, "Unauthorized", "refused by the stand-in");
        authorize({ hasUsers: true, arbiter: false }, { fromLocalhost: true }, command);
        if (Object.keys(command)[0] !== "ping") throw new ServerError(59, "CommandNotFound", "the stand-in answers ping only");
        answer = { ok: new Double(1) };
      } catch (err) {
        const e = err as ServerError;
        answer = { ok: new Double(0), errmsg: e.message, code: e.code, codeName: e.codeName };
      }
      socket.write(reply(requestId, answer));
    }
  });
}

const { TLS_CERT, TLS_KEY } = process.env;
const server = TLS_CERT && TLS_KEY ? createTlsServer({ cert: readFileSync(TLS_CERT), key: readFileSync(TLS_KEY), requestCert: false }, serve) : createServer(serve);
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  if (address && typeof address === "object") writeFileSync(portFile, String(address.port));
});
