// Desktop notifications for a Replication Time Control breach (a rule with RTC did not copy a
// version within its 15 minutes): one per version and destination; a click opens the Files view.
import type { Notification } from 'electron';
import type { RtcBreachNotice } from '../contract/index.js';
import type { ElectronDeps } from './electron-deps.js';

export class RtcNotifier {
  private readonly told = new Set<string>();
  private readonly live = new Set<Notification>();

  constructor(
    private readonly deps: Pick<ElectronDeps, 'Notification'>,
    private readonly onOpen: () => void,
    private readonly log: (line: string) => void,
  ) {}

  notify(b: RtcBreachNotice): boolean {
    const id = `${b.folderId}\u0000${b.relPath}\u0000${b.versionId}\u0000${b.bucket}`;
    if (this.told.has(id)) return false;
    this.told.add(id);
    const notice = { title: b.title, body: b.body };
    if (!this.deps.Notification.isSupported()) {
      this.log(`${notice.title}: ${notice.body} (this system shows no desktop notifications)`);
      return false;
    }
    const shown = new this.deps.Notification(notice);
    this.live.add(shown);
    shown.on('click', () => {
      this.live.delete(shown);
      this.onOpen();
    });
    shown.on('close', () => this.live.delete(shown));
    shown.show();
    return true;
  }
}
