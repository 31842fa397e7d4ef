// Jest setupFilesAfterEnv of the unit and tools projects (runs in each suite's realm, after Jest
// installed its own stack formatting there). Imports nothing heavy: every suite loads it.
import { skipCdktfCaptures, skippingCdktfCreationStacks } from "./cdktf-creation-stacks";

Error.prepareStackTrace = skippingCdktfCreationStacks(Error.prepareStackTrace);
// The one small file of cdktf that records creation stacks (no exports map keeps it private): the
// suite's cdktf, loaded later from the same registry, gets this instance.
skipCdktfCaptures(require("cdktf/lib/tokens/private/stack-trace"));
