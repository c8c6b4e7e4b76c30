// The shape of the contract's command handlers, for the services that answer a group of
// them (conflicts, replication) without depending on the app controller that routes them.
import type {
  CommandArgs,
  CommandName,
  CommandResult,
  conflictCommandArgs,
  replicationCommandArgs,
} from '../contract/index.js';

export type CommandHandlers = {
  [C in CommandName]: (args: CommandArgs<C>, signal: AbortSignal) => Promise<CommandResult<C>>;
};

export type ReplicationCommand = keyof typeof replicationCommandArgs;
export type ReplicationHandlers = Pick<CommandHandlers, ReplicationCommand>;
export type ConflictCommand = keyof typeof conflictCommandArgs;
export type ConflictHandlers = Pick<CommandHandlers, ConflictCommand>;
