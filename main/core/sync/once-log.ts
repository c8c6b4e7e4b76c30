// Says a standing problem once: a refused name, a FIFO, an unreadable file, a region that
// does not answer. Each is kept under a key (a path, or a folder-wide subject) with the
// message last said; the same message again is not logged, a different one is, and a key
// dropped (the problem went away) is said again should it come back.
export type LogLevel = 'info' | 'warn' | 'error';

export class OnceLog {
  private readonly said = new Map<string, string>();

  constructor(private readonly log: (level: LogLevel, message: string) => void) {}

  /** Logs `message` unless it is what was last said for `key`; true when it was logged. */
  say(key: string, level: LogLevel, message: string): boolean {
    if (this.said.get(key) === message) return false;
    this.said.set(key, message);
    this.log(level, message);
    return true;
  }

  has(key: string): boolean {
    return this.said.has(key);
  }

  /** The problem under `key` is gone; true when there was one. */
  clear(key: string): boolean {
    return this.said.delete(key);
  }

  /** Drops every key starting with `prefix` for which `keep` is false. */
  prune(prefix: string, keep: (key: string) => boolean): void {
    for (const k of [...this.said.keys()])
      if (k.startsWith(prefix) && !keep(k)) this.said.delete(k);
  }
}
