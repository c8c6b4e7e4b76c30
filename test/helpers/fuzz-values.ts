// Seeded random inputs for the transport fuzz tests: a PRNG that a failing run replays
// from its seed, and JSON-ish values of every awkward shape.
import { commandNames } from '../../main/contract/index.js';

export interface Rng {
  next(): number;
  int(max: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
}

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (max) => Math.floor(next() * max),
    pick: (items) => items[Math.floor(next() * items.length)] as (typeof items)[number],
    chance: (p) => next() < p,
  };
}

const AWKWARD_STRINGS = [
  '',
  '__proto__',
  'constructor',
  'prototype',
  '\u0000',
  '\ud800',
  '\u2028\u2029',
  '💥'.repeat(50),
  '../../../etc/passwd',
  'a'.repeat(5000),
  '%00%ff',
  '{"type":"invoke"}',
];
const AWKWARD_NUMBERS = [
  0,
  -0,
  -1,
  1.5,
  2 ** 53 + 1,
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
  Number.MIN_VALUE,
  1e308,
  4294967296,
];
const KEYS = ['type', 'id', 'command', 'args', 'paths', 'folderId', '__proto__', 'constructor'];

/** A random value: scalars, arrays, nested objects, awkward keys and strings. */
export function randomValue(rng: Rng, depth = 0): unknown {
  const kind = rng.int(depth > 3 ? 5 : 8);
  switch (kind) {
    case 0:
      return null;
    case 1:
      return rng.chance(0.5);
    case 2:
      return rng.chance(0.5) ? rng.pick(AWKWARD_NUMBERS) : rng.next() * 1e6 - 5e5;
    case 3:
      return rng.pick(AWKWARD_STRINGS);
    case 4:
      return randomText(rng, rng.int(64));
    case 5:
      return Array.from({ length: rng.int(6) }, () => randomValue(rng, depth + 1));
    default: {
      // Built through JSON.parse so "__proto__" is an own key, as it is off the wire.
      const entries = Array.from({ length: rng.int(6) }, () => [
        rng.chance(0.6) ? rng.pick(KEYS) : randomText(rng, 8),
        randomValue(rng, depth + 1),
      ]);
      return JSON.parse(
        `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v) ?? 'null'}`).join(',')}}`,
      ) as unknown;
    }
  }
}

export function randomText(rng: Rng, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += String.fromCharCode(rng.int(0x3000));
  return out;
}

/** A message the way a confused or hostile client might write it. */
export function randomMessage(rng: Rng): unknown {
  const shape = rng.int(6);
  const id = rng.chance(0.8) ? rng.int(1_000_000) : randomValue(rng);
  const command = rng.chance(0.7)
    ? rng.pick(commandNames)
    : rng.pick([
        'fs.deleteEverything',
        '__proto__',
        'constructor',
        'toString',
        '',
        'x'.repeat(200),
      ]);
  switch (shape) {
    case 0:
      return randomValue(rng);
    case 1:
      return { type: 'invoke', id, command };
    case 2:
      return { type: 'cancel', id };
    case 3:
      return { type: rng.pick(['invoke', 'cancel', 'event', 'result', 7]), id, command, args: {} };
    default:
      return { type: 'invoke', id, command, args: randomValue(rng) };
  }
}

/** Text that is not JSON, or JSON that is not what it seems. */
export function randomJunkText(rng: Rng): string {
  return rng.pick([
    '',
    '{',
    '[[[[[[[[[[[[[[[[',
    '{"type":"invoke","id":1e400,"command":"app.getState","args":{}}',
    '{"type":"invoke","id":1,"command":"app.getState","args":{},"type":"cancel"}',
    `${'['.repeat(20_000)}${']'.repeat(20_000)}`,
    '{"__proto__":{"polluted":true},"type":"invoke","id":3,"command":"app.getState","args":{}}',
    'null',
    '"just a string"',
    randomText(rng, rng.int(2000)),
  ]);
}
