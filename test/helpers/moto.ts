// moto_server (a Python S3/IAM emulator) as a second S3-compatible service for tests, with
// signature checks on: the first IAM calls create a user and its access key, after which
// every request must be signed with that key. Missing moto fails the test; it never skips.
import { SignatureV4 } from '@smithy/signature-v4';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export const INSTALL_MOTO = "install moto: pip install 'moto[server]'";

/** Requests served before signatures are checked: CreateUser, CreateAccessKey, PutUserPolicy. */
const UNSIGNED_SETUP_CALLS = 3;

type Data = string | ArrayBuffer | ArrayBufferView;

class Sha256 {
  private readonly h: Hash | Hmac;
  constructor(secret?: Data) {
    this.h = secret === undefined ? createHash('sha256') : createHmac('sha256', toBuffer(secret));
  }
  update(data: Data): void {
    this.h.update(toBuffer(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(this.h.digest());
  }
}

function toBuffer(d: Data): Buffer {
  if (typeof d === 'string') return Buffer.from(d, 'utf8');
  if (ArrayBuffer.isView(d)) return Buffer.from(d.buffer, d.byteOffset, d.byteLength);
  return Buffer.from(d);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

export interface Moto {
  endpoint: string;
  /** The IAM user's key; S3 accepts only requests signed with it. */
  credentials: { accessKeyId: string; secretAccessKey: string };
  stop(): Promise<void>;
}

/** One IAM query-API call, signed (moto routes by the signature's service). */
async function iam(endpoint: string, params: Record<string, string>): Promise<string> {
  const url = new URL(endpoint);
  const body = new URLSearchParams({ ...params, Version: '2010-05-08' }).toString();
  const signer = new SignatureV4({
    service: 'iam',
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIAMOTOSETUP0000000', secretAccessKey: 'moto-setup-secret-key' },
    sha256: Sha256,
  });
  const signed = await signer.sign({
    method: 'POST',
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: '/',
    query: {},
    headers: {
      host: url.host,
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
    },
    body,
  });
  const res = await fetch(`${endpoint}/`, { method: 'POST', headers: signed.headers, body });
  const text = await res.text();
  if (!res.ok) throw new Error(`moto IAM ${params.Action} failed (${res.status}): ${text}`);
  return text;
}

function xmlValue(xml: string, tag: string): string {
  const m = new RegExp(`<${tag}>([^<]+)</${tag}>`).exec(xml);
  if (!m?.[1]) throw new Error(`moto answered without ${tag}: ${xml.slice(0, 300)}`);
  return m[1];
}

async function waitUntilServing(child: ChildProcess, endpoint: string, stderr: () => string) {
  const deadline = Date.now() + 20_000;
  let exit: string | undefined;
  child.once('exit', (code, signal) => (exit = `exited with ${code ?? signal}`));
  for (;;) {
    if (exit !== undefined)
      throw new Error(`${INSTALL_MOTO} (moto_server ${exit}: ${stderr().trim().slice(-500)})`);
    try {
      // The dashboard's data is not an AWS action: it does not use up an unsigned call.
      const res = await fetch(`${endpoint}/moto-api/data.json`);
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline)
      throw new Error(`moto_server did not start within 20 s: ${stderr()}`);
    await sleep(100);
  }
}

export async function startMoto(): Promise<Moto> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  let output = '';
  let child: ChildProcess;
  try {
    child = await new Promise<ChildProcess>((resolve, reject) => {
      const c = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
        env: { ...process.env, INITIAL_NO_AUTH_ACTION_COUNT: String(UNSIGNED_SETUP_CALLS) },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      c.once('error', reject);
      c.once('spawn', () => resolve(c));
    });
  } catch (err) {
    throw new Error(`${INSTALL_MOTO} (moto_server could not start: ${(err as Error).message})`);
  }
  child.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  child.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(5000)]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  try {
    await waitUntilServing(child, endpoint, () => output);
    await iam(endpoint, { Action: 'CreateUser', UserName: 'replica-sync' });
    const key = await iam(endpoint, { Action: 'CreateAccessKey', UserName: 'replica-sync' });
    await iam(endpoint, {
      Action: 'PutUserPolicy',
      UserName: 'replica-sync',
      PolicyName: 's3-all',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }],
      }),
    });
    return {
      endpoint,
      credentials: {
        accessKeyId: xmlValue(key, 'AccessKeyId'),
        secretAccessKey: xmlValue(key, 'SecretAccessKey'),
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
