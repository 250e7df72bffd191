// The latency demo in a real browser: the form, the playback, the charts,
// the log, the results table and ab's report, in light, dark and phone
// layouts. Only the uncached figures are asserted here; the cached ones
// live in latency-cached-figures.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { server, browser, useBrowser, screenshot, watchErrors, artifacts } from './helpers.mjs';

useBrowser();

/** Opens the page, clicks a run button and waits for the playback to end. */
async function runAndFinish(page, button, { skip = true } = {}) {
  await page.click(button);
  await page.waitForSelector('#lat-progress');
  if (skip && (await page.locator('#lat-skip').count()) > 0) {
    await page.click('#lat-skip').catch(() => {});
  }
  await page.waitForSelector('#results-table', { timeout: 20_000 });
}

/** The numbers of one statistic across the result columns. */
async function stat(page, name) {
  const cells = page.locator(`#results-table td[data-stat="${name}"]`);
  return (await cells.allTextContents()).map((t) => parseFloat(t.replace(/[^0-9.]/g, '')));
}

async function openPage(options = {}) {
  const page = await browser.newPage(options);
  const errors = watchErrors(page);
  await page.goto(`${server.url}#/latency`);
  await page.waitForSelector('#run-both');
  return { page, errors };
}

test('the form starts with the seed experiment', async () => {
  const { page, errors } = await openPage();
  const value = (id) => page.locator(id).inputValue();
  assert.equal(await value('#f-users'), '10');
  assert.equal(await value('#f-spawn'), '1');
  assert.equal(await value('#f-think-min'), '1');
  assert.equal(await value('#f-think-max'), '2');
  assert.equal(await value('#f-products'), '10');
  assert.equal(await value('#f-db'), '2000');
  assert.equal(await value('#f-ttl'), '60');
  await page.click('#load-ab');
  assert.equal(await value('#f-ab-n'), '100');
  assert.equal(await value('#f-ab-c'), '10');
  assert.deepEqual(errors, []);
  await page.close();
});

test('invalid parameters show SimConfig::validate messages and block the run', async () => {
  const { page, errors } = await openPage();
  await page.fill('#f-users', '0');
  await page.waitForFunction(() => document.querySelector('#lat-validation').textContent.includes('users must be'));
  assert.equal(await page.locator('#lat-validation').textContent(), 'users must be between 1 and 1000');
  assert.equal(await page.locator('#run-both').isDisabled(), true);
  await page.fill('#f-users', '10');
  await page.fill('#f-ttl', '0');
  await page.waitForFunction(() => document.querySelector('#lat-validation').textContent.includes('TTL'));
  await page.fill('#f-ttl', '60');
  await page.waitForFunction(() => document.querySelector('#lat-validation').textContent === '');
  // A run too big for a browser tab is refused before it starts.
  await page.fill('#f-users', '1000');
  await page.fill('#f-duration', '3600');
  await page.waitForFunction(() => document.querySelector('#lat-validation').textContent.startsWith('this run would simulate'));
  assert.equal(await page.locator('#run-uncached').isDisabled(), true);
  await page.fill('#f-users', '10');
  await page.fill('#f-duration', '180');
  assert.equal(await page.locator('#run-both').isDisabled(), false);
  assert.deepEqual(errors, []);
  await page.close();
});

test('both modes side by side: charts, log, code and results (uncached ≈ 2000 ms)', async () => {
  const { page, errors } = await openPage({ viewport: { width: 1280, height: 900 } });
  // Keyboard only: focus the button and press Enter.
  await page.focus('#run-both');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#lat-progress');
  // Playback is progressive: it starts at (or near) zero virtual time.
  const early = await page.locator('#lat-progress-bar').getAttribute('value');
  assert.ok(parseFloat(early) < 100, `progress starts below 100% (${early})`);
  await page.waitForTimeout(1200);
  await screenshot(page, 'latency-playing');
  await page.waitForSelector('#results-table', { timeout: 20_000 });

  for (const id of ['rt', 'rps', 'users', 'hits']) {
    const chart = page.locator(`#chart-${id}`);
    await chart.waitFor();
    assert.ok((await chart.locator('svg path.line').count()) >= 1, `${id} has lines`);
    assert.ok((await chart.locator('.chart-summary').textContent()).length > 20, `${id} has a summary`);
    assert.equal(await chart.locator('details.chart-table').count(), 1, `${id} has a table alternative`);
  }
  // Response-time chart: p50 and p95 for both runs, with a legend.
  const legend = await page.locator('#chart-rt .legend').textContent();
  assert.match(legend, /No cache p50/);
  assert.match(legend, /Cache-aside p95/);
  const rtPath = await page.locator('#chart-rt path.series-nocache').first().getAttribute('d');
  assert.ok(rtPath.split('L').length > 100, 'the uncached p50 line spans the run');

  // The per-second table alternative.
  await page.click('#chart-rt details.chart-table summary');
  await page.locator('#chart-rt details.chart-table tbody tr').nth(179).waitFor();
  const rows = await page.locator('#chart-rt details.chart-table tbody tr').count();
  assert.ok(rows >= 180, `per-second rows: ${rows}`);

  const headers = await page.locator('#results-table thead th').allTextContents();
  assert.deepEqual(headers, ['Statistic', 'No cache', 'Cache-aside']);
  const [median] = await stat(page, 'Median');
  assert.ok(median >= 2000 && median < 2010, `uncached median ${median}`);
  const [p95] = await stat(page, '95th percentile');
  assert.ok(p95 >= 2000 && p95 < 2100, `uncached p95 ${p95}`);
  const [requests] = await stat(page, 'Requests');
  const [dbHits] = await stat(page, 'Database hits');
  assert.equal(dbHits, requests, 'uncached: one database hit per request');
  const [rps] = await stat(page, 'Requests/s');
  assert.ok(rps > 2 && rps < 3, `uncached RPS ${rps} ≈ 10 / (2 s + 1.5 s)`);

  // The closed-form estimate is shown next to the measured value.
  const rpsExplainer = await page.locator('[data-explainer="rps"]').first().textContent();
  assert.match(rpsExplainer, /10 \/ \(2\.\d+ s \+ 1\.50 s\) = 2\.\d\d req\/s/);

  // The API log of the uncached run, with the code's database path highlighted.
  await page.click('.lat-tabs button:has-text("No cache")');
  const log = await page.locator('#api-log').textContent();
  assert.match(log, /\[\s*\d+\.\d{3}s\] DATABASE HIT: Fetching product \d+ from the database\.\.\./);
  assert.ok((await page.locator('.py-line.on-d').count()) >= 3, 'database path highlighted');
  assert.match(await page.locator('#code-title').textContent(), /uncached/);

  await screenshot(page, 'latency-both-light');
  await page.locator('#chart-rt').screenshot({ path: `${artifacts}/latency-chart-rt-light.png` });
  await page.locator('#chart-rps').screenshot({ path: `${artifacts}/latency-chart-rps-light.png` });
  assert.deepEqual(errors, []);
  await page.close();
});

test('ab mode prints ab\'s report', async () => {
  const { page, errors } = await openPage();
  await page.click('#load-ab');
  await runAndFinish(page, '#run-uncached');
  const ab = await page.locator('.ab-report pre').first().textContent();
  assert.match(ab, /Concurrency Level:\s+10/);
  assert.match(ab, /Complete requests:\s+100/);
  assert.match(ab, /Requests per second:\s+\d+\.\d\d \[#\/sec\] \(mean\)/);
  assert.match(ab, /Time per request:\s+\d+\.\d{3} \[ms\] \(mean\)/);
  assert.match(ab, /Percentage of the requests served within a certain time \(ms\)/);
  for (const p of [50, 66, 75, 80, 90, 95, 98, 99]) assert.match(ab, new RegExp(`\\s${p}%\\s+\\d+`));
  const fifty = parseInt(ab.match(/ 50%\s+(\d+)/)[1], 10);
  assert.ok(fifty >= 2000 && fifty < 2010, `ab 50% ${fifty}`);
  assert.match(ab, /100%\s+\d+ \(longest request\)/);
  // ab has no users chart, and an uncached run no hit-ratio chart.
  assert.equal(await page.locator('#chart-users').count(), 0);
  assert.equal(await page.locator('#chart-hits').count(), 0);
  const abExplainer = await page.locator('[data-explainer="ab"]').textContent();
  assert.match(abExplainer, /10 \/ 2\.\d{3} s = 5\.\d\d req\/s/);
  await screenshot(page, 'latency-ab-light');
  assert.deepEqual(errors, []);
  await page.close();
});

test('dark theme, phone width and reduced motion', async () => {
  const { page, errors } = await openPage({
    colorScheme: 'dark',
    reducedMotion: 'reduce',
    viewport: { width: 390, height: 844 },
  });
  await page.click('#run-both');
  // Reduced motion: the whole run is shown at once, no playback.
  await page.waitForSelector('#results-table', { timeout: 5_000 });
  assert.equal(await page.locator('#lat-skip').count(), 0);
  await page.locator('#commands-panel summary').click();
  await page.locator('#chart-rt details.chart-table summary').click();
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `no horizontal scrolling on a phone (${width}px)`);
  await screenshot(page, 'latency-phone-dark');
  await page.setViewportSize({ width: 1280, height: 900 });
  await screenshot(page, 'latency-both-dark');
  assert.deepEqual(errors, []);
  await page.close();
});
