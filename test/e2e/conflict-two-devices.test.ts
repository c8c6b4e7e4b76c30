// Two app instances on two regions edit the same file: the conflict appears in the Conflicts
// view and the tray menu, the user keeps both from the tray menu, and both devices end with
// the same two files. Instance A runs the local regions; instance B uses them through
// --regions-file and watches a folder on A's eu-west-1 bucket, which two-way replication
// pairs with the us-east-1 bucket A's folder syncs with.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startApp, type RunningApp } from '../helpers/app-process.js';
import { launchChromium } from '../helpers/browser.js';
import { tempDir } from '../helpers/temp-dir.js';

let appA: RunningApp | undefined;
let appB: RunningApp | undefined;
let browser: Browser | undefined;
const cleanups: (() => void)[] = [];
let dirA: string;
let dirB: string;

interface RegionsJson {
  adminEndpoint: string;
  adminToken: string;
  regions: { name: string }[];
}

before(async () => {
  const a = tempDir('rs-e2e-conflict-a-');
  const b = tempDir('rs-e2e-conflict-b-');
  cleanups.push(a.cleanup, b.cleanup);
  // The data dirs are data/ of each temp dir; the first-start folders go beside them.
  dirA = path.join(a.dir, 'data');
  dirB = path.join(b.dir, 'data');
  appA = await startApp(['--data-dir', dirA]);
  appB = await startApp([
    '--data-dir',
    dirB,
    '--regions-file',
    path.join(dirA, 'regions', 'regions.json'),
  ]);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await appB?.stop();
  await appA?.stop();
  for (const c of cleanups) c();
});

/** Polls `check` until it returns a value other than undefined/false. */
async function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}

async function setReplicationDelay(regions: RegionsJson, ms: number): Promise<void> {
  for (const r of regions.regions) {
    const res = await fetch(`${regions.adminEndpoint}/faults/${r.name}`, {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${regions.adminToken}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ replicationDelayMs: ms }),
    });
    assert.equal(res.status, 200, `PUT /faults/${r.name}: ${await res.text()}`);
  }
}

/** The folder's files (name → content), without hidden/temporary entries. */
function folderFiles(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of fs.readdirSync(dir).sort()) {
    if (name.startsWith('.')) continue;
    const p = path.join(dir, name);
    if (fs.statSync(p).isFile()) out[name] = fs.readFileSync(p, 'utf8');
  }
  return out;
}

async function openPage(app: RunningApp, errors: string[]): Promise<Page> {
  const page = await browser!.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(app.url);
  return page;
}

async function openView(page: Page, view: 'Folders' | 'Conflicts'): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: view }).click();
  await page.getByRole('heading', { level: 1, name: view }).waitFor();
}

test('two devices edit the same file; the user keeps both from the tray menu', async () => {
  const errors: string[] = [];
  const regions = readJson<RegionsJson>(path.join(dirA, 'regions', 'regions.json'));
  const folderA = path.join(path.dirname(dirA), 'Replica Sync');
  const folderB = path.join(path.dirname(dirB), 'Device B');
  fs.mkdirSync(folderB);

  // A's first start made its buckets; B's watches A's eu-west-1 bucket.
  const pageA = await openPage(appA!, errors);
  await pageA
    .getByRole('list', { name: 'Watched folders' })
    .getByRole('listitem', { name: folderA })
    .waitFor({ timeout: 60_000 });
  const installationId = readJson<{ installationId: string }>(
    path.join(dirA, 'settings.json'),
  ).installationId;
  const short = installationId.replace(/[^a-z0-9]/g, '').slice(0, 8);
  const westBucket = `replica-sync-${short}-eu-west-1`;

  const pageB = await openPage(appB!, errors);
  // B's own first start is done once its default folder is listed.
  await pageB
    .getByRole('list', { name: 'Watched folders' })
    .getByRole('listitem', { name: path.join(path.dirname(dirB), 'Replica Sync') })
    .waitFor({ timeout: 60_000 });
  await openView(pageB, 'Folders');
  const form = pageB.getByRole('form', { name: 'Add folder' });
  await form.getByLabel('Local folder').fill(folderB);
  await form.getByLabel('Bucket').fill(westBucket);
  await form.getByLabel('Region').fill('eu-west-1');
  await form.getByRole('button', { name: 'Add folder' }).click();
  await form.getByText(`Now watching ${folderB}.`).waitFor({ timeout: 30_000 });

  // A file made on A reaches B: A's upload, replication to eu-west-1, B's pull.
  fs.writeFileSync(path.join(folderA, 'plan.txt'), 'first draft\n');
  await waitFor(
    'plan.txt on device B',
    () =>
      fs.existsSync(path.join(folderB, 'plan.txt')) &&
      folderFiles(folderB)['plan.txt'] === 'first draft\n',
    90_000,
  );

  // Slow replication, then both devices change the file at nearly the same time.
  await setReplicationDelay(regions, 4000);
  fs.writeFileSync(path.join(folderA, 'plan.txt'), 'edited on device A\n');
  fs.writeFileSync(path.join(folderB, 'plan.txt'), 'edited on device B\n');

  // A's Conflicts view lists it, and so does A's tray menu.
  await openView(pageA, 'Conflicts');
  await pageA
    .getByRole('list', { name: 'Open conflicts' })
    .getByText('plan.txt')
    .first()
    .waitFor({ timeout: 90_000 });
  const trayButton = pageA.getByRole('button', { name: 'Tray menu' });
  const menu = pageA.getByRole('menu', { name: 'Tray menu' });
  const item = menu.getByRole('menuitem', { name: /^plan\.txt/ });
  await waitFor('plan.txt in the tray menu', async () => {
    if ((await menu.count()) === 0) await trayButton.click();
    return (await item.count()) > 0;
  });
  await item.first().click();
  await menu.getByRole('menuitem', { name: 'Keep both' }).click();

  // Replication back to normal: both folders converge on the same two files.
  await setReplicationDelay(regions, 0);
  const conflictCopy = /^plan \(conflict .+\)\.txt$/;
  const final = await waitFor(
    'the same two files on both devices',
    () => {
      const a = folderFiles(folderA);
      const b = folderFiles(folderB);
      const names = Object.keys(a);
      return names.length === 2 &&
        names.includes('plan.txt') &&
        names.some((n) => conflictCopy.test(n)) &&
        JSON.stringify(a) === JSON.stringify(b)
        ? a
        : undefined;
    },
    90_000,
  ).catch((err: Error) => {
    throw new Error(
      `${err.message}\nA: ${JSON.stringify(folderFiles(folderA))}\nB: ${JSON.stringify(folderFiles(folderB))}`,
    );
  });
  assert.deepEqual(Object.values(final).sort(), ['edited on device A\n', 'edited on device B\n']);

  // No open conflict on either device: each Conflicts view says so.
  for (const page of [pageA, pageB]) {
    await openView(page, 'Conflicts');
    await page.getByText('No conflicts', { exact: true }).waitFor({ timeout: 60_000 });
    assert.equal(
      await page.getByRole('list', { name: 'Open conflicts' }).getByRole('listitem').count(),
      0,
    );
  }
  assert.deepEqual(errors, []);
  await pageA.close();
  await pageB.close();
});
