// Each type's picture in the key browser, with a screenshot per type.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { server, browser, useBrowser, screenshot, runCommand, isUnknownCommand, openPage, artifacts } from './helpers.mjs';

useBrowser();

async function show(page, key) {
  await page.locator('#key-filter').fill(key);
  const row = page.locator('.key-row').first();
  await row.waitFor();
  await row.locator('button').click();
  await page.locator('.value-view').waitFor();
  return page.locator('.value-view');
}

/** Runs setup commands; every one must be known and succeed. */
async function setup(page, commands) {
  for (const c of commands) {
    const out = await runCommand(page, c);
    assert.ok(!isUnknownCommand(out), `${c.split(' ')[0]} must be a known command: ${out}`);
    assert.ok(!out.startsWith('(error)'), `${c}: ${out}`);
  }
}

let ctx;
const fresh = async () => {
  await ctx?.context.close();
  ctx = await openPage(browser, server.url, '#/playground', { viewport: { width: 1400, height: 1100 } });
  return ctx.page;
};
after(async () => ctx?.context.close());

test('string: text and bit grid', async () => {
  const page = await fresh();
  await runCommand(page, 'SET bits "A\\xff"');
  const view = await show(page, 'bits');
  assert.equal(await view.locator('.string-text').textContent(), '"A\\xff"', 'non-UTF-8 value quoted like redis-cli');
  const bits = await view.locator('.bit').allTextContents();
  assert.equal(bits.join(''), '0100000111111111', "the bits of 'A' then 0xff");
  assert.equal(await view.locator('.bit.on').count(), 10);
  await screenshot(page, 'type-string');
});

test('HyperLogLog: register heatmap and estimate', async () => {
  const page = await fresh();
  // A sparse HLL with register 1000 = 2 (what PFADD of one element stores).
  await runCommand(page, 'SET visitors "HYLL\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x43\\xe7\\x84\\x7c\\x16"');
  const view = await show(page, 'visitors');
  assert.match(await view.locator('.estimate').textContent(), /≈ 1 distinct elements/);
  assert.match(await view.locator('.meta').textContent(), /sparse encoding · 1 of 16384 registers set/);
  assert.equal(await view.locator('.hll-heatmap rect:not(.hll-bg)').count(), 1);
  assert.equal(await page.locator('.selected-head .badge').textContent(), 'hll');
  await screenshot(page, 'type-hll');
  assert.equal(await runCommand(page, 'PFADD real a b c d e'), '(integer) 1');
  const v = await show(page, 'real');
  assert.match(await v.locator('.estimate').textContent(), /≈ 5 distinct elements/);
});

test('list: boxes from head to tail', async () => {
  const page = await fresh();
  await setup(page, ['RPUSH queue first second third']);
  const view = await show(page, 'queue');
  assert.deepEqual(await view.locator('.list-box .item').allTextContents(), ['first', 'second', 'third']);
  assert.equal(await view.locator('.end-label').first().textContent(), 'head');
  assert.equal(await view.locator('.end-label.tail').textContent(), 'tail');
  await screenshot(page, 'type-list');
});

test('hash: field/value table', async () => {
  const page = await fresh();
  await setup(page, ['HSET user:1 name Ada lang en']);
  const view = await show(page, 'user:1');
  assert.deepEqual(await view.locator('tbody td').allTextContents(), ['name', 'Ada', 'lang', 'en']);
  await screenshot(page, 'type-hash');
});

test('set: chips', async () => {
  const page = await fresh();
  await setup(page, ['SADD tags redis cache db']);
  const view = await show(page, 'tags');
  assert.deepEqual((await view.locator('.chip').allTextContents()).sort(), ['cache', 'db', 'redis']);
  await screenshot(page, 'type-set');
});

test('sorted set: ranked bars with scores', async () => {
  const page = await fresh();
  await setup(page, ['ZADD board 10 ann 30 bob 20 cy']);
  const view = await show(page, 'board');
  assert.deepEqual(await view.locator('.member').allTextContents(), ['ann', 'cy', 'bob']);
  assert.deepEqual(await view.locator('.score').allTextContents(), ['10', '20', '30']);
  await screenshot(page, 'type-zset');
});

test('geo: points on a plane with the last search radius', async () => {
  const page = await fresh();
  await setup(page, [
    'GEOADD Sicily 13.361389 38.115556 Palermo 15.087269 37.502669 Catania',
    'GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km ASC',
  ]);
  const view = await show(page, 'Sicily');
  assert.equal(await page.locator('.selected-head .badge').textContent(), 'geo');
  assert.deepEqual(await view.locator('.geo-point text').allTextContents(), ['Palermo', 'Catania']);
  assert.equal(await view.locator('.geo-radius').count(), 1);
  assert.match(await view.locator('.meta').textContent(), /200\.0 km around 15\.0000, 37\.0000/);
  await screenshot(page, 'type-geo');
});

test('stream: timeline with consumer-group cursors', async () => {
  const page = await fresh();
  await setup(page, [
    'XADD events 1-1 type login',
    'XADD events 2-1 type click',
    'XGROUP CREATE events workers 1-1',
  ]);
  const view = await show(page, 'events');
  assert.deepEqual(await view.locator('.stream-id').allTextContents(), ['1-1', '2-1']);
  assert.match(await view.locator('.cursor').textContent(), /workers/);
  await screenshot(page, 'type-stream');
});

test('type gallery: every type drawn from example commands', async () => {
  const { context, page, errors } = await openPage(browser, server.url, '#/types');
  const card = (key) => page.locator(`article.type-card:has(h2:text-is("${key}"))`);
  await card('greeting').waitFor();
  const kinds = await page.locator('article.type-card').evaluateAll((els) => els.map((e) => e.dataset.kind));
  const expected = ['string', 'string', 'hll', 'list', 'hash', 'set', 'zset', 'geo', 'stream'];
  const checks = {
    greeting: async (c) => assert.equal(await c.locator('.string-text').textContent(), 'hello world'),
    flags: async (c) => {
      assert.equal((await c.locator('.bit').allTextContents()).join(''), '0001000001000000');
      // Made by the SETBITs it shows, so the encoding is what OBJECT ENCODING would say.
      assert.match(await c.locator('.meta').first().textContent(), /2 bytes · encoding raw/);
    },
    visitors: async (c) => {
      const estimate = Number((await c.locator('.estimate').textContent()).match(/≈ (\d+)/)[1]);
      assert.ok(Math.abs(estimate - 1000) < 60, `HLL estimate ${estimate} near 1000`);
      assert.ok(await c.locator('.hll-heatmap rect:not(.hll-bg)').count() > 900);
    },
    'queue:jobs': async (c) => assert.deepEqual(await c.locator('.item').allTextContents(), ['job:1', 'job:2', 'job:3']),
    'user:1': async (c) => assert.deepEqual(await c.locator('tbody td').allTextContents(), ['name', 'Ada', 'email', 'ada@example.com', 'lang', 'en']),
    tags: async (c) => assert.deepEqual((await c.locator('.chip').allTextContents()).sort(), ['cache', 'database', 'redis']),
    leaderboard: async (c) => assert.deepEqual(await c.locator('.member').allTextContents(), ['bob', 'alice', 'carol']),
    places: async (c) => {
      assert.deepEqual((await c.locator('.geo-point text').allTextContents()).sort(), ['Catania', 'Palermo', 'Rome']);
      assert.equal(await c.locator('.geo-radius').count(), 1);
    },
    events: async (c) => {
      assert.deepEqual(await c.locator('.stream-id').allTextContents(), ['1700000000000-0', '1700000001000-0', '1700000002000-0']);
      assert.match(await c.locator('.cursor').textContent(), /workers/);
    },
  };
  await mkdir(artifacts, { recursive: true });
  const unavailable = [];
  for (const [i, key] of Object.keys(checks).entries()) {
    const c = card(key);
    if (kinds[i] === 'unavailable') {
      assert.match(await c.locator('.unavailable').textContent(), /is not available in this build/);
      unavailable.push(key);
      continue;
    }
    assert.equal(kinds[i], expected[i], key);
    await checks[key](c);
    await c.screenshot({ path: join(artifacts, `gallery-${key.replace(':', '-')}.png`) });
  }
  // Strings, bitmaps and HyperLogLogs are made with SET, so they exist in every build.
  assert.ok(!unavailable.includes('greeting') && !unavailable.includes('flags') && !unavailable.includes('visitors'));
  await screenshot(page, 'type-gallery');
  assert.deepEqual(errors, []);
  await context.close();
  if (unavailable.length) t.diagnostic(`not in this build: ${unavailable.join(', ')}`);
});

test('type gallery and start page fit a phone-width screen', async () => {
  for (const path of ['#/types', '#/']) {
    const { context, page, errors } = await openPage(browser, server.url, path, {
      viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true,
    });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `${path}: no sideways scrolling (${overflow}px)`);
    await screenshot(page, `phone-${path === '#/' ? 'start' : 'types'}`);
    assert.deepEqual(errors, []);
    await context.close();
  }
});
