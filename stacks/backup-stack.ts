// The backup stack: scheduled full dumps, oplog slices, verification and the restore Job.
// Deployable on its own, without touching the database stack; it knows the database only by
// the names in config (no cross-stack references, so no remote-state coupling).

import { Construct } from "constructs";
import { backupStackName } from "./naming";
import { PlatformStack, PlatformStackProps } from "./platform-stack";

export class BackupStack extends PlatformStack {
  constructor(scope: Construct, props: PlatformStackProps) {
    super(scope, backupStackName(props.config), props);
  }
}
