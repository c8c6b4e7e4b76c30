// The last net under the hosts (browser mode's server, Electron's main process): an error
// that escaped every handler is logged with its stack, and the app keeps running.
//
// Why keep going after an uncaughtException, which Node calls unsafe to resume: every input
// path (WebSocket, HTTP, IPC, the local channel) catches its own errors, so what lands here
// is one callback's fault (a stray stream 'error', a timer), not a corrupted engine. The
// engine is built to survive a failed step: the index is SQLite (each change in its own
// transaction), the upload queue retries, and a folder that fails shows its error. Ending the
// process would stop every folder's sync and drop the tray without a word, which loses more
// than the failed callback did. A storm of them (the same fault in a loop) is not survivable,
// so past `maxPerMinute` the process logs it and exits with code 70.
export interface SafetyNetOptions {
  log: (line: string) => void;
  maxPerMinute?: number;
  exit?: (code: number) => void;
  now?: () => number;
}

export function installProcessSafetyNet(opts: SafetyNetOptions): () => void {
  const max = opts.maxPerMinute ?? 50;
  const now = opts.now ?? Date.now;
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  let recent: number[] = [];
  const onException = (err: unknown, origin: string) => {
    opts.log(`uncaught exception (${origin}), the app keeps running: ${describe(err)}`);
    const t = now();
    recent = recent.filter((at) => t - at < 60_000);
    recent.push(t);
    if (recent.length > max) {
      opts.log(`more than ${max} uncaught exceptions in a minute: stopping`);
      exit(70);
    }
  };
  const onRejection = (reason: unknown) =>
    opts.log(`unhandled promise rejection, the app keeps running: ${describe(reason)}`);
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  return () => {
    process.off('uncaughtException', onException);
    process.off('unhandledRejection', onRejection);
  };
}

function describe(err: unknown): string {
  if (err instanceof Error) return err.stack ?? `${err.name}: ${err.message}`;
  try {
    return `a non-error value: ${JSON.stringify(err)}`;
  } catch {
    return `a non-error value: ${String(err)}`;
  }
}
