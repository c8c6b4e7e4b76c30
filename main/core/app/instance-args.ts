import path from 'node:path';
import { parseArgs } from 'node:util';
import { defaultDataDir } from '../paths.js';

export interface InstanceArgs {
  dataDir: string;
  /** Browser mode: the port to listen on; 0 picks a free one. */
  port: number;
  /** Skip Electron and run browser mode. */
  browser: boolean;
  /** Don't try to open a browser window for browser mode. */
  noOpen: boolean;
  /** The folder the first-start set-up watches (default ~/Replica Sync). */
  folder: string | undefined;
  /** Use the local regions another process runs (its regions.json) instead of starting them. */
  regionsFile: string | undefined;
}

/** Arguments shared by both modes: `npm start -- --data-dir DIR --port N`. */
export function parseInstanceArgs(argv: string[]): InstanceArgs {
  const { values } = parseArgs({
    args: argv,
    strict: false,
    allowPositionals: true,
    options: {
      'data-dir': { type: 'string' },
      port: { type: 'string' },
      browser: { type: 'boolean' },
      'no-open': { type: 'boolean' },
      folder: { type: 'string' },
      'regions-file': { type: 'string' },
    },
  });
  const dataDir =
    typeof values['data-dir'] === 'string' ? path.resolve(values['data-dir']) : defaultDataDir();
  const portText = typeof values.port === 'string' ? values.port : '0';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be a number from 0 to 65535, got "${portText}"`);
  return {
    dataDir,
    port,
    browser: values.browser === true,
    noOpen: values['no-open'] === true,
    folder: typeof values.folder === 'string' ? path.resolve(values.folder) : undefined,
    regionsFile:
      typeof values['regions-file'] === 'string' ? path.resolve(values['regions-file']) : undefined,
  };
}
