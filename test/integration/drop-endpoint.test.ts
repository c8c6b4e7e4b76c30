// Browser mode's drop endpoint over real HTTP: PUT /drop/<folderId>?name=… writes the body
// into the watched folder, refusing what the other routes refuse and names that leave it.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { AppController } from '../../main/core/app/app-controller.js';
import { Dispatcher } from '../../main/core/app/dispatcher.js';
import { MemorySettingsStore } from '../../main/core/settings/settings-store.js';
import { startBrowserServer, type BrowserServer } from '../../main/server/browser-server.js';
import { tempDir } from '../helpers/temp-dir.js';

let server: BrowserServer;
let cleanup: () => void;
let folder: string;
let outside: string;
let cookie: string;

before(async () => {
  const t = tempDir('rs-drop-');
  cleanup = t.cleanup;
  const staticDir = path.join(t.dir, 'static');
  folder = path.join(t.dir, 'Replica Sync');
  outside = path.join(t.dir, 'outside');
  fs.mkdirSync(staticDir);
  fs.mkdirSync(folder);
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>RS</title>');
  const controller = new AppController({
    mode: 'browser',
    version: '9.9.9',
    dataDir: t.dir,
    settings: new MemorySettingsStore(),
    host: { openWindow() {}, openPath: async () => '', quit() {} },
  });
  controller.ready();
  server = await startBrowserServer({
    dispatcher: new Dispatcher(controller.handlers),
    events: controller.events,
    staticDir,
    port: 0,
    dropTarget: (id) => (id === 'f1' ? folder : undefined),
  });
  // The cookie the page gets when it is loaded with the token, as a browser keeps it.
  const page = await request('GET', `/?token=${server.token}`);
  cookie = String(page.headers['set-cookie']).split(';')[0] ?? '';
  assert.match(cookie, /^rs_token=/);
});

after(async () => {
  await server.close();
  cleanup();
});

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function request(
  method: string,
  p: string,
  opts: { headers?: Record<string, string>; body?: Buffer | string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: server.port, method, path: p, headers: opts.headers ?? {} },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

function drop(
  folderId: string,
  name: string,
  body: Buffer | string,
  headers: Record<string, string> = {},
): Promise<Answer> {
  return request('PUT', `/drop/${folderId}?name=${encodeURIComponent(name)}`, {
    headers: { cookie, ...headers },
    body,
  });
}

/** Files under dir, relative, '/'-separated, sorted. */
function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(path.relative(dir, p).split(path.sep).join('/'));
    }
  };
  walk(dir);
  return out.sort();
}

test('a dropped file is written with its bytes and answered with 201 and its path', async () => {
  const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => i % 251));
  const r = await drop('f1', 'report.txt', bytes, { origin: `http://127.0.0.1:${server.port}` });
  assert.equal(r.status, 201, r.body);
  assert.match(String(r.headers['content-type']), /^application\/json/);
  assert.deepEqual(JSON.parse(r.body), { path: 'report.txt' });
  assert.deepEqual(fs.readFileSync(path.join(folder, 'report.txt')), bytes);
  // No temp file is left behind.
  assert.deepEqual(
    fs.readdirSync(folder).filter((n) => n.startsWith('.rs-tmp-')),
    [],
  );
});

test('the file appears only complete: the bytes go to a temp file, then are renamed', async () => {
  const chunk = Buffer.alloc(65536, 7);
  const answer = new Promise<Answer>((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: server.port,
        method: 'PUT',
        path: '/drop/f1?name=atomic.bin',
        headers: { cookie, 'content-length': String(chunk.length * 2) },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.write(chunk);
    // Half the body has arrived: only a temp file exists, under the name the watcher ignores.
    const check = async (): Promise<void> => {
      for (let i = 0; i < 100; i++) {
        const temps = fs.readdirSync(folder).filter((n) => n.startsWith('.rs-tmp-'));
        if (temps.length === 1 && fs.statSync(path.join(folder, temps[0] as string)).size > 0)
          break;
        await new Promise((r) => setTimeout(r, 10));
      }
      assert.equal(fs.existsSync(path.join(folder, 'atomic.bin')), false);
      assert.equal(fs.readdirSync(folder).filter((n) => n.startsWith('.rs-tmp-')).length, 1);
      req.end(chunk);
    };
    check().catch(reject);
  });
  const r = await answer;
  assert.equal(r.status, 201, r.body);
  assert.deepEqual(fs.readFileSync(path.join(folder, 'atomic.bin')), Buffer.concat([chunk, chunk]));
  assert.deepEqual(
    fs.readdirSync(folder).filter((n) => n.startsWith('.rs-tmp-')),
    [],
  );
});

test('an upload cut off halfway leaves nothing behind', async () => {
  await new Promise<void>((resolve) => {
    const req = http.request({
      host: '127.0.0.1',
      port: server.port,
      method: 'PUT',
      path: '/drop/f1?name=cut.bin',
      headers: { cookie, 'content-length': '100000' },
    });
    req.on('error', () => resolve());
    req.write(Buffer.alloc(1000, 1));
    setTimeout(() => {
      req.destroy();
      resolve();
    }, 100);
  });
  for (let i = 0; i < 100; i++) {
    if (fs.readdirSync(folder).every((n) => !n.startsWith('.rs-tmp-'))) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.equal(fs.existsSync(path.join(folder, 'cut.bin')), false);
  assert.deepEqual(
    fs.readdirSync(folder).filter((n) => n.startsWith('.rs-tmp-')),
    [],
  );
});

test('a nested name creates the folders on the way', async () => {
  const r = await drop('f1', 'photos/2024/beach.jpg', 'jpeg bytes');
  assert.equal(r.status, 201, r.body);
  assert.deepEqual(JSON.parse(r.body), { path: 'photos/2024/beach.jpg' });
  assert.equal(
    fs.readFileSync(path.join(folder, 'photos', '2024', 'beach.jpg'), 'utf8'),
    'jpeg bytes',
  );
});

test('an existing file is never replaced: the copy gets a free name', async () => {
  fs.writeFileSync(path.join(folder, 'notes.md'), 'original');
  const r = await drop('f1', 'notes.md', 'dropped');
  assert.equal(r.status, 201, r.body);
  assert.deepEqual(JSON.parse(r.body), { path: 'notes (2).md' });
  assert.equal(fs.readFileSync(path.join(folder, 'notes.md'), 'utf8'), 'original');
  assert.equal(fs.readFileSync(path.join(folder, 'notes (2).md'), 'utf8'), 'dropped');
});

test('without the token the drop is refused with 401 and nothing is written', async () => {
  const r = await request('PUT', '/drop/f1?name=sneaky.txt', { body: 'x' });
  assert.equal(r.status, 401);
  const wrong = await request('PUT', '/drop/f1?name=sneaky.txt', {
    headers: { cookie: 'rs_token=wrong' },
    body: 'x',
  });
  assert.equal(wrong.status, 401);
  assert.equal(fs.existsSync(path.join(folder, 'sneaky.txt')), false);
});

test('a foreign Origin or Host is refused with 403, even with the token', async () => {
  const origin = await drop('f1', 'evil.txt', 'x', { origin: 'http://evil.example' });
  assert.equal(origin.status, 403);
  const host = await drop('f1', 'evil.txt', 'x', { host: `evil.example:${server.port}` });
  assert.equal(host.status, 403);
  assert.equal(fs.existsSync(path.join(folder, 'evil.txt')), false);
});

test('an unknown folder is 404', async () => {
  const r = await drop('nope', 'a.txt', 'x');
  assert.equal(r.status, 404);
  assert.match(r.body, /No watched folder has the id "nope"/);
  const bad = await drop('..%2f..', 'a.txt', 'x');
  assert.equal(bad.status, 404);
});

test('names that leave the folder or that S3 paths cannot be are refused with 400', async () => {
  const cases: [string, RegExp][] = [
    ['../escape.txt', /'\.\.' segment/],
    ['a/../../escape.txt', /'\.\.' segment/],
    ['/etc/passwd', /absolute path/],
    ['a\\b.txt', /backslash/],
    ['a\u0000b.txt', /NUL/],
    ['C:/Windows/win.ini', /drive letter/],
    ['c:evil.txt', /drive letter/],
    ['a//b.txt', /empty path segment/],
    ['./a.txt', /'\.' segment/],
    ['.rs-tmp-123', /reserved/],
  ];
  for (const [name, message] of cases) {
    const r = await drop('f1', name, 'x');
    assert.equal(r.status, 400, `${JSON.stringify(name)} → ${r.status} ${r.body}`);
    assert.match(r.body, message, name);
  }
  const missing = await request('PUT', '/drop/f1', { headers: { cookie }, body: 'x' });
  assert.equal(missing.status, 400);
  assert.match(missing.body, /\?name=/);
  assert.deepEqual(fs.readdirSync(outside), []);
  assert.equal(fs.existsSync(path.join(path.dirname(folder), 'escape.txt')), false);
});

test('a link inside the folder that leads outside is not followed', async () => {
  fs.symlinkSync(outside, path.join(folder, 'link'));
  const r = await drop('f1', 'link/planted.txt', 'x');
  assert.equal(r.status, 400, r.body);
  assert.match(r.body, /link that leads outside the folder/);
  assert.deepEqual(fs.readdirSync(outside), []);
});

test('a file in the way of a folder of the name is 409', async () => {
  fs.writeFileSync(path.join(folder, 'plain'), 'a file');
  const r = await drop('f1', 'plain/inner.txt', 'x');
  assert.equal(r.status, 409, r.body);
});

test('a body larger than the limit is refused with 413 before it is read', async () => {
  const r = await request('PUT', '/drop/f1?name=huge.iso', {
    headers: { cookie, 'content-length': String(5 * 1024 ** 3 + 1) },
  }).catch((err: Error) => ({ status: -1, headers: {}, body: err.message }));
  assert.equal(r.status, 413, r.body);
  assert.match(r.body, /larger than 5 GiB/);
  assert.equal(fs.existsSync(path.join(folder, 'huge.iso')), false);
});

test('other methods on /drop/ are 405 and say PUT', async () => {
  const r = await request('POST', '/drop/f1?name=a.txt', { headers: { cookie }, body: 'x' });
  assert.equal(r.status, 405);
  assert.equal(r.headers.allow, 'PUT');
  assert.equal((await request('GET', '/drop/f1?name=a.txt', { headers: { cookie } })).status, 405);
});

test('the folder holds exactly the files that were dropped', () => {
  assert.deepEqual(listFiles(folder), [
    'atomic.bin',
    'link',
    'notes (2).md',
    'notes.md',
    'photos/2024/beach.jpg',
    'plain',
    'report.txt',
  ]);
});
