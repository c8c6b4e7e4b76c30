import {
  commandArgs,
  ContractError,
  isCommandName,
  SchemaError,
  parse,
  type ContractErrorData,
  type ResultMessage,
} from '../../contract/index.js';
import type { CommandHandlers } from './app-controller.js';

/**
 * Validates and runs one command for any transport. Unknown commands and malformed
 * arguments are answered with a typed error and never reach a handler.
 */
export class Dispatcher {
  private readonly inFlight = new Map<string, AbortController>();

  constructor(
    private readonly handlers: CommandHandlers,
    private readonly log: (line: string) => void = () => {},
  ) {}

  async dispatch(
    client: string,
    id: number,
    command: unknown,
    args: unknown,
  ): Promise<ResultMessage> {
    try {
      if (!isCommandName(command))
        throw new ContractError({
          code: 'UnknownCommand',
          message: `Unknown command: ${String(command).slice(0, 80)}`,
        });
      let valid: unknown;
      try {
        valid = parse(commandArgs[command], args);
      } catch (err) {
        if (err instanceof SchemaError)
          throw new ContractError({
            code: 'InvalidArguments',
            message: `Invalid arguments for ${command}: ${err.message}`,
            issues: err.issues,
          });
        throw err;
      }
      const key = `${client}:${id}`;
      const controller = new AbortController();
      this.inFlight.set(key, controller);
      try {
        const handler = this.handlers[command] as (a: unknown, s: AbortSignal) => Promise<unknown>;
        const value = await handler(valid, controller.signal);
        if (controller.signal.aborted)
          throw new ContractError({ code: 'Cancelled', message: `${command} was cancelled` });
        return { type: 'result', id, ok: true, value };
      } finally {
        this.inFlight.delete(key);
      }
    } catch (err) {
      return { type: 'result', id, ok: false, error: toErrorData(err, this.log) };
    }
  }

  cancel(client: string, id: number): void {
    this.inFlight.get(`${client}:${id}`)?.abort();
  }

  /** Cancels everything a client started, e.g. when its window or socket closes. */
  cancelAll(client: string): void {
    for (const [key, controller] of this.inFlight)
      if (key.startsWith(`${client}:`)) controller.abort();
  }
}

function toErrorData(err: unknown, log: (line: string) => void): ContractErrorData {
  if (err instanceof ContractError) return err.toJSON();
  // Internal failures are logged in full but reach the renderer as a plain message.
  log(`command failed: ${(err as Error)?.stack ?? String(err)}`);
  return {
    code: 'Internal',
    message: (err as Error)?.message ?? 'Internal error',
    action: { kind: 'retry' },
  };
}
