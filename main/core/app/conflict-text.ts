// How a conflict reads in the tray and in desktop notifications. Pure, for the tests.
import type { ConflictSide, ConflictSummary } from '../../contract/index.js';

/** "1 conflict" / "12 conflicts". */
export function countConflicts(count: number): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? 'conflict' : 'conflicts'}`;
}

/** The last segment of the conflict's path. */
export function conflictFileName(conflict: Pick<ConflictSummary, 'relPath'>): string {
  const trimmed = conflict.relPath.replace(/[\\/]+$/, '');
  const cut = Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\'));
  return cut >= 0 ? trimmed.slice(cut + 1) : trimmed;
}

/** Who wrote a side and where it is: "this computer", "laptop-2 in eu-west-1". */
export function describeSide(side: ConflictSide): string {
  if (side.isLocal) return 'this computer';
  const who = side.isMine ? 'this device' : (side.deviceName ?? side.device ?? 'another tool');
  return side.region ? `${who} in ${side.region}` : who;
}

export interface NoticeText {
  title: string;
  body: string;
  /** The conflict a click should select; absent when the notice covers several. */
  conflictId?: string;
}

/** Past this many new conflicts at once, one notice sums them up. */
export const NOTICE_BATCH = 3;

/** One notice per new conflict, or a single summary when many arrive together. */
export function conflictNotices(fresh: readonly ConflictSummary[]): NoticeText[] {
  if (fresh.length > NOTICE_BATCH) {
    const names = fresh.slice(0, NOTICE_BATCH).map(conflictFileName);
    const rest = fresh.length - names.length;
    return [
      {
        title: `${fresh.length.toLocaleString('en-US')} new conflicts`,
        body: `${names.join(', ')} and ${rest.toLocaleString('en-US')} more. Click to review them.`,
      },
    ];
  }
  return fresh.map((conflict) => ({
    title: `${conflict.certain ? 'Conflict' : 'Possible conflict'}: ${conflictFileName(conflict)}`,
    body: `${conflict.relPath} has versions from ${joinWords(
      unique(conflict.sides.map(describeSide)),
    )}. Click to compare them.`,
    conflictId: conflict.id,
  }));
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

function joinWords(words: string[]): string {
  if (words.length <= 1) return words[0] ?? 'two places';
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}
