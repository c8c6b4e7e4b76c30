import type { ActivityEntry, ActivityLevel } from '../../../main/contract/state.js';

const LEVEL_LABELS: Record<ActivityLevel, string> = {
  info: 'Info',
  warn: 'Warning',
  error: 'Error',
};

const timeFormat = new Intl.DateTimeFormat(undefined, {
  dateStyle: 'medium',
  timeStyle: 'medium',
});

function formatTime(time: string): string {
  const date = new Date(time);
  return Number.isNaN(date.getTime()) ? time : timeFormat.format(date);
}

export function ActivityRow({ entry }: { entry: ActivityEntry }) {
  return (
    <li className={`activity-entry activity-${entry.level}`}>
      <time className="activity-time" dateTime={entry.time}>
        {formatTime(entry.time)}
      </time>
      <span className={`level level-${entry.level}`}>{LEVEL_LABELS[entry.level]}</span>
      <span className="activity-message">{entry.message}</span>
    </li>
  );
}
