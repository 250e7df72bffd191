// First visit on a slow connection, then a second visit, then a visit with
// the network cut, in headless Chromium with its network emulation
// (1.6 Mbit/s down, 750 kbit/s up, 150 ms round trip). dist/ is served
// gzipped with Netlify's default cache headers (max-age=0, must-revalidate,
// ETag): a second visit revalidates every file, and an HTTP cache alone does
// not open the page offline. Prints JSON.
//
//   node bench/load.mjs [runs]     (default 9 runs, medians reported; DIST=dir for another build)
//
// Times are from navigation start: first contentful paint, the lesson map
// readable (its first lesson title in the page, and painted), and the console answering
// PING (typed as soon as the console's input is there, PONG in its log); and
// for a first visit straight to a lesson (#/lesson/strings, lesson_cold), its
// text readable (lesson_ms) and its console answering PING.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { extname, join, normalize, resolve } from 'node:path';
import { dist, launch } from '../tests/e2e/helpers.mjs';

const RUNS = Number(process.argv[2] ?? 9);
const SLOW = { offline: false, latency: 150, downloadThroughput: 1.6e6 / 8, uploadThroughput: 750e3 / 8 };
const TIMEOUT = 60000;

const types = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm',
  '.css': 'text/css', '.svg': 'image/svg+xml', '.json': 'application/json',
  '.webmanifest': 'application/manifest+json', '.png': 'image/png',
};

/** Serves dist/ gzipped (gzip -9, as hosts precompress), with ETags, revalidated on every use. */
async function serveGzip(dir = process.env.DIST ? resolve(process.env.DIST) : dist) {
  const cache = new Map();
  const server = createServer(async (req, res) => {
    let path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (path.endsWith('/')) path += 'index.html';
    const file = normalize(join(dir, path));
    if (!file.startsWith(dir)) return res.writeHead(403).end();
    try {
      const { mtimeMs } = await stat(file);
      let entry = cache.get(file);
      if (!entry || entry.mtimeMs !== mtimeMs) {
        const body = await readFile(file);
        entry = { mtimeMs, body, gz: gzipSync(body, { level: 9 }), etag: `"${createHash('sha1').update(body).digest('hex')}"` };
        cache.set(file, entry);
      }
      const headers = {
        'content-type': types[extname(file)] ?? 'application/octet-stream',
        'cache-control': 'public, max-age=0, must-revalidate',
        etag: entry.etag,
        vary: 'accept-encoding',
      };
      if (req.headers['if-none-match'] === entry.etag) return res.writeHead(304, headers).end();
      if (/\bgzip\b/.test(req.headers['accept-encoding'] ?? '')) {
        res.writeHead(200, { ...headers, 'content-encoding': 'gzip' }).end(entry.gz);
      } else {
        res.writeHead(200, headers).end(entry.body);
      }
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return { url: `http://127.0.0.1:${server.address().port}/`, close: () => new Promise((ok) => server.close(ok)) };
}

// Runs in the page before anything else: records when the lesson map is
// readable, types PING as soon as the app's console input exists, and
// records when PONG is in its log; window.__measured settles then (the
// harness waits on it instead of polling the page, which would compete with
// it for the main thread).
const probe = () => {
  const marks = (window.__marks = {});
  let measured;
  window.__measured = new Promise((ok) => {
    measured = ok;
  });
  let typed = false;
  const tick = () => {
    const now = performance.now();
    if (marks.map === undefined && document.querySelector('.lesson-list .lesson-title')?.textContent) marks.map = now;
    // A lesson's text: the static shell's copy or the app's, shown (not in a hidden part of the shell).
    const prose = [...document.querySelectorAll('.lesson-prose')].find((e) => e.textContent.trim() && !e.closest('[hidden]'));
    if (marks.lesson === undefined && prose) marks.lesson = now;
    const input = document.getElementById('console-input-1');
    if (!typed && input) {
      typed = true;
      marks.input = now;
      const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
      setter.call(input, 'PING');
      input.dispatchEvent(new Event('input', { bubbles: true }));
      input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    }
    if (typed && marks.pong === undefined) {
      const outs = document.querySelectorAll('.console[data-client="1"] .line.output');
      if ([...outs].some((e) => e.textContent === 'PONG')) marks.pong = now;
    }
    if ((marks.map === undefined && marks.lesson === undefined) || marks.pong === undefined) requestAnimationFrame(tick);
    else measured();
  };
  new MutationObserver(tick).observe(document, { childList: true, subtree: true });
  requestAnimationFrame(tick);
};

async function visit(context, url, conditions, readable = 'map') {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', conditions);
  const finished = [];
  cdp.on('Network.loadingFinished', (e) => finished.push({ t: Date.now(), bytes: e.encodedDataLength }));
  const t0 = Date.now();
  let error = null;
  try {
    await page.goto(url, { timeout: TIMEOUT });
    let timer;
    const timeout = new Promise((_, fail) => {
      timer = setTimeout(() => fail(new Error(`no PONG and ${readable} in ${TIMEOUT} ms`)), TIMEOUT);
    });
    await Promise.race([page.evaluate(() => window.__measured), timeout]).finally(() => clearTimeout(timer));
    if (!(await page.evaluate((k) => window.__marks[k] !== undefined, readable))) throw new Error(`no ${readable} mark`);
  } catch (e) {
    error = String(e).split('\n')[0];
  }
  let marks = {};
  try {
    // Paint timing entries arrive a frame or two after the paint itself.
    await page.waitForFunction(() => performance.getEntriesByName('first-contentful-paint').length > 0, null, { timeout: 5000 });
  } catch {
    // no paint (e.g. the browser's own offline error page)
  }
  try {
    marks = await page.evaluate(() => ({
      ...window.__marks,
      fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime,
      controlled: !!navigator.serviceWorker?.controller,
    }));
  } catch {
    // an offline visit without a service worker has no page to ask
  }
  const pongWall = marks.pong !== undefined ? t0 + marks.pong + 200 : Infinity;
  const bytesBeforePong = finished.filter((f) => f.t <= pongWall).reduce((s, f) => s + f.bytes, 0);
  // Give a service worker time to cache the app after the first visit.
  await page.waitForTimeout(conditions.offline ? 0 : 1500);
  const bytesTotal = finished.reduce((s, f) => s + f.bytes, 0);
  await page.close();
  const r = (x) => (x === undefined ? null : Math.round(x));
  return {
    fcp_ms: error ? null : r(marks.fcp),
    // readable: in the page and painted (first contentful paint) both
    map_ms: marks.map === undefined || marks.fcp === undefined ? null : r(Math.max(marks.map, marks.fcp)), pong_ms: r(marks.pong),
    lesson_ms: marks.lesson === undefined || marks.fcp === undefined ? null : r(Math.max(marks.lesson, marks.fcp)),
    bytes_before_pong: error ? null : bytesBeforePong, bytes_total: error ? null : bytesTotal,
    service_worker: marks.controlled ?? false, error,
  };
}

const median = (xs) => {
  const v = xs.filter((x) => x !== null && x !== undefined).sort((a, b) => a - b);
  return v.length ? v[Math.floor(v.length / 2)] : null;
};

const server = await serveGzip();
const browser = await launch();
const runs = { cold: [], warm: [], offline: [], lesson_cold: [] };
for (let i = 0; i < RUNS; i++) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  await context.addInitScript(probe);
  runs.cold.push(await visit(context, server.url, SLOW));
  runs.warm.push(await visit(context, server.url, SLOW));
  await context.setOffline(true);
  runs.offline.push(await visit(context, server.url, { ...SLOW, offline: true }));
  await context.close();
  // A first visit that opens a lesson (a link from a course site).
  const fresh = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  await fresh.addInitScript(probe);
  runs.lesson_cold.push(await visit(fresh, server.url + '#/lesson/strings', SLOW, 'lesson'));
  await fresh.close();
}
const summary = {};
for (const [k, list] of Object.entries(runs)) {
  summary[k] = {
    fcp_ms: median(list.map((x) => x.fcp_ms)),
    map_ms: median(list.map((x) => x.map_ms)),
    lesson_ms: median(list.map((x) => x.lesson_ms)),
    pong_ms: median(list.map((x) => x.pong_ms)),
    bytes_before_pong: median(list.map((x) => x.bytes_before_pong)),
    bytes_total: median(list.map((x) => x.bytes_total)),
    works: list.filter((x) => x.pong_ms !== null && (x.map_ms ?? x.lesson_ms) !== null).length + '/' + list.length,
    service_worker: list.some((x) => x.service_worker),
  };
}
console.log(JSON.stringify({ conditions: SLOW, runs: RUNS, ...summary, raw: runs }));
await browser.close();
await server.close();
