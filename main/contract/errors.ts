// Errors that cross the contract. Like GitHub Desktop's, an error may carry a typed
// action the UI can offer ("retry", "open settings") instead of a bare message.

export type ErrorCode =
  | 'UnknownCommand'
  | 'InvalidArguments'
  | 'Forbidden'
  | 'Cancelled'
  | 'NotFound'
  | 'Unavailable'
  /** A message larger than a transport carries (MAX_MESSAGE_BYTES); split the request. */
  | 'TooLarge'
  | 'Internal';

export type RetryAction =
  | { kind: 'retry' }
  | { kind: 'open-settings'; section?: string }
  | { kind: 'none' }
  /** Offer folders.enableVersioning, then add again; the fields name the bucket it checked. */
  | { kind: 'enable-versioning'; accountId?: string; bucket?: string; region?: string }
  /** folders.add of a missing folder: offer to send it again with `create: true`. */
  | { kind: 'create-folder'; path: string };

export interface ContractErrorData {
  code: ErrorCode;
  message: string;
  /** Field-level problems for InvalidArguments. */
  issues?: { path: string; message: string }[];
  action?: RetryAction;
}

export class ContractError extends Error implements ContractErrorData {
  readonly code: ErrorCode;
  readonly issues?: { path: string; message: string }[];
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

  static from(data: unknown): ContractError {
    const d = data as Partial<ContractErrorData> | undefined;
    return new ContractError({
      code: d?.code ?? 'Internal',
      message: d?.message ?? 'Unknown error',
      ...(d?.issues ? { issues: d.issues } : {}),
      ...(d?.action ? { action: d.action } : {}),
    });
  }
}
