// The human-readable form of `status`: one block per folder, then a table of its files.
import type { StatusFile, StatusFolder, StatusReport } from './status.js';

export function renderStatus(report: StatusReport, dataDir: string): string {
  const out: string[] = [];
  out.push(
    report.source === 'running'
      ? `Replica Sync status of ${printable(dataDir)} (from the running instance)`
      : `Replica Sync status of ${printable(dataDir)} (read from the index: Replica Sync is not running)`,
  );
  if (report.folders.length === 0) {
    out.push('', 'No folders are synced yet.');
    return `${out.join('\n')}\n`;
  }
  const byFolder = new Map<string, StatusFile[]>();
  for (const f of report.files) {
    const list = byFolder.get(f.folder);
    if (list) list.push(f);
    else byFolder.set(f.folder, [f]);
  }
  for (const folder of report.folders) {
    out.push('', ...folderBlock(folder), '');
    out.push(...fileTable(byFolder.get(folder.path) ?? []));
    byFolder.delete(folder.path);
  }
  // Rows of a folder that was removed while the pages were read.
  for (const [folder, files] of byFolder) {
    out.push('', `${printable(folder)} (no longer watched)`, '');
    out.push(...fileTable(files));
  }
  return `${out.join('\n')}\n`;
}

function folderBlock(f: StatusFolder): string[] {
  const c = f.counts;
  const lines = [
    `${printable(f.path)} → s3://${f.bucket}/${f.prefix} (${f.region})`,
    `  state:   ${f.state === 'stopped' ? 'not running' : f.state}`,
    `  files:   ${c.total} total, ${c.synced} synced, ${c.pending} pending, ${c.uploading} uploading, ` +
      `${c.conflict} in conflict, ${c.error} with errors, ${c.deleted} deleted`,
    `  error:   ${f.error === null ? 'none' : printable(f.error)}`,
  ];
  if (f.massDelete) lines.push(`  waiting: ${printable(f.massDelete.message)}`);
  return lines;
}

function fileTable(files: StatusFile[]): string[] {
  if (files.length === 0) return ['  (no files)'];
  const withErrors = files.some((f) => f.error !== null);
  const withReplicas = files.some((f) => f.replication !== null);
  const header = [
    'PATH',
    'STATE',
    'VERSION ID',
    ...(withReplicas ? ['REPLICAS'] : []),
    ...(withErrors ? ['ERROR'] : []),
  ];
  const rows = files.map((f) => [
    printable(f.path),
    f.state,
    f.versionId === null ? '-' : printable(f.versionId),
    ...(withReplicas ? [replicas(f)] : []),
    ...(withErrors ? [f.error === null ? '' : printable(f.error)] : []),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    `  ${cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')}`.trimEnd();
  return [line(header), ...rows.map(line)];
}

/**
 * "eu-west-1 verified 1.3s" per destination ("4.0s at most": as checked, not stamped by
 * the service); "no rule" when none applies; "replica of eu-west-1 (b)"; the problem, if any.
 */
function replicas(f: StatusFile): string {
  const r = f.replication;
  if (!r) return '-';
  const problem = r.problem ? `: ${printable(r.problem)}` : '';
  if (r.destinations.length === 0) return `${sourceWords(r)}${problem}`;
  return (
    r.destinations
      .map((d) => {
        const secs = d.latencyMs === null ? '' : `${(d.latencyMs / 1000).toFixed(1)}s`;
        const latency =
          secs === '' ? '' : d.latencyFrom === 'observed' ? ` ${secs} at most` : ` ${secs}`;
        return `${d.region} ${d.state}${latency}${d.rtcBreached ? ' (RTC: over 15 min)' : ''}`;
      })
      .join(', ') + problem
  );
}

function sourceWords(r: NonNullable<StatusFile['replication']>): string {
  if (r.sourceStatus === 'NONE') return 'no rule';
  if (r.sourceStatus !== 'REPLICA') return r.sourceStatus.toLowerCase();
  const o = r.replicaOf;
  if (!o) return 'replica';
  return o.bucket === null ? `replica (${o.region})` : `replica of ${o.region} (${o.bucket})`;
}

// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/g;

/** Control characters (a newline in a file name) shown escaped, so a row stays one line. */
function printable(text: string): string {
  return text.replace(
    CONTROL_CHARS,
    (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}
