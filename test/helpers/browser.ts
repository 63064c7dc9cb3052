import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';

/** Debian's Chromium (`.ci/chromium.sh` installs it); a browser is never downloaded. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Launches headless Chromium (Playwright gives each launch a fresh temporary profile), or says why
 * it cannot, for the caller to skip with that reason. The flags keep it off the network: without
 * them it tries to reach Google's services at start and floods a closed network with refusals.
 */
export async function launchChromium(): Promise<Browser | string> {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} is missing (run .ci/chromium.sh to install Debian's chromium)`;
  const { chromium } = await import('playwright-core');
  try {
    return await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  } catch (error) {
    return `chromium did not start: ${(error as Error).message.split('\n')[0]}`;
  }
}
