// Messages on the wire, the same for Electron IPC and WebSocket, so cancellation and
// errors behave alike in both modes.
import type { CommandName } from './commands.js';
import { number, object, oneOf, parse, string, unknownValue } from './schema.js';
import type { ContractErrorData } from './errors.js';
import type { EventName, EventPayloads } from './events.js';

export interface InvokeMessage {
  type: 'invoke';
  id: number;
  command: CommandName;
  args: unknown;
}

export interface CancelMessage {
  type: 'cancel';
  id: number;
}

export type ClientMessage = InvokeMessage | CancelMessage;

export type ResultMessage =
  | { type: 'result'; id: number; ok: true; value: unknown }
  | { type: 'result'; id: number; ok: false; error: ContractErrorData };

export interface EventMessage<E extends EventName = EventName> {
  type: 'event';
  name: E;
  payload: EventPayloads[E];
}

export type ServerMessage = ResultMessage | EventMessage;

/**
 * The largest message (UTF-8 bytes of its JSON) a transport takes: the WebSocket host's
 * maxPayload and the local channel's line limit. The contract's array and string limits keep
 * every valid message well below it (test/unit/contract-message-size.test.ts builds the
 * largest); a bigger one can only be malformed and is refused without reaching the engine.
 */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

/** The channel names Electron IPC uses. */
export const IPC_INVOKE = 'rs:invoke';
export const IPC_CANCEL = 'rs:cancel';
export const IPC_EVENT = 'rs:event';

const invokeSchema = object({
  type: oneOf(['invoke'] as const),
  id: number({ integer: true, min: 0 }),
  command: string({ max: 100 }),
  args: unknownValue(),
});
const cancelSchema = object({
  type: oneOf(['cancel'] as const),
  id: number({ integer: true, min: 0 }),
});

/** Checks the envelope of a message from a renderer; the command's arguments are checked later. */
export function parseClientMessage(value: unknown): ClientMessage {
  const type = (value as { type?: unknown } | null)?.type;
  if (type === 'cancel') return parse(cancelSchema, value);
  const msg = parse(invokeSchema, value);
  return msg as InvokeMessage;
}
