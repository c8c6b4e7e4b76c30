// What the sub-commands that change an instance share: they run the window's contract
// commands in the running instance (never behind its back), and report failures the same
// way, in words on stderr or as {"error": {...}} on stdout with --json, exit code 1.
import { ContractError, type ContractErrorData } from '../../contract/index.js';
import {
  connectLocalChannel,
  LocalChannelError,
  type LocalChannelClient,
} from '../../core/app/local-channel.js';
import { EXIT_ERROR, UsageError, type CliIo } from './sub-command.js';

/** No instance answers on the data dir's channel. */
export class NotRunningError extends Error {
  constructor(readonly dataDir: string) {
    super(
      `Replica Sync is not running with data dir ${dataDir}: start it with npm start -- --data-dir ${dataDir}`,
    );
    this.name = 'NotRunningError';
  }
}

/** Connects, runs `work`, and closes; NotRunningError when nothing answers. */
export async function withRunningInstance<T>(
  dataDir: string,
  work: (client: LocalChannelClient) => Promise<T>,
): Promise<T> {
  let client: LocalChannelClient;
  try {
    client = await connectLocalChannel(dataDir);
  } catch (err) {
    if (err instanceof LocalChannelError && err.reason === 'not-running')
      throw new NotRunningError(dataDir);
    throw err;
  }
  try {
    return await work(client);
  } finally {
    client.close();
  }
}

/** How an argument of a command was given on the command line, to name it in messages. */
export interface FlagOf {
  flag: string;
  /** The value as typed; undefined for a secret, which is never printed. */
  value?: string;
}

export interface FailureReport {
  /** Says what was being done: "Cannot add account \"Ceph\"". */
  doing: string;
  json: boolean;
  /** Maps an issue's path (a command argument) to the option that gave it. */
  flags?: Record<string, FlagOf>;
}

/** Prints a failure and returns exit code 1; usage errors are passed on (exit code 2). */
export function reportFailure(err: unknown, io: CliIo, report: FailureReport): number {
  if (err instanceof UsageError) throw err;
  const data = errorData(err);
  if (report.json) {
    io.stdout(`${JSON.stringify({ error: data }, null, 2)}\n`);
    return EXIT_ERROR;
  }
  const issues = data.issues ?? [];
  if (err instanceof NotRunningError) {
    io.stderr(`${data.message}\n`);
    return EXIT_ERROR;
  }
  if (issues.length === 0) {
    io.stderr(`${report.doing}: ${data.message}\n`);
    return EXIT_ERROR;
  }
  const lines = issues.map((issue) => {
    const given = report.flags?.[issue.path];
    const where = given
      ? `${given.flag}${given.value !== undefined ? ` ${JSON.stringify(given.value)}` : ''}`
      : issue.path || 'arguments';
    return `  ${where}: ${issue.message}`;
  });
  io.stderr(`${report.doing}:\n${lines.join('\n')}\n`);
  return EXIT_ERROR;
}

/** What --json prints under "error": the contract's error data, or a code of the CLI's own. */
type FailureData = Omit<ContractErrorData, 'code'> & { code: string };

function errorData(err: unknown): FailureData {
  if (err instanceof ContractError) return err.toJSON();
  if (err instanceof NotRunningError) return { code: 'NotRunning', message: err.message };
  return { code: 'Failed', message: (err as Error)?.message ?? String(err) };
}

/** A --json result: the command's value as it came. */
export function printJson(io: CliIo, value: unknown): void {
  io.stdout(`${JSON.stringify(value, null, 2)}\n`);
}
