// Retention of results: pure decisions, the in-cluster mongosh script, and a Node.js runner.
export * from "./retention-steps";
export * from "./retention-params";
export { retentionScript } from "./retention-script";
export { runRetention } from "./run-retention";
export type { RetentionRunOptions } from "./run-retention";
