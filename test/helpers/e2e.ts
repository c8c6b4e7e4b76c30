// What the end-to-end tests share: one app started as a user would (npm start, browser mode
// here) and Debian's Chromium, for the whole file; and a file drop as a file manager does it.
import path from 'node:path';
import { after, before } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startApp, type RunningApp } from './app-process.js';
import { launchChromium } from './browser.js';
import { tempDir } from './temp-dir.js';

export interface AppInBrowser {
  readonly app: RunningApp;
  readonly browser: Browser;
  readonly dataDir: string;
  /** The test's temp dir: the data dir is its data/, the first-start folder its Replica Sync/. */
  readonly dir: string;
}

/** Starts the app on a fresh data dir and a browser before the file's tests; stops both after. */
export function useAppInBrowser(prefix: string, extraArgs: string[] = []): AppInBrowser {
  let app: RunningApp | undefined;
  let browser: Browser | undefined;
  let dir: { dir: string; cleanup: () => void } | undefined;
  before(async () => {
    dir = tempDir(prefix);
    app = await startApp(['--data-dir', path.join(dir.dir, 'data'), ...extraArgs]);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
    dir?.cleanup();
  });
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is not started yet (use it inside a test)`);
    return value;
  };
  return {
    get app() {
      return started(app, 'the app');
    },
    get browser() {
      return started(browser, 'the browser');
    },
    get dataDir() {
      return path.join(started(dir, 'the data dir').dir, 'data');
    },
    get dir() {
      return started(dir, 'the temp dir').dir;
    },
  };
}

/** Drops files (name → content) on the page the way a file manager's drag ends. */
export async function dropFiles(page: Page, files: Record<string, string>): Promise<void> {
  const dataTransfer = await page.evaluateHandle((entries) => {
    // Runs in the page, where DataTransfer exists (this file is typed for Node).
    const page = globalThis as unknown as {
      DataTransfer: new () => { items: { add(file: File): void } };
    };
    const dt = new page.DataTransfer();
    for (const [name, content] of entries) dt.items.add(new File([content], name));
    return dt;
  }, Object.entries(files));
  await page.dispatchEvent('body', 'dragenter', { dataTransfer });
  await page.dispatchEvent('body', 'drop', { dataTransfer });
  await dataTransfer.dispose();
}
