// A WebSocket client at the byte level, for frames no well-behaved library would send:
// text frames with invalid UTF-8, bad opcodes, reserved bits, unmasked frames, lies about
// the length. It does the opening handshake by hand over a plain TCP socket.
import { randomBytes } from 'node:crypto';
import net from 'node:net';

export interface RawSocket {
  socket: net.Socket;
  /** Resolves with the close code the server sent (0 when the TCP connection just ended). */
  closed: Promise<number>;
  send(frame: Buffer): void;
  destroy(): void;
}

/** Opens /ws with the token and resolves once the server answered 101. */
export function openRawWebSocket(port: number, token: string): Promise<RawSocket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let head = Buffer.alloc(0);
    let upgraded = false;
    let closeCode = 0;
    let rest = Buffer.alloc(0);
    const closed = new Promise<number>((r) => socket.once('close', () => r(closeCode)));
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      if (!upgraded) {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        const status = head.subarray(0, end).toString('latin1').split(' ')[1];
        if (status !== '101') {
          socket.destroy();
          reject(new Error(`the upgrade was answered ${status}`));
          return;
        }
        upgraded = true;
        rest = head.subarray(end + 4);
        resolve({
          socket,
          closed,
          send: (frame) => {
            if (!socket.destroyed) socket.write(frame);
          },
          destroy: () => socket.destroy(),
        });
      } else {
        rest = Buffer.concat([rest, chunk]);
      }
      // A close frame from the server: opcode 8, unmasked, code in the first 2 payload bytes.
      for (let i = 0; i + 4 <= rest.length;) {
        const opcode = (rest[i] ?? 0) & 0x0f;
        let len = (rest[i + 1] ?? 0) & 0x7f;
        let at = i + 2;
        if (len === 126) {
          if (at + 2 > rest.length) break;
          len = rest.readUInt16BE(at);
          at += 2;
        } else if (len === 127) {
          if (at + 8 > rest.length) break;
          len = Number(rest.readBigUInt64BE(at));
          at += 8;
        }
        if (at + len > rest.length) break;
        if (opcode === 8 && len >= 2) closeCode = rest.readUInt16BE(at);
        i = at + len;
        rest = rest.subarray(i);
        i = 0;
      }
    });
    socket.once('connect', () => {
      socket.write(
        [
          `GET /ws?token=${token} HTTP/1.1`,
          `Host: 127.0.0.1:${port}`,
          'Upgrade: websocket',
          'Connection: Upgrade',
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
          'Sec-WebSocket-Version: 13',
          '',
          '',
        ].join('\r\n'),
      );
    });
    socket.once('close', () => {
      if (!upgraded) reject(new Error('the connection closed before the upgrade'));
    });
  });
}

export interface FrameOptions {
  opcode: number;
  fin?: boolean;
  /** RSV1-3 bits (0-7); non-zero without an extension is a protocol error. */
  rsv?: number;
  masked?: boolean;
}

/** One frame, masked as a client must (unless told not to). */
export function frame(payload: Buffer, opts: FrameOptions): Buffer {
  const masked = opts.masked ?? true;
  const first = ((opts.fin ?? true) ? 0x80 : 0) | ((opts.rsv ?? 0) << 4) | (opts.opcode & 0x0f);
  const len = payload.length;
  const lenBytes = len < 126 ? Buffer.alloc(0) : len < 65536 ? Buffer.alloc(2) : Buffer.alloc(8);
  const second = (masked ? 0x80 : 0) | (len < 126 ? len : len < 65536 ? 126 : 127);
  if (len >= 126 && len < 65536) lenBytes.writeUInt16BE(len);
  if (len >= 65536) lenBytes.writeBigUInt64BE(BigInt(len));
  const mask = masked ? randomBytes(4) : Buffer.alloc(0);
  const body = Buffer.from(payload);
  if (masked) for (let i = 0; i < body.length; i++) body[i] = (body[i] ?? 0) ^ (mask[i % 4] ?? 0);
  return Buffer.concat([Buffer.from([first, second]), lenBytes, mask, body]);
}
