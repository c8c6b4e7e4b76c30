// Browser mode tells of each Replication Time Control breach once per version and destination,
// however often the event comes. Pure, so it runs under Node for the unit tests.
import type { RtcBreach } from '../../main/contract/replication.js';

export function rtcBreachKey(b: RtcBreach): string {
  return `${b.folderId}\u0000${b.relPath}\u0000${b.versionId}\u0000${b.bucket}`;
}
