// Reads a file that the stacks embed into a resource (a ConfigMap's script or config): the one
// reader for every such file, in stacks/ and in the pure modules that render scripts
// (replicaset/, sharding/, migrations/retention/). Terraform holds strings as NFC UTF-8 (see
// stacks/terraform-text.ts), so a file that is not NFC UTF-8 would reach the pod changed: it is
// refused, naming the file. `readFileSync(f, "utf8")` would instead replace bad bytes silently.

import { readFileSync } from "node:fs";

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Refuses text Terraform would not keep byte for byte: not well-formed Unicode, or not NFC. */
export function assertNfcText(text: string, what: string): void {
  if (LONE_SURROGATE.test(text)) throw new Error(`${what}: not valid Unicode (a lone surrogate): Terraform requires UTF-8`);
  if (text.normalize("NFC") !== text) {
    const line = text.split("\n").findIndex((l) => l.normalize("NFC") !== l) + 1;
    throw new Error(`${what}: not Unicode NFC (line ${line}): Terraform would normalise it and the pod would get other bytes; save it as NFC`);
  }
}

/** Decodes a file's bytes for embedding: valid UTF-8 and NFC, or an error naming the file. */
export function decodeEmbeddedFile(bytes: Uint8Array, file: string): string {
  let text: string;
  try {
    // ignoreBOM: a byte-order mark is kept as it is in the file (the round trip compares bytes).
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new Error(`${file}: not valid UTF-8: Terraform requires UTF-8, so it cannot be embedded`);
  }
  assertNfcText(text, file);
  return text;
}

/** A file's text, read for embedding (see decodeEmbeddedFile). */
export function readEmbeddedFile(file: string): string {
  return decodeEmbeddedFile(readFileSync(file), file);
}
