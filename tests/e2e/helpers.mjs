// Shared helpers for the browser tests: serve dist/ on loopback, drive
// Debian's Chromium with playwright-core, save screenshots as artifacts.
import { createServer } from 'node:http';
import { readFile, mkdir } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { before, after } from 'node:test';

const here = fileURLToPath(new URL('.', import.meta.url));
export const root = resolve(here, '../..');
export const dist = join(root, 'dist');
export const artifacts = join(here, 'artifacts');

const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.md': 'text/markdown; charset=utf-8',
  '.png': 'image/png',
};

/** Serves `dir` on a free loopback port. Extra routes: { '/path': html }. */
export async function serveDir(dir = dist, extra = {}) {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (extra[path]) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(extra[path]);
      return;
    }
    const file = normalize(join(dir, path.endsWith('/') ? path + 'index.html' : path));
    if (!file.startsWith(dir)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}/`, port, close: () => new Promise((ok) => server.close(ok)) };
}

/** The static server and Chromium of the running test file (each file runs
 * in its own process), set by {@link useBrowser}. */
export let server;
export let browser;

/** Serves dist/ (as `serveDir(...serveArgs)`) and starts Chromium before the
 * file's tests, and stops both after them. */
export function useBrowser(...serveArgs) {
  before(async () => {
    server = await serveDir(...serveArgs);
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export async function screenshot(page, name) {
  await mkdir(artifacts, { recursive: true });
  const path = join(artifacts, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Fails the test on any page error (a Rust panic shows up here). */
export function watchErrors(page) {
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  return errors;
}

/** Types a command into console `n` (1-based) and presses Enter. */
export async function run(page, command, n = 1) {
  const input = page.locator(`#console-input-${n}`);
  await input.fill(command);
  await input.press('Enter');
}

/** The text of the last output block of console `n`. */
export async function lastOutput(page, n = 1) {
  const outputs = page.locator(`.console[data-client="${n}"] .line.output`);
  await outputs.last().waitFor();
  return (await outputs.last().textContent()) ?? '';
}

/** Runs a command in console `n` and returns the output printed for it
 * (every output line after its input line), as redis-cli shows it. */
export async function runCommand(page, command, n = 1) {
  const log = `.console[data-client="${n}"] .console-log`;
  // data-seq counts every transcript line ever printed (only the newest
  // are drawn, so counting elements would stop growing).
  const before = Number(await page.locator(log).getAttribute('data-seq'));
  await run(page, command, n);
  await page.waitForFunction(
    ([sel, count]) => Number(document.querySelector(sel)?.dataset.seq) > count,
    [log, before],
  );
  return outputSinceLastInput(page, n);
}

/** Output lines printed after the last input line of console `n`. */
export async function outputSinceLastInput(page, n = 1) {
  return page.evaluate((sel) => {
    const inputs = document.querySelectorAll(`${sel} .line.input`);
    let el = inputs[inputs.length - 1]?.nextElementSibling;
    const out = [];
    while (el && !el.classList.contains('input')) {
      if (el.classList.contains('output')) out.push(el.textContent);
      el = el.nextElementSibling;
    }
    return out.join('\n');
  }, `.console[data-client="${n}"] .console-log`);
}

/** True when the reply says the command does not exist in this build. */
export function isUnknownCommand(output) {
  return output.startsWith('(error) ERR unknown command');
}

/** A fresh browser context (own storage) with a page on `path`. */
export async function openPage(browser, url, path = '#/playground', options = {}) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, ...options });
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(url + path);
  await page.waitForSelector(path.startsWith('#/types') ? '.type-gallery' : '#console-input-1');
  return { context, page, errors };
}

/** Waits until the saved dataset in localStorage contains `text`. */
export async function waitForSave(page, text) {
  await page.waitForFunction(
    (t) => (localStorage.getItem('redis-lab:dataset') ?? '').includes(t),
    text,
  );
}
