// docs/security.md's threat model stays true: its Secret tables are generated from the synthesized
// stacks (both stacks of the environment) and compared here. A new mount, a new Secret or a Secret
// that moves to another container fails this test until the table (and the text around it) follows.

import { readFileSync } from "node:fs";
import { renderSecretTable } from "./secret-mounts";

const doc = readFileSync("docs/security.md", "utf8");

describe.each(["prod", "sharded"])("docs/security.md, the Secrets of %s", (env) => {
  it("match the synthesized stacks", () => {
    const marker = new RegExp(`<!-- secret-table:${env} -->\\n([\\s\\S]*?)\\n<!-- /secret-table -->`);
    const found = marker.exec(doc);
    expect(found && "table found").toBe("table found");
    expect(found![1]).toBe(renderSecretTable(env));
  });
});
