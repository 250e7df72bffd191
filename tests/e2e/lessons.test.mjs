// Lessons in a real browser: complete a lesson by clicking its blocks and
// solving the challenge; progress survives a reload; the embed route in an
// iframe posts the documented events to its parent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { server, browser, useBrowser, screenshot, watchErrors } from './helpers.mjs';

useBrowser(undefined, {
    '/course.html': `<!doctype html><html><head><link rel="icon" href="data:,"></head><body><h1>My course</h1>
      <iframe id="lab" title="Redis Lab" width="1200" height="800" style="border:0"></iframe>
      <script>
        window.events = [];
        window.addEventListener('message', (e) => {
          if (e.data && e.data.source === 'redis-lab') window.events.push(e.data);
        });
        document.getElementById('lab').src = '/#/embed/lesson/strings?theme=dark&parentOrigin=' + encodeURIComponent(location.origin);
      </script></body></html>`,
  });

test('the home page lists the whole course', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = watchErrors(page);
  await page.goto(server.url);
  const cards = page.locator('.lesson-card');
  await cards.first().waitFor();
  assert.ok((await cards.count()) >= 17, 'every lesson is on the map');
  assert.match(await cards.first().textContent(), /Why cache\? Meet Redis/);
  assert.match(await page.locator('.lesson-map-head').textContent(), /0 of \d+ lessons complete/);
  await screenshot(page, 'home-lesson-map');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a learner completes the strings lesson and the progress survives a reload', async () => {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(server.url + '#/lesson/strings');
  await page.locator('#lesson-title').waitFor();
  assert.equal(await page.locator('#lesson-title').textContent(), 'Strings — session tokens and counters');

  // Click the first block: it is typed into the console and runs there.
  await page.locator('.run-button').first().click();
  const log = page.locator('.console[data-client="1"] .line.output');
  await page.waitForFunction(() => document.querySelectorAll('.console[data-client="1"] .line.output').length >= 3);
  assert.equal(await log.nth(0).textContent(), 'OK');
  assert.equal(await log.nth(1).textContent(), '"user_id:42"');
  assert.equal(await log.nth(2).textContent(), '(integer) 10');

  // Checking too early explains what the check saw.
  const challenge = page.locator('.challenge');
  await challenge.getByRole('button', { name: 'Check' }).click();
  await challenge.locator('.verdict.no').waitFor();
  // Hints come one at a time.
  await challenge.getByRole('button', { name: /Show a hint \(1 of 2\)/ }).click();
  assert.equal(await challenge.locator('.hints li').count(), 1);

  // Solve it by typing in the console.
  const input = page.locator('#console-input-1');
  for (const cmd of ['DEL views:homepage', 'INCR views:homepage', 'INCR views:homepage', 'INCR views:homepage']) {
    await input.fill(cmd);
    await input.press('Enter');
  }
  await page.waitForFunction(() => [...document.querySelectorAll('.console[data-client="1"] .line.output')].some((e) => e.textContent === '(integer) 3'));
  await challenge.getByRole('button', { name: 'Check' }).click();
  await challenge.locator('.verdict.ok').waitFor();
  await page.locator('.done-badge').waitFor();
  await screenshot(page, 'lesson-strings-complete');

  // Progress survives a reload and shows on the map.
  await page.reload();
  await page.locator('#lesson-title').waitFor();
  await page.locator('.done-badge').waitFor();
  await page.goto(server.url + '#/');
  await page.locator('.lesson-card.complete').first().waitFor();
  assert.match(await page.locator('.lesson-map-head').textContent(), /1 of \d+ lessons complete/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the TTL lesson moves the clock and the session key disappears', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors = watchErrors(page);
  await page.goto(server.url + '#/lesson/ttl');
  await page.locator('#lesson-title').waitFor();
  const blocks = page.locator('.run-button');
  const count = await blocks.count();
  for (let i = 0; i < count; i++) {
    await blocks.nth(i).click();
  }
  await page.waitForFunction(() => [...document.querySelectorAll('.console[data-client="1"] .line.output')].filter((e) => e.textContent === '(nil)').length >= 1);
  const outputs = await page.locator('.console[data-client="1"] .line.output').allTextContents();
  assert.ok(outputs.includes('(integer) 300'), 'TTL after SET … EX 300');
  assert.ok(outputs.includes('"token-7f3a"'), 'the session exists first');
  assert.equal(outputs.at(-2), '(nil)', 'gone after 11 s');
  assert.equal(outputs.at(-1), '(integer) 0');
  await screenshot(page, 'lesson-ttl');
  assert.deepEqual(errors, []);
  await page.close();
});

test('the list lesson drives two clients: BRPOP waits and LPUSH releases it', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
  const errors = watchErrors(page);
  await page.goto(server.url + '#/lesson/lists');
  await page.locator('#console-input-2').waitFor();
  const blocks = page.locator('.run-button');
  const count = await blocks.count();
  for (let i = 0; i < count; i++) {
    await blocks.nth(i).click();
    await page.waitForTimeout(50);
  }
  await page.waitForFunction(() => [...document.querySelectorAll('.console[data-client="2"] .line.output')].some((e) => e.textContent.includes('"invoice:2024-001"')));
  await screenshot(page, 'lesson-lists-two-clients');
  assert.deepEqual(errors, []);
  await page.close();
});

test('an embedded lesson posts ready, step-run and challenge-passed to its parent', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = watchErrors(page);
  await page.goto(server.url + 'course.html');
  const frame = page.frameLocator('#lab');
  await frame.locator('#lesson-title').waitFor();
  assert.equal(await frame.locator('.topbar').count(), 0, 'no site chrome in the embed');
  assert.equal(await frame.locator('html').getAttribute('data-theme'), 'dark');
  await frame.locator('.run-button').first().click();
  const input = frame.locator('#console-input-1');
  for (const cmd of ['INCR views:homepage', 'INCR views:homepage', 'INCR views:homepage']) {
    await input.fill(cmd);
    await input.press('Enter');
  }
  await frame.locator('.challenge').getByRole('button', { name: 'Check' }).click();
  await frame.locator('.verdict.ok').waitFor();
  await page.waitForFunction(() => window.events.some((e) => e.type === 'lesson-completed'));
  const events = await page.evaluate(() => window.events);
  const types = events.map((e) => e.type);
  assert.equal(types[0], 'ready');
  assert.ok(types.includes('step-run'));
  const passed = events.find((e) => e.type === 'challenge-passed');
  assert.deepEqual({ lesson: passed.lesson, challenge: passed.challenge, version: passed.version }, { lesson: 'strings', challenge: 'reset-counter', version: 1 });
  const step = events.find((e) => e.type === 'step-run');
  assert.equal(step.lesson, 'strings');
  assert.equal(step.step, 1);
  assert.equal(step.command, 'SET token:abc123 "user_id:42"');
  await screenshot(page, 'embedded-lesson');
  assert.deepEqual(errors, []);
  await page.close();
});

test('lesson text never runs HTML from a lesson file', async () => {
  const page = await browser.newPage();
  let alerted = false;
  page.on('dialog', async (d) => {
    alerted = true;
    await d.dismiss();
  });
  await page.goto(server.url);
  await page.locator('.custom-lesson summary').click();
  const md = '---\nid: evil\ntitle: Evil <b>lesson</b>\nsummary: x\n---\n<img src=x onerror=alert(1)>\n\n[click](javascript:alert(2))\n\n```challenge\nid: c\ngoal: Set k.\ncheck: GET k\n=> "v"\nsolution: SET k v\n```\n';
  await page.locator('#lesson-text').fill(md);
  await page.getByRole('button', { name: 'Open this lesson' }).click();
  await page.locator('#lesson-title').waitFor();
  assert.equal(await page.locator('#lesson-title').textContent(), 'Evil <b>lesson</b>');
  assert.match(await page.locator('.lesson-prose').first().textContent(), /<img src=x onerror=alert\(1\)>/);
  assert.equal(await page.locator('.lesson-prose img').count(), 0);
  assert.equal(await page.locator('a[href^="javascript"]').count(), 0);
  await page.waitForTimeout(200);
  assert.equal(alerted, false);
  await page.close();
});

test('every lesson page renders, with its blocks and a challenge', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors = watchErrors(page);
  await page.goto(server.url);
  const links = await page
    .locator('.lesson-link')
    .evaluateAll((as) => as.map((a) => [a.getAttribute('href'), a.querySelector('.lesson-title').textContent]));
  assert.ok(links.length >= 17);
  for (const [href, title] of links) {
    const id = href.split('/').pop();
    await page.goto(server.url + '#/lesson/' + id);
    // This lesson's text, not the previous one's (a lesson's file is fetched when it opens).
    await page.waitForFunction((t) => document.querySelector('#lesson-title')?.textContent === t, title);
    assert.ok((await page.locator('.run-button').count()) >= 1 || id === 'quiz', `${id} has runnable blocks`);
    assert.ok((await page.locator('.challenge').count()) >= 1, `${id} has a challenge`);
    await screenshot(page, `lesson-${id}`);
  }
  // The write-behind crash is a labelled button.
  await page.goto(server.url + '#/lesson/invalidation');
  await page.getByRole('button', { name: /Crash the cache server/ }).waitFor();
  assert.deepEqual(errors, []);
  await page.close();
});
