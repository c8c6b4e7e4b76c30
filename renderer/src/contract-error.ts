// The renderer's copy of the contract's error class. The renderer may import only types
// from main/contract (lint), so the small runtime class lives here; its shape is checked
// against ContractErrorData by the compiler.
import type { ContractErrorData, ErrorCode, RetryAction } from '../../main/contract/errors.js';

export type Issue = { path: string; message: string };

// A record, so the compiler says so when the contract gains a code.
const ERROR_CODES: Record<ErrorCode, true> = {
  UnknownCommand: true,
  InvalidArguments: true,
  Forbidden: true,
  Cancelled: true,
  NotFound: true,
  Unavailable: true,
  TooLarge: true,
  Internal: true,
};

function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}

function isIssue(value: unknown): value is Issue {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.path === 'string' && typeof v.message === 'string';
}

// A record, so the compiler says so when the contract gains an action.
const ACTION_KINDS: Record<RetryAction['kind'], true> = {
  retry: true,
  'open-settings': true,
  none: true,
  'enable-versioning': true,
  'create-folder': true,
};

function isAction(value: unknown): value is RetryAction {
  if (typeof value !== 'object' || value === null) return false;
  const kind = (value as Record<string, unknown>).kind;
  return typeof kind === 'string' && Object.hasOwn(ACTION_KINDS, kind);
}

export class ContractError extends Error implements ContractErrorData {
  readonly code: ErrorCode;
  readonly issues?: Issue[];
  readonly action?: RetryAction;

  constructor(data: ContractErrorData) {
    super(data.message);
    this.name = 'ContractError';
    this.code = data.code;
    if (data.issues) this.issues = data.issues;
    if (data.action) this.action = data.action;
  }

  toJSON(): ContractErrorData {
    const out: ContractErrorData = { code: this.code, message: this.message };
    if (this.issues) out.issues = this.issues;
    if (this.action) out.action = this.action;
    return out;
  }

  /** Rebuilds an error from an envelope that crossed the boundary; tolerates bad shapes. */
  static from(data: unknown): ContractError {
    const d = (typeof data === 'object' && data !== null ? data : {}) as Record<string, unknown>;
    const issues = Array.isArray(d.issues) ? d.issues.filter(isIssue) : undefined;
    return new ContractError({
      code: isErrorCode(d.code) ? d.code : 'Internal',
      message: typeof d.message === 'string' && d.message !== '' ? d.message : 'Unknown error',
      ...(issues && issues.length > 0 ? { issues } : {}),
      ...(isAction(d.action) ? { action: d.action } : {}),
    });
  }
}

export function isContractError(error: unknown): error is ContractError {
  return error instanceof ContractError;
}

/** A readable line for any thrown value. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
