// The CLI (`npm run regions`): its stable output, credentials kept across runs, data kept,
// and a clean stop on SIGTERM / SIGINT.
import {
  CreateBucketCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';

const US = 'us-east-1';
const EU = 'eu-west-1';

const mode = async (file: string): Promise<number> => (await fs.stat(file)).mode & 0o777;

interface CliRun {
  child: ChildProcess;
  lines: string[];
  values: Map<string, string>;
}

async function startCli(dataDir: string): Promise<CliRun> {
  const cli = path.join(process.cwd(), 'main', 'regions', 'cli.ts');
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', cli, '--regions', `${US},${EU}`, '--data', dataDir, '--quiet'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const lines: string[] = [];
  const rl = createInterface({ input: child.stdout! });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`cli did not get ready: ${lines.join('\n')}`)),
      20000,
    );
    rl.on('line', (line) => {
      lines.push(line);
      if (line === 'ready') {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => reject(new Error(`cli exited with ${code}`)));
  });
  const values = new Map(
    lines
      .filter((l) => l.includes(' '))
      .map((l) => [l.slice(0, l.indexOf(' ')), l.slice(l.indexOf(' ') + 1)]),
  );
  return { child, lines, values };
}

function stopCli(run: CliRun, signal: NodeJS.Signals): Promise<number | null> {
  return new Promise((resolve) => {
    run.child.on('exit', (code) => resolve(code));
    run.child.kill(signal);
  });
}

test('the CLI prints endpoints and credentials, keeps them across runs, and shuts down on SIGTERM/SIGINT', async () => {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'regions-cli-'));
  try {
    const first = await startCli(dataDir);
    const regionLines = first.lines.filter((l) => l.startsWith('region '));
    assert.equal(regionLines.length, 2);
    assert.match(regionLines[0]!, /^region us-east-1 http:\/\/127\.0\.0\.1:\d+$/);
    assert.match(regionLines[1]!, /^region eu-west-1 http:\/\/127\.0\.0\.1:\d+$/);
    assert.match(first.values.get('accessKeyId') ?? '', /^AKIA[A-Z0-9]{16}$/);
    assert.ok((first.values.get('secretAccessKey') ?? '').length >= 30);
    assert.equal(first.lines.at(-1), 'ready');
    const endpoint = regionLines[0]!.split(' ')[2]!;
    const client = new S3Client({
      endpoint,
      region: US,
      credentials: {
        accessKeyId: first.values.get('accessKeyId')!,
        secretAccessKey: first.values.get('secretAccessKey')!,
      },
    });
    try {
      await client.send(new CreateBucketCommand({ Bucket: 'cli-bucket' }));
      await client.send(
        new PutObjectCommand({ Bucket: 'cli-bucket', Key: 'k', Body: 'from the cli run' }),
      );
    } finally {
      client.destroy();
    }
    assert.equal(await stopCli(first, 'SIGTERM'), 0);
    const file = JSON.parse(await fs.readFile(path.join(dataDir, 'regions.json'), 'utf8')) as {
      accessKeyId: string;
    };
    assert.equal(file.accessKeyId, first.values.get('accessKeyId'));
    assert.equal(await mode(path.join(dataDir, 'regions.json')), 0o600);

    const second = await startCli(dataDir);
    assert.equal(second.values.get('accessKeyId'), first.values.get('accessKeyId'));
    assert.equal(second.values.get('secretAccessKey'), first.values.get('secretAccessKey'));
    const again = new S3Client({
      endpoint: second.lines.find((l) => l.startsWith('region us-east-1'))!.split(' ')[2]!,
      region: US,
      credentials: {
        accessKeyId: second.values.get('accessKeyId')!,
        secretAccessKey: second.values.get('secretAccessKey')!,
      },
    });
    try {
      const got = await again.send(new GetObjectCommand({ Bucket: 'cli-bucket', Key: 'k' }));
      assert.equal(await got.Body?.transformToString(), 'from the cli run');
    } finally {
      again.destroy();
    }
    assert.equal(await stopCli(second, 'SIGINT'), 0);
  } finally {
    await fs.rm(dataDir, { recursive: true, force: true });
  }
});
