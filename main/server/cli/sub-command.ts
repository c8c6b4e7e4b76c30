// What every sub-command of the command line is made of, and what they share.
import path from 'node:path';
import { defaultDataDir } from '../../core/paths.js';

export const EXIT_OK = 0;
export const EXIT_ERROR = 1;
export const EXIT_USAGE = 2;

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

export type OptionValues = Record<string, string | boolean | undefined>;

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** Shown in --help: "--name VALUE  description". */
  valueName?: string;
  description: string;
}

export interface SubCommand {
  /** One line for the list of commands. */
  summary: string;
  /** Positional arguments as shown in the usage line ("" for none). */
  positionals: string;
  options: Record<string, OptionSpec>;
  run(values: OptionValues, positionals: string[], io: CliIo): Promise<number>;
}

/** Bad arguments: answered with the usage and exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const dataDirOption: OptionSpec = {
  type: 'string',
  valueName: 'DIR',
  description: 'data dir of the instance (default: the app default for this user)',
};

/** --json: the command's JSON result for scripts. */
export const jsonOption: OptionSpec = {
  type: 'boolean',
  description: 'print the command\'s JSON result (or {"error": {...}}) instead of text',
};

/** A string option's value; an empty one is a usage error naming the flag. */
export function text(values: OptionValues, name: string): string | undefined {
  const v = values[name];
  if (v === '') throw new UsageError(`--${name} needs a value`);
  return typeof v === 'string' ? v : undefined;
}

export function resolveDataDir(values: OptionValues): string {
  const given = values['data-dir'];
  if (given === '') throw new UsageError('--data-dir needs a folder');
  return typeof given === 'string' ? path.resolve(given) : defaultDataDir();
}
