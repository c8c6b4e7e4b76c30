// The words of a Replication Time Control breach notice, made once in main: the desktop
// notification and the browser-mode notice both show them.
import type { RtcBreach, RtcBreachNotice } from '../../contract/index.js';

export function rtcNotice(b: RtcBreach): RtcBreachNotice {
  const name = b.relPath.split('/').pop() ?? b.relPath;
  const minutes = b.latencyMs === null ? null : Math.round(b.latencyMs / 60_000);
  return {
    ...b,
    title: `Replication late: ${name}`,
    body:
      minutes === null
        ? `${b.relPath} has not reached ${b.bucket} (${b.region}) within the 15 minutes its rule guarantees.`
        : `${b.relPath} took ${minutes} min to reach ${b.bucket} (${b.region}), past the 15 minutes its rule guarantees.`,
  };
}
