// Jest setupFilesAfterEnv of the unit and tools projects (runs in each suite's realm, after Jest
// installed its own stack formatting there). Imports nothing heavy: every suite loads it.
import { skippingCdktfCreationStacks } from "./cdktf-creation-stacks";

Error.prepareStackTrace = skippingCdktfCreationStacks(Error.prepareStackTrace);
