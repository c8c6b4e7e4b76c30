// S3 errors and the XML body S3 sends with them.

export class S3Error extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'S3Error';
  }
}

// Characters XML 1.0 text cannot carry literally, or that parsers would normalise away
// (CR, LF and TAB in text are preserved only when written as character references).
// With the u flag the surrogate range matches only unpaired surrogates.
// eslint-disable-next-line no-control-regex -- control characters are exactly what must go
const XML_SPECIAL = /[&<>"'\u0000-\u001f\u007f\u0085\u2028\u2029\ud800-\udfff\ufffe\uffff]/gu;

/** Escapes a string for XML text or attribute content. */
export function xmlEscape(text: string): string {
  return text.replace(XML_SPECIAL, (ch) => {
    switch (ch) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '"':
        return '&quot;';
      case "'":
        return '&apos;';
      default: {
        const code = ch.charCodeAt(0);
        // A lone surrogate cannot be encoded as UTF-8 at all.
        if (code >= 0xd800 && code <= 0xdfff) return '\ufffd';
        return `&#x${code.toString(16).toUpperCase()};`;
      }
    }
  });
}

/**
 * `<Error><Code/><Message/><Resource/><RequestId/>…extra fields</Error>`, as S3 sends it.
 * The error document has no namespace on S3 either.
 */
export function errorXml(err: S3Error, resource: string, requestId: string): string {
  const parts = [
    '<?xml version="1.0" encoding="UTF-8"?>\n<Error>',
    `<Code>${xmlEscape(err.code)}</Code>`,
    `<Message>${xmlEscape(err.message)}</Message>`,
    `<Resource>${xmlEscape(resource)}</Resource>`,
    `<RequestId>${xmlEscape(requestId)}</RequestId>`,
  ];
  for (const [name, value] of Object.entries(err.fields)) {
    if (!/^[A-Za-z_][\w.-]*$/.test(name)) continue; // never emit a broken element name
    parts.push(`<${name}>${xmlEscape(value)}</${name}>`);
  }
  parts.push('</Error>');
  return parts.join('');
}
