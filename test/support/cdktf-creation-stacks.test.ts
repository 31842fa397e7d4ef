// The setup hook that leaves cdktf's per-token creation stacks unformatted
// (test/support/cdktf-creation-stacks.ts): only those, and the Terraform JSON is the same.
import { Lazy, Testing } from "cdktf";
import { environments } from "../../config/environments";
import { addPlatformStacks } from "../../stacks/platform-app";
import { isInstalled, withCreationStacks } from "./cdktf-creation-stacks";

function synthEveryStack(name: string): Record<string, string> {
  const stacks = addPlatformStacks(Testing.app(), environments[name], "/tmp/nyrkio-db-test");
  return Object.fromEntries(Object.entries(stacks).flatMap(([role, stack]) => (stack ? [[role, Testing.synth(stack)]] : [])));
}

describe("the creation-stack hook", () => {
  it("is installed by the setup file", () => {
    expect(isInstalled()).toBe(true);
    expect(withCreationStacks(isInstalled)).toBe(false);
  });

  it("leaves cdktf's creation stacks empty, and records them as usual when removed", () => {
    const creationStack = () => {
      // A Lazy keeps its creation stack (cdktf/lib/tokens/lazy.js); read it back through the token map.
      const { Tokenization } = require("cdktf") as typeof import("cdktf");
      const value = Lazy.stringValue({ produce: () => "x" });
      return (Tokenization.reverseString(value).firstToken as unknown as { creationStack: string[] }).creationStack;
    };
    expect(creationStack()).toEqual([]);
    const recorded = withCreationStacks(creationStack);
    expect(recorded.length).toBeGreaterThan(0);
    expect(recorded.join("\n")).toContain("cdktf-creation-stacks.test.ts");
  });

  it("answers cdktf's own captures without capturing a stack, and captures as before when removed", () => {
    const capture = jest.spyOn(Error, "captureStackTrace");
    try {
      Lazy.stringValue({ produce: () => "x" });
      expect(capture).not.toHaveBeenCalled();
      withCreationStacks(() => Lazy.stringValue({ produce: () => "y" }));
      expect(capture).toHaveBeenCalledTimes(1);
    } finally {
      capture.mockRestore();
    }
  });

  it("formats every Error as before: with its frames", () => {
    const error = new Error("bad config");
    expect(error.stack).toMatch(/^Error: bad config\n\s+at .*cdktf-creation-stacks\.test\.ts/);
    const plain: { stack?: string } = {};
    Error.captureStackTrace(plain);
    expect(plain.stack).toMatch(/cdktf-creation-stacks\.test\.ts/);
  });

  it("leaves every stack of the sharded environment (database, backup) byte for byte as with the stacks recorded", () => {
    const fast = synthEveryStack("sharded");
    expect(Object.keys(fast)).toEqual(["database", "backup"]);
    expect(withCreationStacks(() => synthEveryStack("sharded"))).toEqual(fast);
  });
});
