// Headless Chromium from Debian's package, for the tests that drive a real page (the dashboard,
// a browser client across origins). Tests skip with this message where it is missing.
import fs from 'node:fs'
import type { Test } from 'tap'

export const CHROMIUM = '/usr/bin/chromium'
export const NO_CHROMIUM: string | false = fs.existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing: apt-get install chromium`

/** A browser closed when the test ends. */
export async function launchChromium (t: Test): Promise<import('playwright-core').Browser> {
  const { chromium } = await import('playwright-core')
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] })
  t.teardown(async () => await browser.close())
  return browser
}
