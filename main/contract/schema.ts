// A small runtime validator with inferred types. It lives here, not in a library, because
// the contract is shared with the renderer and imports nothing (DESIGN.md section 3).

export interface Issue {
  path: string;
  message: string;
}

export class SchemaError extends Error {
  constructor(readonly issues: Issue[]) {
    super(issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; '));
    this.name = 'SchemaError';
  }
}

export interface Schema<T> {
  /** Returns the value or pushes issues; never throws. */
  check(value: unknown, path: string, issues: Issue[]): T;
  readonly optional?: boolean;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

function fail<T>(issues: Issue[], path: string, message: string): T {
  issues.push({ path, message });
  return undefined as T;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

export function string(
  opts: {
    min?: number;
    max?: number;
    pattern?: RegExp;
    /** Said instead of "does not match /…/" when the pattern fails: what the value must be. */
    patternMessage?: string;
  } = {},
): Schema<string> {
  const max = opts.max ?? 4096;
  return {
    check(v, path, issues) {
      if (typeof v !== 'string') return fail(issues, path, `expected a string, got ${describe(v)}`);
      if (opts.min !== undefined && v.length < opts.min)
        return fail(issues, path, `must be at least ${opts.min} characters`);
      if (v.length > max) return fail(issues, path, `must be at most ${max} characters`);
      if (opts.pattern && !opts.pattern.test(v))
        return fail(issues, path, opts.patternMessage ?? `does not match ${String(opts.pattern)}`);
      return v;
    },
  };
}

export function number(
  opts: { min?: number; max?: number; integer?: boolean } = {},
): Schema<number> {
  return {
    check(v, path, issues) {
      if (typeof v !== 'number' || !Number.isFinite(v))
        return fail(issues, path, `expected a finite number, got ${describe(v)}`);
      if (opts.integer && !Number.isInteger(v)) return fail(issues, path, 'must be an integer');
      if (opts.min !== undefined && v < opts.min)
        return fail(issues, path, `must be ≥ ${opts.min}`);
      if (opts.max !== undefined && v > opts.max)
        return fail(issues, path, `must be ≤ ${opts.max}`);
      return v;
    },
  };
}

export function boolean(): Schema<boolean> {
  return {
    check(v, path, issues) {
      if (typeof v !== 'boolean')
        return fail(issues, path, `expected a boolean, got ${describe(v)}`);
      return v;
    },
  };
}

export function oneOf<const T extends readonly (string | number | boolean)[]>(
  values: T,
): Schema<T[number]> {
  return {
    check(v, path, issues) {
      if (!values.includes(v as T[number]))
        return fail(
          issues,
          path,
          `must be one of ${values.map((x) => JSON.stringify(x)).join(', ')}`,
        );
      return v as T[number];
    },
  };
}

export function array<T>(
  item: Schema<T>,
  opts: {
    max?: number;
    /**
     * The most characters all string items may have together, so a list of many long
     * strings stays under the transport's message limit (wire.ts MAX_MESSAGE_BYTES).
     */
    maxTotalLength?: number;
  } = {},
): Schema<T[]> {
  const max = opts.max ?? 10_000;
  const maxTotal = opts.maxTotalLength;
  return {
    check(v, path, issues) {
      if (!Array.isArray(v)) return fail(issues, path, `expected an array, got ${describe(v)}`);
      if (v.length > max) return fail(issues, path, `must have at most ${max} items`);
      if (maxTotal !== undefined) {
        let total = 0;
        for (const x of v as unknown[]) if (typeof x === 'string') total += x.length;
        if (total > maxTotal)
          return fail(
            issues,
            path,
            `must have at most ${maxTotal} characters in all (it has ${total}): send it in smaller parts`,
          );
      }
      return v.map((x, i) => item.check(x, `${path}[${i}]`, issues));
    },
  };
}

export function optional<T>(inner: Schema<T>): Schema<T | undefined> {
  return {
    optional: true,
    check(v, path, issues) {
      return v === undefined ? undefined : inner.check(v, path, issues);
    },
  };
}

type Shape = Record<string, Schema<unknown>>;
type OptionalKeys<S extends Shape> = {
  [K in keyof S]: undefined extends Infer<S[K]> ? K : never;
}[keyof S];
type RequiredKeys<S extends Shape> = Exclude<keyof S, OptionalKeys<S>>;
export type ObjectOf<S extends Shape> = { [K in RequiredKeys<S>]: Infer<S[K]> } & {
  [K in OptionalKeys<S>]?: Infer<S[K]>;
};

/** Strict object: unknown keys are rejected, so nothing unexpected is passed on. */
export function object<S extends Shape>(shape: S): Schema<ObjectOf<S>> {
  return {
    check(v, path, issues) {
      if (typeof v !== 'object' || v === null || Array.isArray(v))
        return fail(issues, path, `expected an object, got ${describe(v)}`);
      const input = v as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(input)) {
        if (!Object.prototype.hasOwnProperty.call(shape, key))
          issues.push({ path: path ? `${path}.${key}` : key, message: 'is not allowed' });
      }
      for (const [key, schema] of Object.entries(shape)) {
        const value = schema.check(input[key], path ? `${path}.${key}` : key, issues);
        if (input[key] === undefined && !schema.optional) {
          if (!issues.some((i) => i.path === (path ? `${path}.${key}` : key)))
            issues.push({ path: path ? `${path}.${key}` : key, message: 'is required' });
        }
        if (value !== undefined) out[key] = value;
      }
      return out as ObjectOf<S>;
    },
  };
}

/** Validates and returns a typed value, or throws SchemaError listing every issue. */
export function parse<T>(schema: Schema<T>, value: unknown): T {
  const issues: Issue[] = [];
  const out = schema.check(value, '', issues);
  if (issues.length > 0) throw new SchemaError(issues);
  return out;
}

/** Any value; used where a later step validates (command arguments inside a message). */
export function unknownValue(): Schema<unknown> {
  return { optional: true, check: (v) => v };
}
