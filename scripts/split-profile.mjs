// Records which functions the first screen runs, for the module split
// (scripts/split.mjs): builds the release app with every function
// instrumented (REDIS_LAB_SPLIT=profile), loads it in headless Chromium, and
// does what a first visit does — the home page, the console answering PING,
// SET and GET (and a wrong-arity error), the first lesson; in English on a
// desktop and in French on a phone — then writes the
// names of the functions that ran to tools/wasm-split/primary.txt.
//
//   node scripts/split-profile.mjs [dist-dir]
//
// With a dist-dir, uses that instrumented build instead of building one.
// A stale list costs only an earlier load of the secondary, never correctness.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KEEP_LIST } from './split.mjs';
import { launch, root, serveDir, runCommand } from '../tests/e2e/helpers.mjs';

let dir = process.argv[2];
if (!dir) {
  dir = mkdtempSync(join(tmpdir(), 'redis-lab-profile-'));
  execFileSync('trunk', ['build', '--release', '--offline', '--dist', dir], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, REDIS_LAB_SPLIT: 'profile' },
  });
}
const names = readFileSync(join(dir, 'profile-names.txt'), 'utf8').split('\n');
const server = await serveDir(dir);
const browser = await launch();
const errors = [];
const hits = new Uint8Array(1 << 16);
// A first visit: the home page and its console, then a lesson; in English on
// a desktop, and in French on a phone (the app's other language and layout).
for (const [lang, viewport] of [['en', { width: 1400, height: 900 }], ['fr', { width: 390, height: 844 }]]) {
  const context = await browser.newContext({ viewport, serviceWorkers: 'block', locale: lang, isMobile: lang === 'fr' });
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(server.url);
  await page.waitForSelector('#console-input-1');
  for (const cmd of ['PING', 'SET greeting "hello world"', 'GET greeting', 'GET no-such-key', 'EXISTS greeting no-such-key', 'GET']) {
    console.error(`${lang}: ${cmd} -> ${await runCommand(page, cmd)}`);
  }
  await page.goto(server.url + '#/lesson/intro');
  await page.waitForSelector('.lesson-prose');
  await page.waitForTimeout(1000);
  const got = await page.evaluate(() => Array.from(globalThis.__profHits.subarray(0, 1 << 16)));
  got.forEach((h, i) => { hits[i] |= h; });
  await context.close();
}
await browser.close();
await server.close();
if (errors.length) throw new Error('page errors: ' + errors.join('\n'));
const ran = new Set();
hits.forEach((h, i) => {
  if (h && names[i]) ran.add(names[i]);
});
const header = `# Functions the first screen runs (scripts/split-profile.mjs): they stay in the
# primary module; every other function goes to the secondary (scripts/split.mjs).
`;
writeFileSync(KEEP_LIST, header + [...ran].sort().join('\n') + '\n');
console.error(`split-profile: ${ran.size} of ${names.filter(Boolean).length} functions ran; list in ${KEEP_LIST}`);
