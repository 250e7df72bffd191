// Records which functions a first visit runs, for the module split
// (scripts/split.mjs): builds the release app with every function
// instrumented (REDIS_LAB_SPLIT=profile), loads it in headless Chromium, and
// does what a first visit does, in English on a desktop and in French on a
// phone: the home page and its console answering PING, SET and GET (and a
// wrong-arity error), and a second visit (served by the service worker, what
// the first one saved restored) — written to tools/wasm-split/primary.txt — then every
// lesson opened from a link, and the first one's console — what only those
// ran is written to tools/wasm-split/pages.txt.
//
//   node scripts/split-profile.mjs [--check] [dist-dir]
//
// With a dist-dir, uses that instrumented build instead of building one.
// With --check (scripts/test.sh), writes no list: it checks the committed
// lists' data placement against the reads (see below) and fails on a miss.
// A stale list costs only an earlier load of the secondary, never correctness.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KEEP_LIST, PAGES_LIST, tool, sha256 } from './split.mjs';
import { readLessons } from './postbuild.mjs';
import { launch, root, serveDir, runCommand } from '../tests/e2e/helpers.mjs';

const args = process.argv.slice(2);
const check = args[0] === '--check';
let dir = check ? args[1] : args[0];
const built = !dir;
if (!dir) {
  dir = mkdtempSync(join(tmpdir(), 'redis-lab-profile-'));
  execFileSync('trunk', ['build', '--release', '--offline', '--dist', dir], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, REDIS_LAB_SPLIT: 'profile' },
  });
}
const names = readFileSync(join(dir, 'profile-names.txt'), 'utf8').split('\n');
// (Lessons on several servers start with both secondaries: scripts/split.mjs.)
const lessonIds = readLessons()
  .filter((l) => !l.topology)
  .map((l) => l.id);
const server = await serveDir(dir);
const browser = await launch();
const errors = [];
const home = new Uint8Array(1 << 16);
const lesson = new Uint8Array(1 << 16);
// Data addresses read, by the module that will hold what read them: the
// primary, and the pages module (the split's second part, `1`).
const reads = { primary: new Set(), 1: new Set() };
const snapshot = async (page, into, readsInto) => {
  const got = await page.evaluate(() => Array.from(globalThis.__profHits.subarray(0, 1 << 16)));
  got.forEach((h, i) => {
    into[i] |= h;
  });
  const addresses = await page.evaluate(() => {
    const all = Array.from(globalThis.__profReads);
    globalThis.__profReads.clear();
    return all;
  });
  for (const a of addresses) readsInto.add(a);
};
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
  await page.waitForTimeout(1000);
  await snapshot(page, home, reads.primary);
  // From the home page into a lesson and back, as a learner clicks through,
  // then every lesson opened as from a link (a fresh load), and the first
  // one's console.
  for (const hash of ['#/lesson/intro', '#/', '#/lesson/strings', '#/lesson/intro']) {
    await page.evaluate((h) => {
      location.hash = h;
    }, hash);
    await page.waitForTimeout(700);
  }
  await snapshot(page, lesson, reads[1]);
  for (const id of lessonIds) {
    await page.goto(`${server.url}?profile=${id}#/lesson/${id}`);
    await page.waitForSelector('.lesson-prose');
    if (id === lessonIds[0]) {
      for (const cmd of ['PING', 'SET greeting "hello world"', 'GET greeting']) {
        console.error(`${lang} lesson: ${cmd} -> ${await runCommand(page, cmd)}`);
      }
    }
    await page.waitForTimeout(500);
    await snapshot(page, lesson, reads[1]);
  }
  await context.close();
}
// A second visit: the page the service worker serves, with what the first
// visit saved (its keys, the console's history) restored on start.
{
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: 'en' });
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(server.url);
  await page.waitForSelector('#console-input-1');
  for (const cmd of ['SET greeting "hello world"', 'SET visits 1']) await runCommand(page, cmd);
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.waitForTimeout(1000);
  await page.goto(server.url);
  if (!(await page.evaluate(() => !!navigator.serviceWorker.controller))) throw new Error('the second visit is not served by the service worker');
  await page.waitForSelector('#console-input-1');
  for (const cmd of ['PING', 'GET greeting']) console.error(`second visit: ${cmd} -> ${await runCommand(page, cmd)}`);
  await page.waitForTimeout(1000);
  await snapshot(page, home, reads.primary);
  await context.close();
}
await browser.close();
await server.close();
if (built) rmSync(dir, { recursive: true, force: true });
if (errors.length) throw new Error('page errors: ' + errors.join('\n'));
const ran = new Set();
const pages = new Set();
home.forEach((h, i) => {
  if (h && names[i]) ran.add(names[i]);
});
lesson.forEach((h, i) => {
  if (h && names[i] && !ran.has(names[i])) pages.add(names[i]);
});
const header = `# Functions the home page runs (scripts/split-profile.mjs): they stay in the
# primary module; the others go to the pages module (pages.txt) or the extra one
# (scripts/split.mjs).
`;
const pagesHeader = `# Functions a lesson page runs beyond the home page (scripts/split-profile.mjs):
# the pages module (scripts/split.mjs), loaded with the primary on any page
# but the home page, and first in the background on the home page.
`;
if (!check) {
  writeFileSync(KEEP_LIST, header + [...ran].sort().join('\n') + '\n');
  writeFileSync(PAGES_LIST, pagesHeader + [...pages].sort().join('\n') + '\n');
}
// The reads, for this very module's split (scripts/split.mjs passes them on
// while the module is unchanged), and a check of the data placement against
// them: data the home page read must stay in the primary, data a lesson
// read in the primary or the pages module.
const { bin, target } = tool();
const work = join(target, 'wasm-split');
const whole = join(work, 'whole_bg.wasm');
const lines = [`# whole ${sha256(readFileSync(whole))}`];
for (const [part, set] of Object.entries(reads)) for (const a of set) lines.push(`${part} ${a.toString(16)}`);
writeFileSync(join(work, 'profile-reads.txt'), lines.join('\n') + '\n');
const map = join(target, 'wasm32-unknown-unknown', 'release', 'redis-lab.map');
const scratch = mkdtempSync(join(tmpdir(), 'redis-lab-split-check-'));
const out = (f) => join(scratch, f);
const run = spawnSync(
  bin,
  ['split', whole, KEEP_LIST, out('p.wasm'), out('x.wasm'), '--map', map, '--reads', join(work, 'profile-reads.txt'), PAGES_LIST, out('pg.wasm')],
  { encoding: 'utf8' },
);
rmSync(scratch, { recursive: true, force: true });
if (run.status !== 0) throw new Error(`split check failed: ${run.stderr}`);
const report = run.stderr;
const missed = Number(/(\d+) bytes read at run time that the analysis alone would have moved/.exec(report)?.[1] ?? NaN);
console.error(`split-profile: ${reads.primary.size + reads[1].size} data addresses read; ${missed} bytes of them would have been moved away by the analysis alone`);
const total = names.filter(Boolean).length;
console.error(`split-profile: of ${total} functions, ${ran.size} ran on the home page (${KEEP_LIST}), ${pages.size} more on a lesson (${PAGES_LIST})`);
if (!(missed === 0)) {
  console.error(
    check
      ? 'split-profile: the data placement of the committed lists misses reads (see above)'
      : 'split-profile: the data placement missed reads (see above): it must be fixed before this list is used',
  );
  process.exit(1);
}
