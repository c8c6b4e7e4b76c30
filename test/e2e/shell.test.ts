// Starts the app as a user would (npm start, no display here, so browser mode), then drives
// Debian's Chromium through the shell.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { startApp } from '../helpers/app-process.js';
import { useAppInBrowser } from '../helpers/e2e.js';
import { tempDir } from '../helpers/temp-dir.js';

const e2e = useAppInBrowser('rs-e2e-');

test('npm start says in one line why Electron cannot start, then runs browser mode', () => {
  assert.match(e2e.app.output(), /^Electron cannot start: .+; running browser mode\.$/m);
  assert.match(
    e2e.app.output(),
    /^Replica Sync running at http:\/\/127\.0\.0\.1:\d+\/\?token=\S+$/m,
  );
});

test('the shell: navigation, status bar fed by events, and the tray menu header', async () => {
  const page = await e2e.browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(e2e.app.url);
  const status = page.getByRole('contentinfo', { name: 'Status bar' });
  await status.getByText('Browser mode').waitFor();
  await page.getByRole('status').getByText('Up to date').waitFor();

  const nav = page.getByRole('navigation', { name: 'Main' });
  for (const view of ['Folders', 'Files', 'Replication', 'Conflicts', 'Activity', 'Settings']) {
    await nav.getByRole('link', { name: view }).click();
    await page.getByRole('heading', { level: 1, name: view }).waitFor();
    assert.equal(await nav.getByRole('link', { name: view }).getAttribute('aria-current'), 'page');
  }

  await nav.getByRole('link', { name: 'Activity' }).click();
  await page
    .getByRole('list', { name: 'Activity log' })
    .getByText(/started in browser mode/)
    .waitFor();

  // The tray menu model, rendered in the header; pausing reaches the status bar by event.
  const trayButton = page.getByRole('button', { name: 'Tray menu' });
  await trayButton.click();
  const menu = page.getByRole('menu', { name: 'Tray menu' });
  await menu.getByRole('menuitem', { name: 'Pause syncing' }).click();
  await page.getByRole('status').getByText('Paused').waitFor();
  assert.equal(await trayButton.getAttribute('data-icon'), 'paused');
  await trayButton.click();
  await menu.getByRole('menuitem', { name: 'Resume syncing' }).click();
  await page.getByRole('status').getByText('Up to date').waitFor();
  await page.getByRole('list', { name: 'Activity log' }).getByText('Syncing resumed').waitFor();

  // Settings round-trip through the contract, with the server's validation.
  await nav.getByRole('link', { name: 'Settings' }).click();
  await page.getByLabel('Device name').fill('E2E box');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByText('Settings saved.').waitFor();
  await status.getByText('E2E box').waitFor();

  // The token left the address bar, and a reload still works.
  assert.doesNotMatch(page.url(), /token=/);
  await page.reload();
  await page.getByRole('status').getByText('Up to date').waitFor();
  assert.deepEqual(errors, []);
  await page.close();
});

test('requests without the token are refused', async () => {
  const page = await e2e.browser.newPage();
  const res = await page.goto(e2e.app.origin + '/');
  assert.equal(res?.status(), 401);
  const ws = await page.evaluate(
    (origin) =>
      new Promise<string>((resolve) => {
        const s = new WebSocket(origin.replace('http', 'ws') + '/ws');
        s.onopen = () => resolve('open');
        s.onerror = () => resolve('refused');
      }),
    e2e.app.origin,
  );
  assert.equal(ws, 'refused');
  await page.close();
  const direct = await fetch(e2e.app.origin + '/');
  assert.equal(direct.status, 401);
});

test('a second instance with another data dir runs side by side; the same data dir is refused', async () => {
  const t = tempDir('rs-e2e-second-');
  try {
    const second = await startApp(['--data-dir', path.join(t.dir, 'data')]);
    try {
      assert.notEqual(new URL(second.url).port, new URL(e2e.app.url).port);
      const res = await fetch(second.url);
      assert.equal(res.status, 200);
      await assert.rejects(
        startApp(['--data-dir', path.join(t.dir, 'data')], 60_000),
        /already running with data dir/,
      );
    } finally {
      await second.stop();
    }
  } finally {
    t.cleanup();
  }
});

test('the app runs the local regions under DIR/regions and shows them', async () => {
  const page = await e2e.browser.newPage();
  await page.goto(e2e.app.url);
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Settings' })
    .click();
  const list = page.getByRole('list', { name: 'Local regions' });
  await list.getByText('us-east-1').waitFor();
  await list.getByText('eu-west-1').waitFor();
  const endpoints = (await list.innerText()).match(/http:\/\/127\.0\.0\.1:\d+/g) ?? [];
  assert.equal(endpoints.length, 2);
  const file = path.join(e2e.dataDir, 'regions', 'regions.json');
  assert.equal((fs.statSync(file).mode & 0o777).toString(8), '600');
  const written = JSON.parse(fs.readFileSync(file, 'utf8')) as { regions: { endpoint: string }[] };
  assert.deepEqual(written.regions.map((r) => r.endpoint).sort(), [...endpoints].sort());
  // A real S3 endpoint: unsigned requests are refused with S3's error XML.
  const res = await fetch(endpoints[0] + '/');
  assert.equal(res.status, 403);
  assert.match(await res.text(), /<Code>AccessDenied<\/Code>/);
  await page.close();
});
