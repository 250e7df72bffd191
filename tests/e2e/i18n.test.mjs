// The page in another language: ?lang=fr, the browser's languages, the
// header's switcher (remembered), French lessons whose blocks still print
// Redis's own replies, and the English fallback for untranslated lessons.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { server, browser, useBrowser, watchErrors, screenshot } from './helpers.mjs';

useBrowser();

async function fresh(options = {}) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, locale: 'en-US', ...options });
  const page = await context.newPage();
  const errors = watchErrors(page);
  return { context, page, errors };
}

const navText = (page) => page.locator('header.topbar nav').innerText();

test('?lang=fr: the French frame and lesson 2 in French; a block prints what Redis prints', async () => {
  const { context, page, errors } = await fresh();
  await page.goto(`${server.url}?lang=fr#/lesson/strings`);
  await page.waitForSelector('.run-block');
  assert.equal(await page.getAttribute('html', 'lang'), 'fr');
  const nav = await navText(page);
  assert.match(nav, /Leçons/);
  assert.match(nav, /Bac à sable/);
  assert.equal(await page.locator('#lesson-title').innerText(), 'Chaînes — jetons de session et compteurs');
  assert.match(await page.locator('.lesson-prose').first().innerText(), /La valeur accepte/);
  assert.equal(await page.locator('.challenge h2').innerText(), 'À vous');
  assert.match(await page.locator('.lesson-progress').innerText(), /Défi réussi : 0 sur 1/);
  assert.equal(await page.locator('#lang-select').inputValue(), 'fr');

  // The first block, run by its French button: Redis's replies, untranslated.
  const button = page.getByRole('button', { name: 'Exécuter : bloc 1' });
  await button.click();
  const log = page.locator('.console[data-client="1"] .console-log');
  await page.waitForFunction(() => document.querySelector('.console[data-client="1"] .console-log')?.textContent.includes('(integer) 10'));
  const printed = await log.innerText();
  assert.match(printed, /^OK$/m);
  assert.match(printed, /^"user_id:42"$/m);
  assert.match(printed, /^\(integer\) 10$/m);

  // A challenge checked before it is solved: the verdict frame and the
  // lesson's own words are French; the command and its output are Redis's.
  await page.getByRole('button', { name: 'Vérifier' }).click();
  const verdict = page.locator('.verdict.no');
  await verdict.waitFor();
  assert.equal(await verdict.locator('.verdict-head').innerText(), 'Pas encore.');
  assert.match(await verdict.innerText(), /devrait valoir exactement 3/);
  assert.match(await verdict.innerText(), /La vérification a exécuté GET views:homepage et obtenu \(nil\)/);
  await page.getByRole('button', { name: /Afficher un indice \(1 sur 2\)/ }).click();
  assert.match(await page.locator('.hints').innerText(), /fait repartir le compteur/);
  await screenshot(page, 'i18n-fr-lesson');
  assert.deepEqual(errors, []);
  await context.close();
});

test('the browser\'s preferred languages choose French when nothing else does', async () => {
  const { context, page, errors } = await fresh({ locale: 'fr-FR' });
  await page.goto(`${server.url}#/`);
  await page.waitForSelector('.lesson-card');
  assert.equal(await page.getAttribute('html', 'lang'), 'fr');
  assert.match(await page.locator('#course-title').innerText(), /Le cours/);
  assert.match(await page.locator('.lesson-list').innerText(), /Pourquoi un cache \? Voici Redis/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the switcher changes the language and the choice is remembered', async () => {
  const { context, page, errors } = await fresh();
  await page.goto(`${server.url}#/`);
  await page.waitForSelector('.lesson-card');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.match(await navText(page), /Lessons/);
  const select = page.getByRole('combobox', { name: 'Language' });
  await select.selectOption('fr');
  await page.waitForFunction(() => document.documentElement.lang === 'fr');
  assert.match(await navText(page), /Leçons/);
  assert.match(await page.locator('#course-title').innerText(), /Le cours/);
  assert.equal(await page.evaluate(() => localStorage.getItem('redis-lab:lang')), 'fr');

  await page.reload();
  await page.waitForSelector('.lesson-card');
  assert.equal(await page.getAttribute('html', 'lang'), 'fr');
  assert.match(await navText(page), /Leçons/);

  // Back to English from a page whose address asked for French.
  await page.goto(`${server.url}?lang=fr#/playground`);
  await page.waitForSelector('#console-input-1');
  await page.getByRole('combobox', { name: 'Langue' }).selectOption('en');
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  assert.doesNotMatch(page.url(), /lang=fr/);
  await page.reload();
  await page.waitForSelector('#console-input-1');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.match(await page.locator('main h1').innerText(), /Playground/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('an untranslated lesson is shown in English with a note; embeds take ?lang= too', async () => {
  const { context, page, errors } = await fresh();
  await page.goto(`${server.url}?lang=fr#/lesson/sets`);
  await page.waitForSelector('.run-block');
  const note = page.locator('.untranslated');
  assert.match(await note.innerText(), /pas encore traduite en français/);
  const title = page.locator('#lesson-title');
  assert.match(await title.innerText(), /^Sets — tags/);
  assert.equal(await title.getAttribute('lang'), 'en');
  assert.match(await page.locator('.lesson-nav').innerText(), /Hashes — un profil utilisateur/);

  // A translated lesson has no such note.
  await page.goto(`${server.url}?lang=fr#/lesson/hashes`);
  await page.waitForSelector('.run-block');
  assert.equal(await page.locator('.untranslated').count(), 0);

  const embed = await context.newPage();
  await embed.goto(`${server.url}#/embed/lesson/ttl?lang=fr`);
  await embed.waitForSelector('.run-block');
  assert.equal(await embed.getAttribute('html', 'lang'), 'fr');
  assert.equal(await embed.locator('#lesson-title').innerText(), 'TTL — laisser expirer les données en cache');
  assert.ok(await embed.getByRole('button', { name: 'Exécuter : bloc 1' }).isVisible());
  assert.deepEqual(errors, []);
  await context.close();
});

test('before the engine has loaded, the static shell is in French too', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
  let release;
  const held = new Promise((ok) => { release = ok; });
  await context.route('**/*.wasm', async (route) => {
    await held;
    await route.abort();
  });
  const page = await context.newPage();
  await page.goto(`${server.url}?lang=fr#/`);
  const shell = page.locator('#boot-shell');
  assert.ok(await shell.isVisible());
  assert.equal(await page.getAttribute('html', 'lang'), 'fr');
  assert.match(await shell.locator('nav').innerText(), /Leçons/);
  assert.equal(await page.locator('#boot-course-title').innerText(), 'Le cours');
  assert.equal(await shell.locator('.lesson-card .lesson-title').first().innerText(), 'Pourquoi un cache ? Voici Redis');
  assert.match(await shell.locator('.lesson-card .status').first().innerText(), /Pas commencée/);
  assert.match(await page.locator('#boot-progress').innerText(), /^Leçons terminées : 0 sur \d+$/);
  assert.match(await shell.locator('.boot-console').first().innerText(), /Démarrage du moteur Redis/);

  // A translated lesson's text, and an untranslated one in English.
  await shell.locator('a[href="#/lesson/strings"]').click();
  const lesson = page.locator('#boot-lesson .lesson-text');
  await lesson.locator('h1').waitFor();
  assert.equal(await lesson.locator('h1').innerText(), 'Chaînes — jetons de session et compteurs');
  assert.match(await lesson.locator('.crumbs').innerText(), /Leçons · 2 sur \d+/);
  assert.match(await lesson.innerText(), /INCRBY views:homepage 10/);
  await page.goto(`${server.url}?lang=fr#/lesson/sets`);
  await lesson.locator('h1').waitFor();
  assert.match(await lesson.locator('h1').innerText(), /^Sets — tags/);
  release();
  await page.locator('#boot-lesson .boot-console', { hasText: "n'a pas pu être chargé" }).waitFor();
  await context.close();
});

test('the latency demo in French: labels, charts, results and explanations; the API log stays as the API prints it', async () => {
  const { context, page, errors } = await fresh();
  await page.goto(`${server.url}?lang=fr#/latency`);
  await page.waitForSelector('#run-both');
  assert.equal(await page.locator('#latency-title').innerText(), 'Avec ou sans cache : la démo de latence');
  assert.equal(await page.locator('#run-both').innerText(), 'Lancer les deux côte à côte');
  assert.match(await page.locator('label[for="f-users"]').innerText(), /Utilisateurs/);
  await page.click('#run-both');
  await page.waitForSelector('#lat-progress');
  if ((await page.locator('#lat-skip').count()) > 0) await page.click('#lat-skip').catch(() => {});
  await page.waitForSelector('#results-table', { timeout: 20_000 });
  const headers = await page.locator('#results-table thead th').allTextContents();
  assert.deepEqual(headers, ['Statistique', 'Sans cache', 'Cache-aside']);
  assert.match(await page.locator('#results-table tbody').innerText(), /Médiane/);
  assert.equal(await page.locator('#results-table td[data-stat="Median"]').count(), 2);
  assert.match(await page.locator('#chart-rt .legend').innerText(), /Sans cache p50/);
  assert.match(await page.locator('#explain-title').innerText(), /Ce que montre ce test/);
  assert.match(await page.locator('[data-explainer="rps"]').first().innerText(), /utilisateurs \/ \(temps de réponse/);
  await page.click('.lat-tabs button:has-text("Sans cache")');
  assert.match(await page.locator('#api-log').innerText(), /DATABASE HIT: Fetching product \d+ from the database/);
  await screenshot(page, 'i18n-fr-latency');
  assert.deepEqual(errors, []);
  await context.close();
});
