// Screenshots of the web dashboard taken by its end-to-end tests: always written to a temporary directory (printed, so
// a person can look at them), and into docs/ when FIREWATCH_UPDATE_SCREENSHOTS=1 (the README shows those: they are
// regenerated on purpose, never by an ordinary test run).

import { copyFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { REPO_ROOT } from './daemon-process.js';

export const SCREENSHOT_DIRECTORY = join(tmpdir(), 'firewatch-screenshots');

/** `name`-WIDTHxHEIGHT.png; the 1280×800 ones also to docs/dashboard-NAME.png when asked. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const size = page.viewportSize() ?? { width: 0, height: 0 };
  mkdirSync(SCREENSHOT_DIRECTORY, { recursive: true });
  const file = join(SCREENSHOT_DIRECTORY, `${name}-${size.width}x${size.height}.png`);
  await page.screenshot({ path: file });
  if (process.env.FIREWATCH_UPDATE_SCREENSHOTS === '1' && size.width === 1280 && size.height === 800) {
    mkdirSync(join(REPO_ROOT, 'docs'), { recursive: true });
    copyFileSync(file, join(REPO_ROOT, 'docs', `dashboard-${name}.png`));
  }
  return file;
}
