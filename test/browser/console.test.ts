import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { formatCount, formatDuration, formatUsd } from '../../web/src/format.ts';
import { launchChromium } from '../helpers/browser.ts';
import { startGateway, type TestGateway } from '../helpers/gateway.ts';
import { startMockAnthropic } from '../helpers/mock-anthropic.ts';
import { startMockOpenAI, type MockUpstream } from '../helpers/mock-openai.ts';
import { newRecordId, type UsageRecord } from '../../src/ledger/record.ts';
import { SqliteStore } from '../../src/ledger/sqlite-store.ts';

/**
 * The console in a real headless Chromium against a running llmux: mock upstream, a ledger seeded
 * by real requests, the real admin API. Also saves the screenshots the README shows.
 */

const ADMIN = 'llmux-admin-browser-test-0123456789';
const TEAM_A = 'sk-team-a-browser-0123456789';
const TEAM_B = 'sk-team-b-browser-0123456789';
/**
 * The README's screenshots: every run takes them, and `LLMUX_SCREENSHOTS=1` writes them into
 * docs/screenshots (to commit); other runs keep them in a temporary folder, so running the tests
 * never leaves the work tree changed.
 */
const SHOTS = process.env['LLMUX_SCREENSHOTS'] === '1' ? new URL('../../docs/screenshots/', import.meta.url).pathname : mkdtempSync(join(tmpdir(), 'llmux-screenshots-'));

const HOUR = 3_600_000;
const HISTORY_MODELS: Array<[string, string, number]> = [
  ['gpt-4o', 'mock', 10],
  ['gpt-4o-mini', 'mock', 0.6],
  ['claude-sonnet-4', 'claude', 15],
];
const HISTORY_KEYS = ['team-a', 'team-b', 'team-a', 'ci-bot'];

/**
 * A week of earlier traffic written straight into the ledger file, oldest first, as the gateway's
 * flushes would have: the charts and screenshots then show days, not one busy minute. It ends an
 * hour ago, so the requests the tests send are told apart by time.
 */
function history(now: number): UsageRecord[] {
  const out: UsageRecord[] = [];
  const start = now - 7 * 24 * HOUR;
  let i = 0;
  for (let t = start; t < now - HOUR; i++) {
    const hour = new Date(t).getUTCHours();
    // Busier in the working day, quieter at night.
    t += (hour >= 8 && hour < 19 ? 4 : 12) * 60_000 + ((i * 7919) % 60_000);
    const [model, provider, pricePerM] = HISTORY_MODELS[(i * 5) % 3] ?? ['gpt-4o', 'mock', 10];
    const status = i % 53 === 0 ? 502 : i % 71 === 0 ? 429 : 200;
    const prompt = status === 200 ? 300 + ((i * 131) % 2400) : 0;
    const completion = status === 200 ? 40 + ((i * 17) % 600) : 0;
    out.push({
      id: newRecordId(t),
      time: t,
      request_id: `history-${i}`,
      key: HISTORY_KEYS[i % HISTORY_KEYS.length] ?? 'team-a',
      client_protocol: ['openai', 'anthropic', 'openai', 'gemini', 'responses'][i % 5] ?? 'openai',
      route: '/v1/chat/completions',
      model,
      provider,
      upstream_model: model,
      status,
      error_type: status === 200 ? null : status === 429 ? 'rate_limited' : 'upstream_error',
      stream: i % 3 !== 0,
      attempts: status === 502 ? 3 : 1,
      prompt_tokens: prompt,
      completion_tokens: completion,
      cached_tokens: i % 4 === 0 ? Math.floor(prompt / 2) : 0,
      reasoning_tokens: 0,
      cost_usd: ((prompt + 4 * completion) * pricePerM) / 1e6 / 3,
      priced: true,
      duration_ms: 350 + ((i * 389) % 2600) + (hour >= 14 && hour < 17 ? 900 : 0),
      ttfb_ms: 120 + ((i * 61) % 500),
      overhead_ms: 0.3 + ((i * 7) % 5) / 10,
    });
  }
  return out;
}

interface Totals {
  requests: number;
  errors: number;
  prompt_tokens: number;
  completion_tokens: number;
  cost_usd: number;
  p50_ms: number | null;
  p95_ms: number | null;
}

/** Polls a condition in the test (the page's CSP forbids the string functions of waitForFunction). */
async function until(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    assert.ok(Date.now() < end, 'timed out waiting for the page');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const rowTexts = (page: Page): Promise<string[]> => page.locator('[data-testid=requests-table] tbody tr').allTextContents();

describe('web console in Chromium', () => {
  let browser: Browser | string;
  let mock: MockUpstream;
  let claude: MockUpstream;
  let gw: TestGateway;
  let dir: string;
  let seeded = 0;
  let historyCount = 0;
  const startedAt = Date.now();
  const pageProblems = new WeakMap<Page, string[]>();

  const admin = async (path: string): Promise<Record<string, unknown>> => {
    const res = await fetch(`${gw.url}/admin${path}`, { headers: { authorization: `Bearer ${ADMIN}` } });
    assert.equal(res.status, 200, `${path}: ${res.status}`);
    return (await res.json()) as Record<string, unknown>;
  };
  const chat = (key: string | undefined, model: string, requestId?: string): Promise<Response> =>
    fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key === undefined ? {} : { authorization: `Bearer ${key}` }), ...(requestId === undefined ? {} : { 'x-request-id': requestId }) },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
    });
  /** Waits until the ledger holds the `n` records this run sent (it writes in batches, off the request path). */
  const recorded = async (n: number): Promise<void> => {
    const until = Date.now() + 10_000;
    for (;;) {
      const body = await admin(`/usage?from=${new Date(startedAt).toISOString()}`);
      const got = (body['totals'] as Totals).requests;
      if (got >= n) return;
      assert.ok(Date.now() < until, `ledger has ${got} of ${n} records`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  before(async () => {
    browser = await launchChromium();
    mock = await startMockOpenAI({ name: 'mock', models: ['gpt-4o', 'gpt-4o-mini', 'fail-500'] });
    claude = await startMockAnthropic({ name: 'claude', models: ['claude-sonnet-4'] });
    dir = mkdtempSync(join(tmpdir(), 'llmux-console-'));
    const store = new SqliteStore(join(dir, 'usage.db'));
    await store.open();
    const past = history(startedAt);
    await store.insert(past);
    await store.close();
    historyCount = past.length;
    gw = await startGateway({
      providers: [
        { name: 'mock', type: 'openai', base_url: `${mock.url}/v1`, api_key: 'sk-upstream', models: ['gpt-4o', 'gpt-4o-mini', 'fail-500'], weight: 3 },
        { name: 'claude', type: 'anthropic', base_url: claude.url, api_key: 'sk-ant-upstream', models: ['claude-sonnet-4'] },
      ],
      routing: { aliases: { smart: ['claude/claude-sonnet-4', { target: 'mock/gpt-4o', weight: 2 }] }, fallbacks: { 'gpt-4o': ['claude-sonnet-4'] } },
      auth: {
        api_keys: [
          { key: TEAM_A, name: 'team-a', budget: { usd: 5, period: 'month' } },
          { key: TEAM_B, name: 'team-b', rpm: 600 },
        ],
      },
      usage: { store: 'sqlite', path: join(dir, 'usage.db'), flush_interval: '100ms' },
      admin: { api_keys: [ADMIN] },
      health_check: { enabled: false },
    });
    // The seed: successes on two keys and two models, upstream failures, and refusals.
    const seeds: Array<[string | undefined, string]> = [
      ...Array.from({ length: 6 }, (): [string, string] => [TEAM_A, 'gpt-4o']),
      ...Array.from({ length: 4 }, (): [string, string] => [TEAM_B, 'gpt-4o-mini']),
      [TEAM_A, 'claude-sonnet-4'],
      [TEAM_B, 'smart'],
      [TEAM_A, 'fail-500'],
      [TEAM_B, 'fail-500'],
      [TEAM_A, 'no-such-model'],
      [undefined, 'gpt-4o'],
    ];
    for (const [key, model] of seeds) await (await chat(key, model)).arrayBuffer();
    seeded = seeds.length;
    await recorded(seeded);
    mkdirSync(SHOTS, { recursive: true });
  });
  after(async () => {
    if (typeof browser !== 'string') await browser.close();
    await gw.close();
    await mock.close();
    await claude.close();
    rmSync(dir, { recursive: true, force: true });
    if (process.env['LLMUX_SCREENSHOTS'] !== '1') rmSync(SHOTS, { recursive: true, force: true });
  });

  const open = async (width: number, scheme: 'light' | 'dark' = 'light'): Promise<Page> => {
    assert.ok(typeof browser !== 'string');
    const context = await browser.newContext({ viewport: { width, height: width < 500 ? 844 : 900 }, colorScheme: scheme, acceptDownloads: true });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => {
      // A refused key shows up as a failed load of the admin call; anything else is a bug.
      if (m.type() === 'error' && !/status of 40[13]/.test(m.text())) problems.push(m.text());
    });
    pageProblems.set(page, problems);
    return page;
  };
  /** Closes a page, failing the test if it logged an error or threw. */
  const done = async (page: Page): Promise<void> => {
    const problems = pageProblems.get(page) ?? [];
    await page.context().close();
    assert.deepEqual(problems, [], 'the page logged errors');
  };
  const login = async (page: Page, key = ADMIN): Promise<void> => {
    await page.goto(`${gw.url}/dashboard`);
    await page.fill('#admin-key', key);
    await page.click('form button[type=submit]');
  };
  const shot = (page: Page, name: string): Promise<Buffer> => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: false });

  test('a wrong admin key is refused, and no page opens', async (t) => {
    if (typeof browser === 'string') return t.skip(browser);
    const page = await open(1280);
    await login(page, 'not-the-admin-key');
    await page.waitForSelector('[data-testid=login-error]');
    assert.match((await page.textContent('[data-testid=login-error]')) ?? '', /refused/);
    assert.equal(await page.$('nav[aria-label=Pages]'), null);
    assert.equal(await page.evaluate<string | null>(`sessionStorage.getItem('llmux.adminKey')`), null);
    await done(page);
  });

  test('Overview: the tiles show what /admin/usage says, and the page paints fast', async (t) => {
    if (typeof browser === 'string') return t.skip(browser);
    const page = await open(1280);
    await login(page);
    await page.waitForSelector('[data-testid=stat-requests]');
    const totals = (await admin('/usage?from=24h'))['totals'] as Totals;
    const lastDay = history(startedAt).filter((r) => r.time >= Date.now() - 24 * HOUR).length;
    assert.ok(totals.requests >= seeded + lastDay - 5 && totals.requests <= seeded + lastDay, `${totals.requests} requests in the last day`);
    const tile = async (id: string): Promise<{ text: string; raw: string }> => ({
      text: ((await page.textContent(`[data-testid=${id}] .stat-value`)) ?? '').trim(),
      raw: (await page.getAttribute(`[data-testid=${id}]`, 'data-value')) ?? '',
    });
    const week = (await admin('/usage?from=8d'))['totals'] as Totals;
    assert.equal(week.requests, historyCount + seeded);
    assert.deepEqual(await tile('stat-requests'), { text: formatCount(totals.requests), raw: String(totals.requests) });
    assert.equal((await tile('stat-errors')).raw, String(totals.errors));
    assert.ok(totals.errors >= 4, `${totals.errors} errors: at least two upstream failures, an unknown model, a missing key`);
    assert.deepEqual(await tile('stat-tokens'), { text: formatCount(totals.prompt_tokens + totals.completion_tokens), raw: String(totals.prompt_tokens + totals.completion_tokens) });
    assert.deepEqual(await tile('stat-cost'), { text: formatUsd(totals.cost_usd), raw: String(totals.cost_usd) });
    assert.deepEqual(await tile('stat-p50'), { text: formatDuration(totals.p50_ms), raw: totals.p50_ms === null ? '' : String(totals.p50_ms) });
    assert.deepEqual(await tile('stat-p95'), { text: formatDuration(totals.p95_ms), raw: totals.p95_ms === null ? '' : String(totals.p95_ms) });
    // The top tables agree with the grouped usage.
    const byModel = (await admin('/usage?from=24h&group_by=model'))['rows'] as Array<{ model: string; requests: number }>;
    const gpt4o = byModel.find((r) => r.model === 'gpt-4o');
    assert.ok(gpt4o !== undefined);
    const cell = await page.textContent('[data-testid=top-model] tr:has(td.name:text-is("gpt-4o")) td.num');
    assert.equal(cell?.trim(), formatCount(gpt4o.requests));
    assert.equal(await page.locator('.chart canvas').count(), 5);
    await page.waitForTimeout(300);
    await shot(page, 'overview-1280');

    // Reloads with the key kept for the tab: from navigation to the numbers on screen, best of three
    // (the budget is the page's, not the scheduling noise of a shared machine).
    const runs: Array<[number, number]> = [];
    for (let i = 0; i < 3; i++) {
      await page.reload();
      await page.waitForSelector('[data-testid=stat-requests] .stat-value');
      runs.push(
        await page.evaluate<[number, number]>(`[performance.getEntriesByName('llmux:overview-data')[0]?.startTime ?? -1, performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1]`),
      );
    }
    const paintedMs = Math.min(...runs.map((r) => r[0]));
    t.diagnostic(`overview numbers rendered ${runs.map((r) => Math.round(r[0])).join(', ')} ms after navigation (first contentful paint ${runs.map((r) => Math.round(r[1])).join(', ')} ms)`);
    // The budget is 300 ms (about 175 ms measured here); the bound leaves room for a machine busy
    // with other test files, so that only a real regression fails.
    assert.ok(paintedMs > 0 && paintedMs < 600, `${paintedMs} ms`);
    await done(page);
  });

  test('Requests: a new request appears live, older pages load by cursor, filters narrow the table, CSV exports every match', async (t) => {
    if (typeof browser === 'string') return t.skip(browser);
    const page = await open(1280);
    await login(page);
    await page.click('nav a[href="#/requests"]');
    await page.waitForSelector('[data-testid=requests-table] tbody tr');
    // One page of 100, newest first: this run's requests on top, then the history.
    assert.equal(await page.locator('[data-testid=requests-table] tbody tr').count(), 100);
    assert.ok((await rowTexts(page)).slice(0, 8).some((text) => text.includes('smart')), `this run's requests come first: ${(await rowTexts(page)).slice(0, 8).join(' | ')}`);
    await page.waitForSelector('[data-testid=live-status][data-status=live]');

    const res = await chat(TEAM_B, 'gpt-4o-mini', 'live-row-1');
    assert.equal(res.status, 200);
    await page.waitForSelector('tr[data-request-id="live-row-1"]', { timeout: 10_000 });
    seeded++;
    assert.match((await page.textContent('tr[data-request-id="live-row-1"]')) ?? '', /team-b.*gpt-4o-mini.*200/);
    await shot(page, 'requests-1280');

    // Older pages come by cursor: the next hundred are the admin API's page before the last row.
    const firstPage = await page.locator('[data-testid=requests-table] tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-id')));
    await page.click('[data-testid=load-older]');
    await until(async () => (await page.locator('[data-testid=requests-table] tbody tr').count()) >= 200);
    const twoPages = await page.locator('[data-testid=requests-table] tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-id')));
    const older = (await admin(`/requests?before=${firstPage[firstPage.length - 1]}`))['data'] as Array<{ id: string }>;
    assert.deepEqual(twoPages.slice(firstPage.length), older.map((r) => r.id));

    await page.fill('input[name=model]', 'gpt-4o-mini');
    await page.click('form.filters button[type=submit]');
    await until(async () => (await rowTexts(page)).every((text) => text.includes('gpt-4o-mini')));
    const filtered = (await admin('/requests?model=gpt-4o-mini'))['data'] as Array<{ id: string }>;
    const shown = await page.locator('[data-testid=requests-table] tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-id')));
    assert.deepEqual(shown, filtered.map((r) => r.id));

    // The export holds every matching record, not only the page on screen.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-csv]')]);
    const csv = readFileSync(await download.path(), 'utf8').trim().split(/\r?\n/);
    assert.match(csv[0] ?? '', /\bmodel\b/);
    const all = ((await admin('/usage?from=30d&group_by=model'))['rows'] as Array<{ model: string; requests: number }>).find((r) => r.model === 'gpt-4o-mini');
    assert.equal(csv.length - 1, all?.requests);
    assert.ok(csv.slice(1).every((line) => line.includes(',gpt-4o-mini,')));

    await page.fill('input[name=model]', '');
    await page.fill('input[name=status]', 'error');
    await page.click('form.filters button[type=submit]');
    await until(async () => (await page.locator('[data-testid=requests-table] tbody .status').allTextContents()).every((text) => Number(text) >= 400));
    const errors = (await admin('/requests?status=error'))['data'] as Array<{ id: string }>;
    const errorRows = await page.locator('[data-testid=requests-table] tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-id')));
    assert.deepEqual(errorRows, errors.map((r) => r.id));
    await done(page);
  });

  test('Keys: create a virtual key, see its secret once, use it, change its limits, revoke it (then it gets 401)', async (t) => {
    if (typeof browser === 'string') return t.skip(browser);
    const page = await open(1280);
    await login(page);
    await page.click('nav a[href="#/keys"]');
    await page.waitForSelector('[data-testid=keys-table] tr[data-key-name=team-a]');
    await page.click('[data-testid=new-key]');
    await page.fill('dialog input[name=name]', 'browser-key');
    await page.fill('dialog input[name=rpm]', '120');
    await page.fill('dialog input[name=budget]', '2.5');
    await page.click('dialog button[type=submit]');
    const secret = ((await page.textContent('[data-testid=new-key-secret]', { timeout: 10_000 })) ?? '').trim();
    assert.ok(secret.length >= 20, 'the secret is shown in full');
    assert.equal((await chat(secret, 'gpt-4o')).status, 200);
    await page.click('dialog button:text-is("Done")');
    const row = page.locator('tr[data-key-name=browser-key]');
    await row.waitFor();
    assert.match((await row.textContent()) ?? '', /virtual.*\$2\.50.*120 rpm/);
    assert.equal(await page.locator(`text=${secret}`).count(), 0, 'the secret is not shown again');
    await shot(page, 'keys-1280');

    // Change its limits: the row and the admin API agree.
    await row.locator('button:text-is("Edit")').click();
    await page.fill('dialog input[name=rpm]', '240');
    await page.fill('dialog input[name=models]', 'gpt-4o*');
    await page.click('dialog button[type=submit]');
    await page.waitForSelector('dialog', { state: 'detached' });
    await until(async () => /240 rpm/.test((await row.textContent()) ?? ''));
    const listed = ((await admin('/keys'))['data'] as Array<{ name: string; rpm: number | null; models: string[] | null; budget: { usd: number } | null }>).find((k) => k.name === 'browser-key');
    assert.deepEqual([listed?.rpm, listed?.models, listed?.budget?.usd], [240, ['gpt-4o*'], 2.5]);
    assert.equal((await chat(secret, 'gpt-4o-mini')).status, 200);
    assert.equal((await chat(secret, 'claude-sonnet-4')).status, 403, 'the key is now limited to gpt-4o*');

    await row.locator('button:text-is("Revoke")').click();
    await page.click('[data-testid=confirm-revoke]');
    await row.waitFor({ state: 'detached' });
    // Revocation reaches every replica within 5 seconds; here there is one.
    const deadline = Date.now() + 6000;
    let status = 0;
    while (Date.now() < deadline) {
      status = (await chat(secret, 'gpt-4o')).status;
      if (status === 401) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(status, 401);
    await done(page);
  });

  test('Providers and Routing show the gateway as configured', async (t) => {
    if (typeof browser === 'string') return t.skip(browser);
    const page = await open(1280);
    await login(page);
    await page.click('nav a[href="#/providers"]');
    await page.waitForSelector('[data-testid=provider-mock]');
    assert.equal(await page.getAttribute('[data-testid=provider-mock]', 'data-state'), 'closed');
    assert.equal(await page.getAttribute('[data-testid=provider-claude]', 'data-state'), 'closed');
    await shot(page, 'providers-1280');
    await page.click('nav a[href="#/routing"]');
    await page.waitForSelector('[data-testid=routing-table] td.name');
    const text = (await page.textContent('[data-testid=routing-table]')) ?? '';
    assert.match(text, /gpt-4o-mini/);
    assert.match(text, /mock\/gpt-4o/);
    assert.match(text, /smart\s*alias/);
    assert.match(text, /claude\/claude-sonnet-4/);
    await shot(page, 'routing-1280');
    await done(page);
  });

  test('every page at 390 px (a phone) and the overview in dark mode', async (t) => {
    if (typeof browser === 'string') return t.skip(browser);
    const page = await open(390);
    await login(page);
    for (const name of ['overview', 'requests', 'keys', 'providers', 'routing']) {
      await page.goto(`${gw.url}/dashboard#/${name}`);
      await page.waitForSelector('main#main h1');
      await page.waitForTimeout(400);
      // Nothing is wider than the screen: wide tables scroll inside their own box.
      const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
      assert.ok(overflow <= 0, `${name}: the page is ${overflow} px wider than the phone`);
      await shot(page, `${name}-390`);
    }
    await done(page);
    const dark = await open(1280, 'dark');
    await login(dark);
    await dark.waitForSelector('[data-testid=stat-requests]');
    await dark.waitForTimeout(300);
    await shot(dark, 'overview-1280-dark');
    await done(dark);
  });

  test('keyboard only: log in, move between pages, open and close the new-key dialog', async (t) => {
    if (typeof browser === 'string') return t.skip(browser);
    const page = await open(1280);
    await page.goto(`${gw.url}/dashboard`);
    await page.waitForSelector('#admin-key');
    assert.equal(await page.evaluate<string | null>(`document.activeElement?.id ?? null`), 'admin-key', 'the key field has the focus');
    await page.keyboard.type(ADMIN);
    await page.keyboard.press('Enter');
    await page.waitForSelector('nav[aria-label=Pages]');
    await page.focus('nav a[href="#/keys"]');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid=new-key]');
    await page.focus('[data-testid=new-key]');
    await page.keyboard.press('Enter');
    await page.waitForSelector('dialog[open]');
    assert.equal(await page.evaluate<string | null>(`document.activeElement?.getAttribute('name') ?? null`), 'name');
    await page.keyboard.press('Escape');
    await page.waitForSelector('dialog', { state: 'detached' });
    await done(page);
  });
});
