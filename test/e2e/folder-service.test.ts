// The folder card says, in words, what its service was measured to honour (the capability
// probe of the first-start folder on the local regions), in Debian's Chromium.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { useAppInBrowser } from '../helpers/e2e.js';

const e2e = useAppInBrowser('rs-e2e-service-');

test('the folder card shows what the local regions honour, measured by the probe', async () => {
  const page = await e2e.browser.newPage();
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.goto(e2e.app.url);
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Folders' })
    .click();
  await page.getByRole('heading', { level: 1, name: 'Folders' }).waitFor();
  const details = page.getByText('What this service honours');
  await details.click();
  const list = page.getByRole('list', { name: /What the service of .* honours/ });
  await list.waitFor();
  const lines = await list.getByRole('listitem').allInnerTexts();
  assert.ok(
    lines.some((l) => /^Conditional writes: honoured/.test(l)),
    `the conditional-write finding is shown: ${lines.join(' | ')}`,
  );
  assert.ok(
    lines.some((l) => /CRC64NVME/.test(l)),
    `the verified checksums are named: ${lines.join(' | ')}`,
  );
  await page.getByText(/Measured .* on scratch keys under \.replica-sync\//).waitFor();
  const shots = path.join(os.tmpdir(), 'replica-sync-e2e');
  fs.mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: path.join(shots, 'folder-service.png'), fullPage: true });
  await page.close();
});
