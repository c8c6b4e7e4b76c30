// CPU time of a process from Linux /proc, shared by the benchmarks.
import fs from 'node:fs';

/** user + system CPU seconds of a live process, from /proc/PID/stat; undefined elsewhere. */
export function procCpuSeconds(pid: number | undefined): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the whole line (11 and 12 after "pid (comm)").
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}
