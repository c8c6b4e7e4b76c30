// The one rule for access key ids and secret access keys, shared by the command schemas,
// the account records of core and (through the issues it produces) the renderer's forms.
// Services issue keys of every shape (MinIO's `minioadmin`, Ceph's short keys, AWS's
// AKIA…), so only what cannot be sent is refused: nothing, white space at either end,
// control characters, and in the access key id (it travels in the Authorization header)
// what a header cannot carry.
import type { Schema } from './schema.js';

export type CredentialField = 'accessKeyId' | 'secretAccessKey';

/** Longer than any key a service issues; a longer paste is more than the key. */
export const CREDENTIAL_MAX_LENGTH: Record<CredentialField, number> = {
  accessKeyId: 256,
  secretAccessKey: 1024,
};

const FIELD_WORDS: Record<CredentialField, string> = {
  accessKeyId: 'access key id',
  secretAccessKey: 'secret access key',
};

// Unicode control characters (C0, DEL, C1) and the line and paragraph separators.
const CONTROL = /[\p{Cc}\u2028\u2029]/u;
// Header values are ASCII: a visible character or a space between them.
const NOT_HEADER_TEXT = /[^\x20-\x7e]/;

/**
 * What is wrong with a key, as one sentence that names the field and the fix, or undefined
 * when it can be used. The sentence never repeats the value (it may be a secret).
 */
export function credentialProblem(field: CredentialField, value: string): string | undefined {
  const what = FIELD_WORDS[field];
  const The = `The ${what}`;
  if (value === '') return `Enter the ${what}.`;
  if (value.trim() === '') return `${The} is only white space: enter the key itself.`;
  if (/^\s/u.test(value))
    return `${The} starts with white space (a space, tab or line break): paste it again without it.`;
  if (/\s$/u.test(value))
    return `${The} ends with white space (a space, tab or line break): paste it again without it.`;
  if (CONTROL.test(value))
    return `${The} has a control character (a tab or line break, for example): paste it again without it.`;
  if (field === 'accessKeyId') {
    if (NOT_HEADER_TEXT.test(value))
      return `${The} has a character outside plain ASCII, which the Authorization header cannot carry: type it again with plain letters, digits and symbols.`;
    // The Authorization header separates its parts with commas.
    if (value.includes(','))
      return `${The} has a comma, which the Authorization header uses as a separator: check the key you copied.`;
  }
  const max = CREDENTIAL_MAX_LENGTH[field];
  if (value.length > max)
    return `${The} is longer than ${max} characters: check that only the key was pasted.`;
  return undefined;
}

/** The contract schema of a key field: a string that passes credentialProblem. */
export function credentialText(field: CredentialField): Schema<string> {
  return {
    check(v, path, issues) {
      if (typeof v !== 'string') {
        issues.push({ path, message: `expected a string, got ${v === null ? 'null' : typeof v}` });
        return undefined as unknown as string;
      }
      const problem = credentialProblem(field, v);
      if (problem !== undefined) {
        issues.push({ path, message: problem });
        return undefined as unknown as string;
      }
      return v;
    },
  };
}
