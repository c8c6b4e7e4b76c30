// Printing for bench/sync-engine.ts: the upload table, the restart table, the idle/remote
// lines, and the headline figures, one `figure: NAME VALUE` line each, at the very end.
import { MiB, type Measured, type Options, type Tool } from './common.js';
import type { RestartFigures } from './engine-run.js';
import { median, type IdleFigures } from './idle-run.js';

export function printTable(rows: string[][]): void {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  rows.forEach((r, i) => {
    console.log(line(r));
    if (i === 0) console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
  });
}

export interface Results {
  small: Partial<Record<Tool, Measured>>;
  big: Partial<Record<Tool, Measured>>;
  restart?: RestartFigures;
  restart1m?: RestartFigures;
  regions?: {
    regionsPerS: number;
    rawPerS: number;
    count: number;
    bytes: number;
    inFlight: number;
  };
  idle?: IdleFigures;
}

export const smallLabel = (o: Options) => `${o.smallCount} x ${o.smallBytes / 1024} KiB`;
export const bigLabel = (o: Options) => `1 x ${o.bigBytes / MiB} MiB`;

export function printUploads(o: Options, r: Results): void {
  const cell = (m: Measured | undefined, unit: 'files/s' | 'MiB/s', amount: number) =>
    m
      ? `${(amount / m.seconds).toFixed(unit === 'MiB/s' ? 1 : 0)} ${unit} (${m.seconds.toFixed(1)} s)`
      : '-';
  const rows: string[][] = [['upload', 'Replica Sync engine', 'rclone copy', 'aws s3 sync']];
  const toolsAll: Tool[] = ['engine', 'rclone', 'aws'];
  const hasSmall = Object.keys(r.small).length > 0;
  const hasBig = Object.keys(r.big).length > 0;
  if (!hasSmall && !hasBig) return;
  if (hasSmall)
    rows.push([smallLabel(o), ...toolsAll.map((t) => cell(r.small[t], 'files/s', o.smallCount))]);
  if (hasBig)
    rows.push([bigLabel(o), ...toolsAll.map((t) => cell(r.big[t], 'MiB/s', o.bigBytes / MiB))]);
  const cpuRow = (label: string, by: Partial<Record<Tool, Measured>>) =>
    rows.push([
      label,
      ...toolsAll.map((t) => {
        const m = by[t];
        return m
          ? `${m.clientCpu.toFixed(1)} + ${m.serverCpu === undefined ? '?' : m.serverCpu.toFixed(1)}`
          : '-';
      }),
    ]);
  if (hasSmall) cpuRow(`CPU s client + server, small`, r.small);
  if (hasBig) cpuRow(`CPU s client + server, big`, r.big);
  console.log('');
  printTable(rows);
  if (hasBig)
    console.log(
      '\nengine big-file figure: multipart (8 MiB parts, 4 in flight), CRC64NVME per part and full ' +
        'object, sha256 lineage metadata (rs-sha256) and If-None-Match; the file is read before ' +
        '(sha256 + CRC64NVME), while sending, and after (sha256 again, to check it did not change).',
    );
}

export function printRestart(o: Options, restart: RestartFigures): void {
  const r = restart.result;
  console.log(
    `\nrestart over ${restart.count} already-synced files (${o.restartDirs} subfolders, 1 byte each):`,
  );
  printTable([
    ['measure', 'value'],
    [
      'new SyncEngine → start() + settle() done',
      `${r.seconds.toFixed(2)} s (start() returned at ${r.startSeconds.toFixed(2)} s)`,
    ],
    ['CPU (engine process, same span)', `${r.cpuSeconds.toFixed(1)} s`],
    [
      'RSS before → peak (50 ms samples)',
      `${(r.rssBefore / MiB).toFixed(0)} → ${(r.rssPeak / MiB).toFixed(0)} MiB (VmHWM ${r.vmHwm === undefined ? '?' : (r.vmHwm / MiB).toFixed(0)} MiB)`,
    ],
    [
      'heap used before → peak',
      `${(r.heapBefore / MiB).toFixed(0)} → ${(r.heapPeak / MiB).toFixed(0)} MiB`,
    ],
    ['rows after', JSON.stringify(r.counts)],
    ['upload tasks started', String(r.tasksStarted)],
    [
      'inotify (max_user_watches; limit hit?)',
      `${restart.inotifyLimit ?? '?'}; ${restart.inotifyHit ? 'HIT (the engine reported it)' : 'not hit'}`,
    ],
    [
      'not counted: writing the files / filling the index',
      `${restart.createSeconds.toFixed(1)} s / ${restart.indexSeconds.toFixed(1)} s`,
    ],
  ]);
  console.log(
    'measured: a fresh engine process opens the index, starts chokidar on the folder (waits for ' +
      'its ready), rescans it (lstat of every file, compared by size + mtime with the index ' +
      'rows, which were written directly as synced with the real size/mtime), then pulls (lists ' +
      'the empty bucket by version); nothing is hashed or uploaded.',
  );
}

const fmt = (n: number) => (Number.isFinite(n) ? String(Number(n.toPrecision(4))) : 'NaN');

/** The headline figures, each only when its phase ran. */
export function figureLines(o: Options, r: Results): string[] {
  const out: string[] = [];
  const add = (name: string, value: number) => out.push(`figure: ${name} ${fmt(value)}`);
  const { engine: se, rclone: sr } = r.small;
  if (se && sr) add('small_time_vs_rclone', se.seconds / sr.seconds);
  const mibs = (m: Measured | undefined) => (m ? o.bigBytes / MiB / m.seconds : undefined);
  const be = mibs(r.big.engine);
  const peers = [mibs(r.big.rclone), mibs(r.big.aws)].filter((x): x is number => x !== undefined);
  if (be !== undefined && peers.length > 0)
    add('big_throughput_vs_best_peer', be / Math.max(...peers));
  if (r.restart) {
    add('restart_100k_s', r.restart.result.seconds);
    add('restart_100k_peak_rss_mib', r.restart.result.rssPeak / MiB);
  }
  if (r.regions) add('regions_small_put_vs_raw', r.regions.regionsPerS / r.regions.rawPerS);
  if (r.idle && r.idle.windowSeconds > 0) add('idle_requests_per_hour_100k', r.idle.perHour);
  if (r.idle && r.idle.remote.length > 0) add('remote_change_visible_p50_s', median(r.idle.remote));
  if (r.restart1m) {
    add('restart_1m_s', r.restart1m.result.seconds);
    add('restart_1m_peak_rss_mib', r.restart1m.result.rssPeak / MiB);
  }
  return out;
}

/** What each figure was measured over (the scale of this run), before the figure lines. */
export function printFigureContext(o: Options, r: Results): void {
  console.log('\nheadline figures (this run):');
  if (r.small.engine && r.small.rclone)
    console.log(
      `  small_time_vs_rclone: ${smallLabel(o)}, concurrency ${o.concurrency}: engine ${r.small.engine.seconds.toFixed(2)} s / rclone ${r.small.rclone.seconds.toFixed(2)} s`,
    );
  if (r.big.engine) {
    const s = (m: Measured | undefined) =>
      m ? `${(o.bigBytes / MiB / m.seconds).toFixed(1)} MiB/s` : '-';
    console.log(
      `  big_throughput_vs_best_peer: ${bigLabel(o)}: engine ${s(r.big.engine)}, rclone ${s(r.big.rclone)}, aws ${s(r.big.aws)}`,
    );
  }
  if (r.restart)
    console.log(
      `  restart_100k_*: over ${r.restart.count} files (--restart-count)${r.restart.count === 100_000 ? '' : ' (not 100,000: a scaled-down run)'}`,
    );
  if (r.regions)
    console.log(
      `  regions_small_put_vs_raw: ${r.regions.count} x ${r.regions.bytes / 1024} KiB PUTs, ${r.regions.inFlight} in flight: regions ${r.regions.regionsPerS.toFixed(0)}/s, raw node:http ${r.regions.rawPerS.toFixed(0)}/s`,
    );
  if (r.idle && r.idle.windowSeconds > 0)
    console.log(
      `  idle_requests_per_hour_100k: ${r.idle.requests} requests in ${r.idle.windowSeconds.toFixed(0)} s over ${r.idle.objects} objects${r.idle.objects === 100_000 ? '' : ' (not 100,000: a scaled-down run)'}; by operation ${JSON.stringify(r.idle.byOp)}`,
    );
  if (r.idle && r.idle.remote.length > 0)
    console.log(
      `  remote_change_visible_p50_s: ${r.idle.remote.length} samples (s): ${r.idle.remote.map((x) => x.toFixed(2)).join(', ')}`,
    );
  if (r.restart1m)
    console.log(
      `  restart_1m_*: over ${r.restart1m.count} files; inotify max_user_watches ${r.restart1m.inotifyLimit ?? '?'}, limit ${r.restart1m.inotifyHit ? 'HIT' : 'not hit'}`,
    );
}
