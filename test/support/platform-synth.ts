// Every stack addPlatformStacks (stacks/platform-app.ts) adds for a config, as Testing.synth gives
// each: once per config and run (test/support/synth-cache.ts). cdktf and the stacks are loaded
// only when a config is synthesized for the first time in a suite.

import type { PlatformConfig } from "../../config/platform-config";
import { memoSynthTexts } from "./synth-cache";

export interface SynthesizedStack {
  /** The stack's name (its node id), as the app names it. */
  id: string;
  /** Its cdk.tf.json text. */
  text: string;
}

export interface PlatformStackTexts {
  database: SynthesizedStack;
  backup?: SynthesizedStack;
  monitoring?: SynthesizedStack;
}

export function synthPlatformStacks(config: PlatformConfig, projectDir: string): PlatformStackTexts {
  const texts = memoSynthTexts("addPlatformStacks Testing.synth", { config, projectDir }, () => {
    const { Testing } = require("cdktf") as typeof import("cdktf");
    const { addPlatformStacks } = require("../../stacks/platform-app") as typeof import("../../stacks/platform-app");
    const stacks = addPlatformStacks(Testing.app(), config, projectDir);
    const out: Record<string, string> = {};
    for (const [role, stack] of Object.entries(stacks)) if (stack) out[role] = JSON.stringify({ id: stack.node.id, text: Testing.synth(stack) });
    return out;
  });
  const parsed = Object.fromEntries(Object.entries(texts).map(([role, s]) => [role, JSON.parse(s) as SynthesizedStack]));
  return parsed as unknown as PlatformStackTexts;
}

/** The stacks that exist, database first, then backup and monitoring. */
export function stacksIn(stacks: PlatformStackTexts): SynthesizedStack[] {
  return [stacks.database, stacks.backup, stacks.monitoring].filter((s): s is SynthesizedStack => s !== undefined);
}
