// Files the app fetches when it needs them instead of carrying them in its
// module or index.html: a lesson's text (lessons/*.md, named after their content by
// scripts/postbuild.mjs) and another language's catalogue (i18n/<lang>.json).
// A lesson opened cold is fetched and shown, the French switch fetches its
// catalogue, and a failed fetch says so with a way to try again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { server, browser, useBrowser, dist, root, screenshot } from './helpers.mjs';

useBrowser();

async function fresh(options = {}) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, locale: 'en-US', serviceWorkers: 'block', ...options });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  const requested = [];
  page.on('request', (r) => requested.push(new URL(r.url()).pathname));
  return { context, page, errors, requested };
}

test('the module carries no lesson text: a lesson opened cold is fetched and shown', async () => {
  // A sentence of the TTL lesson is in its file of the build, and in no module.
  const source = await readFile(join(root, 'lessons/03-ttl.md'), 'utf8');
  const sentence = source.split('\n').find((l) => l.length > 60 && /^[A-Z]/.test(l));
  assert.ok(sentence, 'a line of prose in lessons/03-ttl.md');
  const built = (await readdir(join(dist, 'lessons'))).find((f) => /^03-ttl-[0-9a-f]{16}\.md$/.test(f));
  assert.ok(built, 'dist/lessons/03-ttl-<hash>.md');
  assert.equal(await readFile(join(dist, 'lessons', built), 'utf8'), source);
  // Nor does index.html: its static shell fetches the file and renders it.
  assert.ok(!(await readFile(join(dist, 'index.html'), 'utf8')).includes(sentence), 'index.html holds no lesson text');
  for (const f of (await readdir(dist)).filter((f) => f.endsWith('.wasm'))) {
    assert.ok(!(await readFile(join(dist, f))).includes(Buffer.from(sentence)), `${f} holds no lesson text`);
  }

  const { context, page, errors, requested } = await fresh();
  await page.goto(server.url + '#/lesson/ttl');
  await page.locator('#lesson-title').waitFor();
  assert.match(await page.locator('#lesson-title').textContent(), /TTL|expir/i);
  assert.ok(requested.includes(`/lessons/${built}`), 'the lesson file was fetched');
  assert.equal(requested.filter((p) => p.startsWith('/lessons/')).length, 1, 'only the lesson opened');
  // Its blocks run: the text is the lesson, parsed, not the static shell's copy.
  assert.ok((await page.locator('.run-block button, .lesson-text button').count()) > 0);
  // The next lesson, reached by its link, is fetched then.
  await page.locator('.lesson-nav .button.primary').click();
  await page.waitForFunction(() => !document.querySelector('.lesson-loading') && document.querySelector('#lesson-title'));
  assert.equal(requested.filter((p) => p.startsWith('/lessons/')).length, 2);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the home page fetches no lesson and no catalogue', async () => {
  const { context, page, errors, requested } = await fresh();
  await page.goto(server.url);
  await page.waitForSelector('#console-input-1');
  await page.waitForTimeout(300);
  assert.deepEqual(requested.filter((p) => p.startsWith('/lessons/') || p.startsWith('/i18n/')), []);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a lesson that cannot be fetched says so, and "Try again" shows it', async () => {
  const { context, page, requested } = await fresh();
  let blocked = true;
  await context.route('**/lessons/**', (route) => (blocked ? route.abort() : route.continue()));
  await page.goto(server.url + '#/lesson/sets');
  const alert = page.locator('.lesson-loading [role=alert]');
  await alert.waitFor();
  assert.match(await alert.textContent(), /could not be loaded/);
  // The lesson's title (from the index) is there, never a blank page.
  assert.match(await page.locator('.lesson-loading h1').textContent(), /Sets/);
  await screenshot(page, 'lesson-fetch-failed');
  blocked = false;
  await alert.getByRole('button', { name: 'Try again' }).click();
  await page.locator('#lesson-title').waitFor();
  assert.match(await page.locator('#lesson-title').textContent(), /Sets/);
  assert.ok(requested.filter((p) => /^\/lessons\/06-sets-/.test(p)).length >= 2);
  await context.close();
});

test('switching to French fetches its catalogue, once', async () => {
  const { context, page, errors, requested } = await fresh();
  await page.goto(server.url + '#/lesson/strings');
  await page.locator('#lesson-title').waitFor();
  assert.deepEqual(requested.filter((p) => p.startsWith('/i18n/')), []);
  await page.locator('#lang-select').selectOption('fr');
  await page.waitForFunction(() => document.documentElement.lang === 'fr');
  assert.match(await page.locator('header.topbar nav').innerText(), /Leçons/);
  // The French lesson text is fetched too.
  await page.waitForFunction(() => document.querySelector('#lesson-title')?.textContent.includes('Chaînes'));
  const catalogue = requested.filter((p) => /^\/i18n\/fr-[0-9a-f]{16}\.json$/.test(p));
  assert.equal(catalogue.length, 1);
  assert.ok(requested.some((p) => /^\/lessons\/fr\/02-strings-[0-9a-f]{16}\.md$/.test(p)));
  // Back to English and again to French: nothing fetched again.
  await page.locator('#lang-select').selectOption('en');
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  await page.locator('#lang-select').selectOption('fr');
  await page.waitForFunction(() => document.documentElement.lang === 'fr');
  assert.equal(requested.filter((p) => p.startsWith('/i18n/')).length, 1);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a French visit whose catalogue cannot be fetched starts in English, says why, and can try again', async () => {
  const { context, page } = await fresh();
  let blocked = true;
  await context.route('**/i18n/**', (route) => (blocked ? route.abort() : route.continue()));
  await page.goto(server.url + '?lang=fr#/');
  await page.waitForSelector('#console-input-1');
  const alert = page.locator('.lang-status[role=alert]');
  await alert.waitFor();
  assert.match(await alert.textContent(), /Français could not be loaded/);
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  await screenshot(page, 'lang-fetch-failed');
  blocked = false;
  await alert.getByRole('button', { name: 'Try again' }).click();
  await page.waitForFunction(() => document.documentElement.lang === 'fr');
  assert.equal(await page.locator('.lang-status').count(), 0);
  assert.match(await page.locator('header.topbar nav').innerText(), /Leçons/);
  await context.close();
});
