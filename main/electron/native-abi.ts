// A native module (better-sqlite3, the index's library) built for another ABI than the
// running one: npm builds it for Node, Electron needs it rebuilt for its own ABI.

const ABI_MISMATCH =
  /NODE_MODULE_VERSION\s+(\d+)\.\s+This version of (?:Node\.js|Electron) requires\s+NODE_MODULE_VERSION\s+(\d+)/;

/** The error's messages, its own first, then those of its causes. */
function messages(err: unknown): string[] {
  const out: string[] = [];
  for (let e: unknown = err, depth = 0; e !== undefined && depth < 5; depth++) {
    if (e instanceof Error) {
      out.push(e.message);
      e = e.cause;
    } else {
      out.push(String(e));
      break;
    }
  }
  return out;
}

/**
 * One line saying what to do when `err` (or one of its causes) is the "was compiled against
 * a different Node.js version using NODE_MODULE_VERSION X. This version of Node.js requires
 * NODE_MODULE_VERSION Y" error; undefined for any other error.
 */
export function nativeAbiMessage(err: unknown): string | undefined {
  for (const message of messages(err)) {
    const m = ABI_MISMATCH.exec(message);
    if (m)
      return (
        `The index library was built for Node's ABI ${m[1]}, Electron needs ${m[2]}: ` +
        `run npm run rebuild:electron (or package with npm run dist)`
      );
  }
  return undefined;
}
