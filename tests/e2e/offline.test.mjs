// The page before the engine and after the network: index.html's static
// shell is readable while the module loads; a service worker keeps the build
// so every page opens offline after one visit (under a sub-path, and inside an
// iframe), a new build is picked up and never mixed with the old one, and
// under `trunk serve` no worker is registered.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { dist, launch, root, runCommand, screenshot, watchErrors } from './helpers.mjs';
import { postbuild, writeWorker } from '../../scripts/postbuild.mjs';

/** How many lessons the course has: one Markdown file each. */
const LESSON_COUNT = (await readdir(join(root, 'lessons'))).filter((f) => f.endsWith('.md')).length;

const types = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm',
  '.css': 'text/css', '.svg': 'image/svg+xml', '.webmanifest': 'application/manifest+json',
};

/** Serves `dir` under /app/ (a sub-path, as on a course site), and a course
 * page with the lesson embedded at /course.html. */
async function serveUnderSubPath(dir) {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (path === '/course.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return res.end(`<!doctype html><html><head><link rel="icon" href="data:,"></head><body><h1>My course</h1>
        <iframe id="lab" title="Redis Lab" src="/app/#/embed/lesson/strings" width="1200" height="800"></iframe></body></html>`);
    }
    if (!path.startsWith('/app/')) return res.writeHead(404).end('not found');
    const rel = path.slice('/app/'.length);
    const file = normalize(join(dir, rel === '' || rel.endsWith('/') ? rel + 'index.html' : rel));
    if (!file.startsWith(dir)) return res.writeHead(403).end();
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  return { origin: `http://127.0.0.1:${port}`, url: `http://127.0.0.1:${port}/app/`, close: () => new Promise((ok) => server.close(ok)) };
}

let browser;
let work;
let server;

before(async () => {
  browser = await launch();
  // A copy of the build, so the update test can deploy a "new build" over it.
  work = await mkdtemp(join(tmpdir(), 'redis-lab-offline-'));
  await cp(dist, work, { recursive: true });
  server = await serveUnderSubPath(work);
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

/** Waits until a service worker controls the page. */
async function controlled(page) {
  await page.waitForFunction(() => !!navigator.serviceWorker?.controller, null, { timeout: 30_000 });
}

/** A first visit to the home page, until the service worker controls it. */
async function firstVisit() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(server.url);
  await page.waitForSelector('#console-input-1');
  await controlled(page);
  return { context, page, errors };
}

test('the lesson map, lesson text and a starting console show before the engine has loaded', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  // The emulator module is held back, then fails.
  let release;
  const held = new Promise((ok) => { release = ok; });
  await context.route('**/*.wasm', async (route) => {
    await held;
    await route.abort();
  });
  const page = await context.newPage();
  await page.goto(server.url);
  const shell = page.locator('#boot-shell');
  assert.ok(await shell.isVisible(), 'the shell is shown');
  const titles = page.locator('#boot-shell .lesson-card .lesson-title');
  assert.equal(await titles.count(), LESSON_COUNT, 'the whole course is on the map');
  assert.equal(await titles.first().textContent(), 'Why cache? Meet Redis');
  assert.ok(await titles.first().isVisible());
  assert.match(await page.locator('#boot-shell .boot-console').first().textContent(), /Starting the Redis engine/);
  assert.match(await page.locator('#boot-progress').textContent(), new RegExp(`0 of ${LESSON_COUNT} lessons complete`));
  await screenshot(page, 'shell-home');

  // A lesson's text is readable too, from the map's link.
  await page.locator('#boot-shell a[href="#/lesson/strings"]').click();
  const lesson = page.locator('#boot-lesson .lesson-text');
  await lesson.locator('h1').waitFor();
  assert.match(await lesson.locator('h1').textContent(), /String/);
  assert.match(await lesson.textContent(), /INCR/);
  assert.ok(await lesson.locator('pre').first().isVisible(), 'the example blocks are shown');
  assert.equal(await page.locator('#console-input-1').count(), 0, 'the engine has not started');
  await screenshot(page, 'shell-lesson');
  // The module could not be fetched: the page says so instead of "starting" forever.
  release();
  await page.locator('#boot-lesson .boot-console', { hasText: 'could not be loaded' }).waitFor();
  assert.match(await lesson.textContent(), /INCR/, 'the lesson stays readable');
  await screenshot(page, 'shell-failed');
  await context.close();
});

test('the app replaces the shell once it has started', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(server.url + '#/lesson/strings');
  await page.locator('#lesson-title').waitFor();
  assert.equal(await page.locator('#boot-shell').count(), 0);
  assert.equal(await page.locator('#boot-lesson-texts').count(), 0);
  assert.equal(await page.locator('#lesson-title').count(), 1);
  assert.deepEqual(errors, []);
  await context.close();
});

test('after one visit every page works offline, under a sub-path', async () => {
  const { context, page, errors } = await firstVisit();
  const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
  assert.equal(scope, server.url, 'the worker is scoped to the sub-path');

  await context.setOffline(true);
  await page.reload();
  await page.waitForSelector('#console-input-1');
  assert.equal(await runCommand(page, 'PING'), 'PONG');
  for (const [route, selector] of [
    ['#/lesson/strings', '#lesson-title'],
    ['#/lesson/quiz', '#lesson-title'],
    ['#/playground', '.playground #console-input-1'],
    ['#/latency', '#run-both'],
    ['#/types', '.type-gallery'],
    ['#/reference', '.reference'],
    ['#/embed/console', '#console-input-1'],
  ]) {
    await page.goto(server.url + route);
    await page.reload(); // a fresh load of that page, not a route change
    await page.waitForSelector(selector);
  }
  await page.goto(server.url + 'index.html#/lesson/ttl');
  await page.locator('#lesson-title').waitFor();
  await screenshot(page, 'offline-lesson');
  assert.deepEqual(errors, []);
  await context.close();
});

/** A second visit, offline, whose background load of the other modules never starts (it waits for an idle moment). */
async function offlineWithoutBackgroundLoad(context, page) {
  await context.setOffline(true);
  await page.addInitScript(() => {
    window.requestIdleCallback = () => 0;
  });
  await page.reload();
  await page.waitForSelector('#console-input-1');
}

test('offline, a module the page has not loaded yet is compiled from the worker\'s copy when first used', async () => {
  const { context, page, errors } = await firstVisit();
  await offlineWithoutBackgroundLoad(context, page);
  // Once the app has started, the other parts' bytes are read from the worker's copy.
  await page.waitForFunction(() => window.redisLabExtra.atHand);
  assert.deepEqual(await page.evaluate(() => window.redisLabExtra.parts), { pages: 'idle', extra: 'idle' });
  assert.equal(await runCommand(page, 'PING'), 'PONG');
  // Scripting is in the extra module; a synchronous request would bypass the worker and fail offline.
  assert.equal(await runCommand(page, 'EVAL "return {1, ARGV[1]}" 0 two'), '1) (integer) 1\n2) "two"');
  assert.equal((await page.evaluate(() => window.redisLabExtra.parts)).extra, 'ready');
  // A lesson, from the home page: the pages module, the same way.
  await page.locator('a[href="#/lesson/strings"]').first().click();
  await page.locator('#lesson-title').waitFor();
  assert.equal((await page.evaluate(() => window.redisLabExtra.parts)).pages, 'ready');
  assert.equal(await page.evaluate(() => document.getElementById('extra-status')), null, 'no load failed');
  assert.deepEqual(errors, []);
  await context.close();
});

test('offline, a saved dataset whose commands are in a module not loaded yet is restored as the app starts', async () => {
  const { context, page, errors } = await firstVisit();
  // Sorted sets are not on the home page's first screen: their commands are in the extra module.
  assert.equal(await runCommand(page, 'ZADD board 10 ada 20 bob'), '(integer) 2');
  assert.equal(await runCommand(page, 'SET greeting hello'), 'OK');
  await page.waitForFunction(() => /ZADD/i.test(localStorage.getItem('redis-lab:dataset') ?? ''));
  await offlineWithoutBackgroundLoad(context, page);
  assert.equal(await runCommand(page, 'ZRANGE board 0 -1 WITHSCORES'), '1) "ada"\n2) "10"\n3) "bob"\n4) "20"');
  assert.equal(await runCommand(page, 'GET greeting'), '"hello"');
  assert.equal((await page.evaluate(() => window.redisLabExtra.parts)).extra, 'ready');
  assert.equal(await page.evaluate(() => document.getElementById('extra-status')), null, 'no load failed');
  assert.deepEqual(errors, []);
  await context.close();
});

test('inside an iframe the embed registers its worker and opens offline', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(server.origin + '/course.html');
  const frame = page.frameLocator('#lab');
  await frame.locator('#lesson-title').waitFor();
  const inner = page.frames().find((f) => f.url().startsWith(server.url));
  await inner.waitForFunction(() => !!navigator.serviceWorker?.controller, null, { timeout: 30_000 });
  // The course page itself is not ours to cache: reload only the frame, offline.
  await context.setOffline(true);
  await inner.evaluate(() => location.reload());
  await frame.locator('#lesson-title').waitFor();
  assert.match(await frame.locator('#lesson-title').textContent(), /String/);
  await context.close();
});

test('a new build is picked up on the next load, never mixed with the old one', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(server.url);
  await page.waitForSelector('#console-input-1');
  await controlled(page);
  const firstVersion = await page.evaluate(async () => (await caches.keys()).filter((k) => k.startsWith('redis-lab-')));
  assert.equal(firstVersion.length, 1);

  // Deploy a "new build": a changed index.html and its worker (new version).
  const index = join(work, 'index.html');
  const original = await readFile(index, 'utf8');
  await writeFile(index, original.replace('<title>', '<meta name="build" content="second" /><title>'));
  const version = writeWorker(work);
  try {
    // This load still runs the old build (from its cache) while the new one is fetched whole.
    await page.reload();
    await page.waitForSelector('#console-input-1');
    assert.equal(await page.locator('meta[name="build"]').count(), 0, 'the old build, complete');
    await page.locator('#update-notice').waitFor({ timeout: 30_000 });
    // The old build's cache goes once the new worker has taken over.
    const ours = () => page.evaluate(async () => (await caches.keys()).filter((k) => k.startsWith('redis-lab-')));
    for (let i = 0; i < 300 && (await ours()).length > 1; i++) await page.waitForTimeout(100);
    assert.deepEqual(await ours(), [`redis-lab-${version}`]);
    // The next load is the new build, offline too.
    await context.setOffline(true);
    await page.reload();
    await page.waitForSelector('#console-input-1');
    assert.equal(await page.locator('meta[name="build"]').getAttribute('content'), 'second');
    assert.equal(await runCommand(page, 'PING'), 'PONG');
  } finally {
    await writeFile(index, original);
    writeWorker(work);
    await context.close();
  }
});

test('under trunk serve no worker is registered, and an old one removes itself', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'redis-lab-serve-'));
  try {
    const html = await readFile(join(root, 'index.html'), 'utf8');
    // What trunk serve stages: its autoreload script is in the page.
    await writeFile(join(dir, 'index.html'), html.replace('</body>', "<script>const url = 'ws://x/.well-known/trunk/ws';</script></body>"));
    assert.equal(postbuild(dir), null);
    const out = await readFile(join(dir, 'index.html'), 'utf8');
    assert.doesNotMatch(out, /serviceWorker\.register|sw\.register/);
    assert.match(out, /unregister/);
    assert.match(await readFile(join(dir, 'sw.js'), 'utf8'), /registration\.unregister\(\)/);
    // And the shell was filled all the same.
    assert.match(out, /<span class="lesson-title">Why cache\? Meet Redis<\/span>/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
