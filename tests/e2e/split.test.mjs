// The module split (scripts/split.mjs) in a real browser: the home page's
// console answers from the primary module alone; a lesson page needs the
// pages module too, fetched alongside the primary; scripting, the latency demo
// and its charts work once the extra module is in — loaded in the background,
// or synchronously when used first — and a failed load is said in the page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { serveDir, launch, runCommand, watchErrors, dist, artifacts } from './helpers.mjs';

let server;
let browser;
const SECONDARY = /\/redis-lab-extra-[0-9a-f]{16}\.wasm$/;
const PAGES = /\/redis-lab-pages-[0-9a-f]{16}\.wasm$/;

before(async () => {
  server = await serveDir();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** A page whose requests for the extra module (and, if given, the pages module) go through handlers. */
async function pageWith(handler, options = {}, pagesHandler = null) {
  const context = await browser.newContext({ serviceWorkers: 'block', viewport: { width: 1400, height: 900 }, ...options });
  await context.route(SECONDARY, handler);
  if (pagesHandler) await context.route(PAGES, pagesHandler);
  const page = await context.newPage();
  const errors = watchErrors(page);
  return { context, page, errors };
}

const state = (page) => page.evaluate(() => window.redisLabExtra?.state);
const parts = (page) => page.evaluate(() => window.redisLabExtra?.parts);

/** Scripting and functions, in the console. */
async function scripting(page) {
  assert.equal(await runCommand(page, `EVAL "return redis.call('SET', KEYS[1], ARGV[1])" 1 k v`), 'OK');
  assert.equal(await runCommand(page, 'EVAL "return {1, 2, ARGV[1]}" 0 three'), '1) (integer) 1\n2) (integer) 2\n3) "three"');
  const lib = "#!lua name=mylib\nredis.register_function('echo1', function(keys, args) return args[1] end)";
  assert.equal(await runCommand(page, `FUNCTION LOAD "${lib.replace(/\n/g, '\\n')}"`), '"mylib"');
  assert.equal(await runCommand(page, 'FCALL echo1 0 hi'), '"hi"');
}

test('the build is split: a primary module, a pages module and an extra one', () => {
  const files = readdirSync(dist);
  assert.equal(files.filter((f) => /^redis-lab-[0-9a-f]{16}_bg\.wasm$/.test(f)).length, 1);
  assert.equal(files.filter((f) => /^redis-lab-extra-[0-9a-f]{16}\.wasm$/.test(f)).length, 1);
  assert.equal(files.filter((f) => /^redis-lab-pages-[0-9a-f]{16}\.wasm$/.test(f)).length, 1);
});

test('the console answers PING with only the primary module loaded', async () => {
  const held = [];
  const { context, page, errors } = await pageWith(
    (route) => held.push(route),
    {},
    (route) => held.push(route),
  );
  const wasm = [];
  page.on('requestfinished', (r) => {
    if (r.url().endsWith('.wasm')) wasm.push(r.url());
  });
  await page.goto(server.url);
  await page.waitForSelector('#console-input-1');
  assert.equal(await runCommand(page, 'PING'), 'PONG');
  assert.equal(await runCommand(page, 'SET greeting "hello world"'), 'OK');
  assert.equal(await runCommand(page, 'GET greeting'), '"hello world"');
  assert.equal(wasm.length, 1, `one module transferred before PONG: ${wasm}`);
  assert.doesNotMatch(wasm[0], SECONDARY);
  assert.doesNotMatch(wasm[0], PAGES);
  // The held background requests go through, the pages module first, then the rest.
  for (const expected of [PAGES, SECONDARY]) {
    while (!held.length) await page.waitForTimeout(50);
    const route = held.shift();
    assert.match(route.request().url(), expected);
    await route.continue();
  }
  await page.waitForFunction(() => window.redisLabExtra.state === 'ready');
  assert.equal(await page.locator('#extra-status').count(), 0, 'no status left once loaded');
  await scripting(page);
  assert.deepEqual(errors, []);
  await context.close();
});

test('in French on a phone, the home page and a lesson need only the primary and pages modules', async () => {
  // Every request for the extra module is held: a first screen that needed it would never finish.
  const { context, page, errors } = await pageWith(() => {}, { locale: 'fr', viewport: { width: 390, height: 844 }, isMobile: true });
  await page.goto(server.url);
  await page.waitForSelector('#console-input-1');
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'fr');
  assert.equal(await runCommand(page, 'PING'), 'PONG');
  assert.equal(await runCommand(page, 'SET greeting "bonjour"'), 'OK');
  assert.equal(await runCommand(page, 'GET greeting'), '"bonjour"');
  await page.goto(`${server.url}#/lesson/intro`);
  await page.waitForSelector('.lesson-prose');
  assert.notEqual(await state(page), 'ready');
  assert.equal((await parts(page)).extra, 'loading');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a lesson opened from a link fetches the pages module alongside the primary and draws without the extra', async () => {
  const { context, page, errors } = await pageWith(() => {});
  await page.goto(`${server.url}#/lesson/strings`);
  await page.waitForSelector('#console-input-1');
  assert.equal(await runCommand(page, 'PING'), 'PONG');
  assert.match(await page.locator('main h1').textContent(), /Strings/);
  assert.equal((await parts(page)).pages, 'ready');
  assert.notEqual((await parts(page)).extra, 'ready');
  // Both requests were under way together: the pages module was asked for
  // before the primary had arrived.
  const timing = await page.evaluate(() =>
    performance.getEntriesByType('resource').filter((e) => e.name.endsWith('.wasm')).map((e) => ({
      name: e.name, start: e.startTime, end: e.responseEnd,
    })),
  );
  const primary = timing.find((e) => /redis-lab-[0-9a-f]{16}_bg\.wasm$/.test(e.name));
  const pages = timing.find((e) => PAGES.test(e.name));
  assert.ok(primary && pages, JSON.stringify(timing));
  assert.ok(pages.start < primary.end, `pages asked for at ${pages.start} ms, primary in at ${primary.end} ms`);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a failed load of the pages module is said in the page, and a retry recovers', async () => {
  let fail = true;
  const { context, page } = await pageWith(
    (route) => route.continue(),
    {},
    (route) => (fail ? route.abort() : route.continue()),
  );
  await page.goto(server.url);
  await page.waitForSelector('#console-input-1');
  const alert = page.locator('#extra-status[role="alert"]');
  await alert.waitFor({ timeout: 30_000 });
  assert.match(await alert.textContent(), /The lesson pages could not be loaded .*Other commands still work/);
  assert.equal(await state(page), 'failed');
  assert.equal(await runCommand(page, 'PING'), 'PONG');
  fail = false;
  await alert.locator('button').click();
  await page.waitForFunction(() => window.redisLabExtra.state === 'ready', null, { timeout: 30_000 });
  assert.equal(await page.locator('#extra-status').count(), 0);
  await page.goto(`${server.url}#/lesson/intro`);
  await page.waitForSelector('.lesson-prose');
  await context.close();
});

test('the latency demo and its charts work after the secondary loads in the background', async () => {
  const { context, page, errors } = await pageWith((route) => route.continue());
  await page.goto(server.url);
  await page.waitForSelector('#console-input-1');
  await page.waitForFunction(() => window.redisLabExtra.state === 'ready', null, { timeout: 30_000 });
  await page.goto(`${server.url}#/latency`);
  await page.waitForSelector('#run-both');
  await page.click('#run-both');
  await page.waitForSelector('#lat-progress');
  if ((await page.locator('#lat-skip').count()) > 0) await page.click('#lat-skip').catch(() => {});
  await page.waitForSelector('#results-table', { timeout: 20_000 });
  for (const id of ['rt', 'rps']) {
    const chart = page.locator(`#chart-${id}`);
    await chart.waitFor();
    assert.ok((await chart.locator('svg path.line').count()) >= 1, `${id} has lines`);
  }
  assert.deepEqual(errors, []);
  await context.close();
});

test('used before the background load ends, the secondary loads synchronously', async () => {
  // The background fetch never answers; the synchronous request goes through.
  const { context, page, errors } = await pageWith((route) =>
    route.request().resourceType() === 'fetch' ? undefined : route.continue(),
  );
  await page.goto(server.url);
  await page.waitForSelector('#console-input-1');
  assert.equal(await runCommand(page, 'PING'), 'PONG');
  assert.notEqual(await state(page), 'ready');
  await scripting(page);
  assert.equal((await parts(page)).extra, 'ready');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a page other than home or a lesson, opened from a link, loads both secondaries before it starts', async () => {
  const { context, page, errors } = await pageWith((route) => route.continue());
  const xhr = [];
  page.on('request', (r) => {
    if (r.resourceType() === 'xhr') xhr.push(r.url());
  });
  await page.goto(`${server.url}#/latency`);
  await page.waitForSelector('#run-both');
  assert.equal(await state(page), 'ready');
  await page.click('#run-both');
  await page.waitForSelector('#results-table', { timeout: 60_000 });
  assert.ok((await page.locator('#chart-rt svg path.line').count()) >= 1);
  assert.deepEqual(xhr, [], 'no synchronous request');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a failed load of the secondary is said in the page, and a retry recovers', async () => {
  let fail = true;
  const { context, page } = await pageWith((route) => (fail ? route.abort() : route.continue()));
  await page.goto(server.url);
  await page.waitForSelector('#console-input-1');
  const alert = page.locator('#extra-status[role="alert"]');
  await alert.waitFor({ timeout: 30_000 });
  assert.match(await alert.textContent(), /Scripting \(EVAL, FCALL\), the latency demo and charts could not be loaded/);
  assert.equal(await state(page), 'failed');
  // The primary's commands still work.
  assert.equal(await runCommand(page, 'PING'), 'PONG');
  fail = false;
  await alert.locator('button').click();
  await page.waitForFunction(() => window.redisLabExtra.state === 'ready');
  assert.equal(await page.locator('#extra-status').count(), 0);
  assert.equal(await runCommand(page, 'EVAL "return 7" 0'), '(integer) 7');
  await context.close();
});

test('a failed synchronous load is said in the page, and a reload recovers', async () => {
  let fail = true;
  const { context, page } = await pageWith((route) => (fail ? route.abort() : route.continue()));
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  await page.goto(server.url);
  await page.waitForSelector('#console-input-1');
  assert.equal(await runCommand(page, 'PING'), 'PONG');
  // EVAL needs the secondary now: the synchronous request fails too.
  await page.locator('#console-input-1').fill('EVAL "return 1" 0');
  await page.locator('#console-input-1').press('Enter');
  const alert = page.locator('#extra-status[role="alert"]');
  await page.waitForFunction(() => /Reload the page/.test(document.getElementById('extra-status')?.textContent ?? ''));
  assert.match(await alert.textContent(), /could not be loaded .*Reload the page to try again/);
  assert.ok(pageErrors.some((e) => /XMLHttpRequest/.test(e)), 'the failed request is the page error');
  fail = false;
  await alert.locator('button').click();
  await page.waitForSelector('#console-input-1');
  assert.equal(await runCommand(page, 'EVAL "return 1" 0'), '(integer) 1');
  await context.close();
});

test('a page that needs the secondary, opened while it cannot load, keeps the shell, says so and stays so', async () => {
  // The extra module, needed before the latency page starts, fails: the app
  // does not start half-way; the static shell stays, and even if a later load
  // works the alert stays until a reload.
  let fail = true;
  const { context, page } = await pageWith((route) => (fail ? route.abort() : route.continue()));
  await page.goto(`${server.url}#/latency`);
  const alert = page.locator('#extra-status[role="alert"]');
  await alert.waitFor({ timeout: 30_000 });
  fail = false;
  await page.waitForTimeout(1500); // the background load, which may now work
  assert.match(await alert.textContent(), /could not be loaded .*Reload the page to try again/);
  assert.equal(await page.locator('#boot-shell').count(), 1, 'the static shell is still there');
  assert.match(await page.locator('#boot-shell .boot-failed').first().textContent(), /could not be loaded/);
  await page.screenshot({ path: join(artifacts, 'split-failed-page.png') });
  await alert.locator('button').click();
  await page.waitForSelector('#run-both', { timeout: 30_000 });
  await context.close();
});
