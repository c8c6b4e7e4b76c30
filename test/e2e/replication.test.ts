// Replication end to end in browser mode, with the local regions and no account: the two-way
// wizard pairs the first start's buckets (us-east-1 and eu-west-1); a file dropped into each
// region's folder gets a badge for the other region that goes to Verified; the File details
// panel shows the copy; with "Simulate outage in eu-west-1" on, a new file's badge stays
// Pending, and once the outage is off it completes.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { dropFiles, useAppInBrowser } from '../helpers/e2e.js';

const e2e = useAppInBrowser('rs-e2e-replication-');

const REPLICA_STATES = ['Pending', 'Replicated', 'Verified', 'Failed', 'Missing'] as const;
type ReplicaWord = (typeof REPLICA_STATES)[number];

/** The state the row's badge for `region` shows now, or null while it has none. */
async function badgeState(row: Locator, region: string): Promise<ReplicaWord | null> {
  for (const state of REPLICA_STATES) {
    if ((await row.getByRole('listitem', { name: `${region}: ${state}` }).count()) > 0)
      return state;
  }
  return null;
}

/** Follows a badge until it shows `until`; returns every state it showed on the way. */
async function followBadge(
  row: Locator,
  region: string,
  until: ReplicaWord,
  timeoutMs: number,
): Promise<ReplicaWord[]> {
  const seen: ReplicaWord[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await badgeState(row, region);
    if (state !== null && seen[seen.length - 1] !== state) seen.push(state);
    if (state === until) return seen;
    if (Date.now() > deadline)
      throw new Error(`the ${region} badge never showed ${until}; it showed ${seen.join(' → ')}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

async function open(page: Page, view: 'Folders' | 'Files' | 'Replication'): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: view }).click();
  await page.getByRole('heading', { level: 1, name: view }).waitFor();
}

async function setOutage(page: Page, region: string, down: boolean): Promise<void> {
  await open(page, 'Replication');
  const toggle = page.getByRole('switch', { name: `Simulate outage in ${region}` });
  await toggle.waitFor({ timeout: 30_000 });
  if ((await toggle.getAttribute('aria-checked')) !== String(down)) await toggle.click();
  await page
    .locator(`[role="switch"][aria-checked="${down}"][aria-label="Simulate outage in ${region}"]`)
    .waitFor({ timeout: 15_000 });
}

test('two-way wizard, replica badges to Verified both ways, an outage holds them Pending', async () => {
  const page = await e2e.browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(e2e.app.url);

  // The first start watches Replica Sync (beside the data dir) on the us-east-1 bucket.
  const eastFolder = path.join(e2e.dir, 'Replica Sync');
  const folders = page.getByRole('list', { name: 'Watched folders' });
  const first = folders.getByRole('listitem', { name: eastFolder });
  await first.waitFor({ timeout: 60_000 });
  const east = (await first.locator('dd').first().innerText()).trim();
  assert.match(east, /^replica-sync-.+-us-east-1$/);
  const west = east.replace(/-us-east-1$/, '-eu-west-1');

  // Replication: start from no rules, so the wizard is what pairs the buckets.
  await open(page, 'Replication');
  for (const bucket of [east, west]) {
    const card = page.getByRole('listitem', { name: bucket, exact: true });
    await card.waitFor({ timeout: 60_000 });
    await card.getByText('Versioning enabled').waitFor();
    const removeAll = card.getByRole('button', { name: `Remove all rules of ${bucket}` });
    if ((await removeAll.count()) > 0) {
      await removeAll.click();
      await card.getByRole('button', { name: 'Remove replication' }).click();
      await card.getByText(`Replication of ${bucket} was removed.`).waitFor({ timeout: 30_000 });
    }
    await card.getByText('No replication rule').waitFor();
  }

  await page.getByRole('button', { name: 'Set up two-way replication…' }).click();
  const wizard = page.getByRole('dialog', { name: 'Set up two-way replication' });
  await wizard.getByLabel('Bucket A').selectOption({ label: `${east} (us-east-1)` });
  await wizard.getByLabel('Bucket B').selectOption({ label: `${west} (eu-west-1)` });
  await wizard.getByRole('button', { name: 'Preview' }).click();
  const steps = wizard.getByRole('list', { name: 'Steps' });
  await steps.waitFor({ timeout: 30_000 });
  assert.ok((await steps.getByRole('listitem').count()) > 0, 'the preview lists its steps');
  await wizard.getByText('Local regions need no IAM role').waitFor();
  const create = wizard.getByRole('button', { name: 'Create two-way replication' });
  assert.equal(await create.isEnabled(), true, 'no check blocks the pair');
  await create.click();
  await wizard
    .getByText(/^Two-way replication between .* is set up\.$/)
    .waitFor({ timeout: 30_000 });
  await wizard.getByRole('button', { name: 'Done' }).click();
  await page
    .getByRole('region', { name: `Rules of ${east}` })
    .getByText(west)
    .first()
    .waitFor();
  await page
    .getByRole('region', { name: `Rules of ${west}` })
    .getByText(east)
    .first()
    .waitFor();

  // The simulator says where a key goes from the east bucket.
  const eastCard = page.getByRole('listitem', { name: east, exact: true });
  await eastCard.getByText('Simulate a key').click();
  const simulator = page.getByRole('form', { name: `Simulate the rules of ${east}` });
  await simulator.getByLabel('Key').fill('notes/today.txt');
  await simulator.getByRole('button', { name: 'Simulate' }).click();
  await simulator.getByRole('rowheader', { name: `${west} (eu-west-1)` }).waitFor();

  // A second folder on the eu-west-1 bucket, under its own prefix.
  const westFolder = path.join(e2e.dir, 'West');
  fs.mkdirSync(westFolder);
  await open(page, 'Folders');
  const form = page.getByRole('form', { name: 'Add folder' });
  await form.getByLabel('Local folder').fill(westFolder);
  await form.getByLabel('Bucket').fill(west);
  await form.getByLabel('Key prefix').fill('west/');
  await form.getByLabel('Region').fill('eu-west-1');
  await form.getByRole('button', { name: 'Add folder' }).click();
  await form.getByText(`Now watching ${westFolder}.`).waitFor({ timeout: 30_000 });

  // A file in each region's folder: each gets a badge for the other region, up to Verified.
  await open(page, 'Files');
  const table = page.getByRole('table', { name: 'Files' });
  const filter = page.getByLabel('Folder');
  await filter.selectOption({ label: eastFolder });
  await dropFiles(page, { 'east.txt': 'written in us-east-1\n' });
  const eastRow = table.getByRole('row', { name: /east\.txt/ });
  // Followed from the drop on: the badge appears once the upload has a version.
  const eastSeen = await followBadge(eastRow, 'eu-west-1', 'Verified', 120_000);
  await eastRow.getByText('Synced', { exact: true }).waitFor({ timeout: 30_000 });
  assert.ok(
    eastSeen.every((s) => s === 'Pending' || s === 'Replicated' || s === 'Verified'),
    `east.txt's replica never failed: ${eastSeen.join(' → ')}`,
  );

  await filter.selectOption({ label: westFolder });
  await dropFiles(page, { 'west.txt': 'written in eu-west-1\n' });
  const westRow = table.getByRole('row', { name: /west\.txt/ });
  // Followed from the drop on: the badge appears once the upload has a version.
  const westSeen = await followBadge(westRow, 'us-east-1', 'Verified', 120_000);
  await westRow.getByText('Synced', { exact: true }).waitFor({ timeout: 30_000 });
  assert.ok(
    westSeen.every((s) => s === 'Pending' || s === 'Replicated' || s === 'Verified'),
    `west.txt's replica never failed: ${westSeen.join(' → ')}`,
  );

  // The File details panel: the version and the verified copy with its latency.
  await filter.selectOption({ label: eastFolder });
  await eastRow.click();
  const details = page.getByRole('complementary', { name: 'File details' });
  await details.getByRole('heading', { name: 'east.txt' }).waitFor();
  await details.getByText('The copy has the same version id and checksum.').waitFor({
    timeout: 30_000,
  });
  const versionId = (await details.locator('dt:text-is("Version id") + dd').innerText()).trim();
  assert.ok(versionId.length > 3, `a version id: ${versionId}`);
  const latency = (await details.locator('dt:text-is("Latency") + dd').innerText()).trim();
  assert.notEqual(latency, '—', 'the latency was measured');
  await details.getByRole('button', { name: 'Close details' }).click();
  assert.equal(await details.count(), 0);

  // An outage in eu-west-1: a new file is synced to us-east-1 and its replica waits.
  await setOutage(page, 'eu-west-1', true);
  await open(page, 'Files');
  await filter.selectOption({ label: eastFolder });
  await dropFiles(page, { 'outage.txt': 'written while eu-west-1 is down\n' });
  const outageRow = table.getByRole('row', { name: /outage\.txt/ });
  await outageRow.getByText('Synced', { exact: true }).waitFor({ timeout: 90_000 });
  await followBadge(outageRow, 'eu-west-1', 'Pending', 60_000);
  for (let i = 0; i < 12; i++) {
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(
      await badgeState(outageRow, 'eu-west-1'),
      'Pending',
      'the replica stays pending while the region is down',
    );
  }

  // The outage ends: the copy completes.
  await setOutage(page, 'eu-west-1', false);
  await open(page, 'Files');
  await filter.selectOption({ label: eastFolder });
  await followBadge(outageRow, 'eu-west-1', 'Verified', 180_000);

  // The rule statistics count the verified copies and draw their latencies.
  await open(page, 'Replication');
  const stats = page.getByRole('listitem', { name: east, exact: true });
  await stats
    .getByRole('img', { name: /^Latency histogram of .+: \d+ cop(y|ies)/ })
    .first()
    .waitFor({ timeout: 30_000 });

  assert.deepEqual(errors, []);
  await page.close();
});
