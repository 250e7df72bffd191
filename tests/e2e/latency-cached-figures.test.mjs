// The latency demo's cached figures: the API's cache commands (SETEX,
// SET … NX PX, PTTL) run on the in-page emulator, so hit ratios and
// response times here depend on them answering as Redis does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { server, browser, useBrowser, screenshot, watchErrors } from './helpers.mjs';

useBrowser();

async function runBoth(page, strategy) {
  await page.goto(`${server.url}#/latency`);
  await page.waitForSelector('#run-both');
  if (strategy) await page.selectOption('#f-strategy', strategy);
  await page.click('#run-both');
  if ((await page.locator('#lat-skip').count()) > 0) await page.click('#lat-skip').catch(() => {});
  await page.waitForSelector('#results-table', { timeout: 20_000 });
}

async function stat(page, name) {
  const cells = page.locator(`#results-table td[data-stat="${name}"]`);
  return (await cells.allTextContents()).map((t) => parseFloat(t.replace(/[^0-9.]/g, '')));
}

test('cache-aside answers in milliseconds once warm', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = watchErrors(page);
  await runBoth(page);
  const [uncached, cached] = await stat(page, 'Median');
  assert.ok(uncached >= 2000, `uncached median ${uncached}`);
  assert.ok(cached > 0 && cached < 20, `cached median ${cached} ms`);
  const [, hitRatio] = await stat(page, 'Hit ratio');
  assert.ok(hitRatio > 70, `hit ratio ${hitRatio}%`);
  const [uncachedDb, cachedDb] = await stat(page, 'Database hits');
  assert.ok(cachedDb < uncachedDb / 5, `database hits ${cachedDb} vs ${uncachedDb}`);
  const [rpsUncached, rpsCached] = await stat(page, 'Requests/s');
  assert.ok(rpsCached > rpsUncached * 1.8, `RPS ${rpsCached} vs ${rpsUncached}`);

  const log = await page.locator('#api-log').textContent();
  assert.match(log, /CACHE HIT: Fetching product \d+ from cache\./);
  // The 180 s run outlives the 60 s TTL: expiry misses are explained.
  await page.locator('[data-explainer="expiry"]').waitFor();
  // The final keys carry a TTL of at most 60 s.
  await page.locator('#keys-panel summary').click();
  const ttls = await page.locator('#keys-panel td:nth-child(2)').allTextContents();
  assert.ok(ttls.length >= 1, 'product keys left in the cache');
  for (const t of ttls) assert.ok(parseFloat(t) > 0 && parseFloat(t) <= 60, `TTL ${t}`);
  await page.locator('#commands-panel summary').click();
  assert.match(await page.locator('#commands-panel pre').textContent(), /"SETEX" "product:\d+" "60" "\{\\"id\\": \d+/);
  await screenshot(page, 'latency-cached-light');
  assert.deepEqual(errors, []);
  await page.close();
});

test('the lock strategy removes the stampede', async () => {
  const page = await browser.newPage();
  const errors = watchErrors(page);
  await runBoth(page, 'lock');
  const [, failures] = await stat(page, 'Failures');
  assert.equal(failures, 0);
  await page.locator('[data-explainer="lock"]').waitFor();
  assert.match(await page.locator('[data-explainer="lock"]').textContent(), /At most 1 database load per product ran at a time/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('early refresh hides the expiry misses', async () => {
  const page = await browser.newPage();
  const errors = watchErrors(page);
  await runBoth(page, 'early');
  await page.locator('[data-explainer="early"]').waitFor();
  const [, p95] = await stat(page, '95th percentile');
  assert.ok(p95 < 2000, `early-refresh p95 ${p95}`);
  assert.deepEqual(errors, []);
  await page.close();
});
