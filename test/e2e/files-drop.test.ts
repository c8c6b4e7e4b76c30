// The whole flow in browser mode: add a folder in the Folders view, drop two files on the
// window, see them copied into the folder and then 'Synced' in the Files view; a drop with
// several folders and no filter asks which folder.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { dropFiles, useAppInBrowser } from '../helpers/e2e.js';

const e2e = useAppInBrowser('rs-e2e-drop-');

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

test('add a folder, drop two files on the window, see them synced', async () => {
  const page = await e2e.browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(e2e.app.url);

  // The first start watches Replica Sync beside the data dir; its bucket is reused under a prefix.
  const firstPath = path.join(e2e.dir, 'Replica Sync');
  const folders = page.getByRole('list', { name: 'Watched folders' });
  const first = folders.getByRole('listitem', { name: firstPath });
  await first.waitFor({ timeout: 60_000 });
  const bucket = (await first.locator('dd').first().innerText()).trim();
  assert.match(bucket, /^replica-sync-/);

  const second = path.join(e2e.dir, 'Dropped');
  const form = page.getByRole('form', { name: 'Add folder' });
  await form.getByLabel('Local folder').fill(second);
  await form.getByLabel('Bucket').fill(bucket);
  await form.getByLabel('Key prefix').fill('dropped/');
  await form.getByRole('button', { name: 'Add folder' }).click();
  // It does not exist yet: nothing is made until the user says so.
  await form.getByText(`${second} does not exist: choose Create it`).waitFor({ timeout: 30_000 });
  assert.equal(fs.existsSync(second), false);
  await form.getByRole('button', { name: 'Create it' }).click();
  await form.getByText(`Now watching ${second}.`).waitFor({ timeout: 30_000 });
  const card = folders.getByRole('listitem', { name: second });
  await card.waitFor();
  await card.getByText('dropped/').waitFor();

  // The Files view filtered to the new folder: dropped files go there without asking.
  const nav = page.getByRole('navigation', { name: 'Main' });
  await nav.getByRole('link', { name: 'Files' }).click();
  await page.getByRole('heading', { level: 1, name: 'Files' }).waitFor();
  await page.getByLabel('Folder').selectOption({ label: second });

  const report = 'Quarterly numbers: 42\n';
  const notes = 'x'.repeat(200_000);
  await dropFiles(page, { 'report.txt': report, 'notes.md': notes });

  const notices = page.getByRole('log', { name: 'Notifications' });
  await notices.getByText(`Copied report.txt into ${second}`).waitFor({ timeout: 30_000 });
  await notices.getByText(`Copied notes.md into ${second}`).waitFor({ timeout: 30_000 });
  assert.equal(fs.readFileSync(path.join(second, 'report.txt'), 'utf8'), report);
  assert.equal(fs.readFileSync(path.join(second, 'notes.md'), 'utf8'), notes);

  const table = page.getByRole('table', { name: 'Files' });
  for (const name of [/report\.txt/, /notes\.md/]) {
    await table
      .getByRole('row', { name })
      .getByText('Synced', { exact: true })
      .waitFor({ timeout: 90_000 });
  }
  await page.getByText('2 files', { exact: true }).waitFor();
  // The version column shows the start of a version id, the whole id on hover.
  const version = table
    .getByRole('row', { name: /report\.txt/ })
    .getByRole('cell')
    .nth(3);
  const full = await version.getAttribute('title');
  assert.ok(full && full.length > 3, `a version id: ${full}`);
  assert.ok(full.startsWith((await version.innerText()).replace('…', '')));

  // The search box narrows the list.
  await page.getByLabel('Search').fill('report');
  await page.getByText('1 file', { exact: true }).waitFor();
  await table.getByRole('row', { name: /report\.txt/ }).waitFor();
  assert.equal(await table.getByRole('row', { name: /notes\.md/ }).count(), 0);

  // Two folders and no filter: the drop asks which folder.
  await nav.getByRole('link', { name: 'Folders' }).click();
  await dropFiles(page, { 'later.txt': 'later' });
  const chooser = page.getByRole('dialog', { name: 'Copy later.txt into which folder?' });
  await chooser.waitFor();
  await chooser.getByRole('button', { name: new RegExp(`^${escapeRegExp(second)}`) }).click();
  await notices.getByText(`Copied later.txt into ${second}`).waitFor({ timeout: 30_000 });
  assert.equal(fs.readFileSync(path.join(second, 'later.txt'), 'utf8'), 'later');
  assert.equal(fs.existsSync(path.join(firstPath, 'later.txt')), false);

  // The folder's counts follow the files; the page loaded without errors (CSP included).
  await card.getByText(/3 files: 3 synced/).waitFor({ timeout: 90_000 });
  assert.deepEqual(errors, []);
  await page.close();
});
