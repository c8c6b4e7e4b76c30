// What ties the replica tracker to the rest of the app (service.ts): the index rows it did not
// see synced (uploads while the engine started, pulled files) are adopted and the rows of
// removed files and folders forgotten, at start and as rows change; an RTC breach becomes an
// activity entry, a 'replication.rtcBreach' event and the tray's line.
import { rtcNotice } from './rtc-notice.js';
import type { RtcBreach } from '../../contract/index.js';
import type { Disposable } from '../disposable.js';
import type { EventHub } from '../emitter.js';
import type { FolderDirectory } from '../sync/folder-directory.js';
import type { ReplicaTracker } from './status-tracker.js';

/** The slow safety net for rows removed without an event. */
const RECONCILE_MS = 5 * 60_000;

export interface TrackerWiringOptions {
  folders: FolderDirectory;
  events: EventHub;
  activity: (level: 'info' | 'warn' | 'error', message: string) => void;
  onRtcBreach?: ((e: RtcBreach, total: number) => void) | undefined;
}

export class TrackerWiring {
  private tracker: ReplicaTracker | null = null;
  private subscription: Disposable | null = null;
  private interval: NodeJS.Timeout | null = null;
  private queued: NodeJS.Timeout | null = null;
  private breaches = 0;

  constructor(private readonly o: TrackerWiringOptions) {}

  start(tracker: ReplicaTracker): void {
    this.tracker = tracker;
    this.subscription = this.o.events.subscribe((name) => {
      if (name === 'files.changed' || name === 'folders.changed') this.queue();
    });
    this.interval = setInterval(() => this.reconcile(), RECONCILE_MS);
    this.interval.unref?.();
    this.reconcile();
  }

  /** Follows the untracked synced rows and forgets the rows of removed files (never throws). */
  reconcile(): { forgotten: number; adopted: number } {
    if (!this.tracker) return { forgotten: 0, adopted: 0 };
    try {
      return this.tracker.reconcile((id) => {
        const f = this.o.folders.folder(id);
        return f && { bucket: f.bucket, region: f.region };
      });
    } catch (err) {
      this.o.activity('error', `Could not match replica rows with the index: ${String(err)}`);
      return { forgotten: 0, adopted: 0 };
    }
  }

  rtcBreached(e: RtcBreach): void {
    this.breaches++;
    const late =
      e.latencyMs === null
        ? 'is not there after 15 minutes'
        : `took ${Math.round(e.latencyMs / 1000)} s`;
    this.o.activity(
      'warn',
      `The copy of ${e.relPath} in ${e.bucket} (${e.region}) ${late}: past the 15-minute Replication Time Control window${e.ruleId ? ` of rule ${e.ruleId}` : ''}`,
    );
    this.o.events.emit('replication.rtcBreach', rtcNotice(e));
    try {
      this.o.onRtcBreach?.(e, this.breaches);
    } catch (err) {
      this.o.activity('error', `RTC breach listener failed: ${String(err)}`);
    }
  }

  dispose(): void {
    this.subscription?.dispose();
    if (this.interval) clearInterval(this.interval);
    if (this.queued) clearTimeout(this.queued);
    this.tracker = null;
  }

  private queue(): void {
    if (this.queued) return;
    this.queued = setTimeout(() => {
      this.queued = null;
      this.reconcile();
    }, 250);
  }
}
