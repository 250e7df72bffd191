// What a learner and a course author meet: a big value in the console,
// challenge feedback in words, the author check of a pasted lesson, the
// embed's events, client labels, subscribed mode and the geo picture.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { server, browser, useBrowser, screenshot, watchErrors, runCommand, openPage, outputSinceLastInput } from './helpers.mjs';

useBrowser(undefined, {
    '/course.html': `<!doctype html><html><head><link rel="icon" href="data:,"></head><body><h1>My course</h1>
      <iframe id="lab" title="Redis Lab" width="1200" height="800" style="border:0"></iframe>
      <script>
        window.events = [];
        window.addEventListener('message', (e) => {
          if (e.data && e.data.source === 'redis-lab') window.events.push(e.data);
        });
        document.getElementById('lab').src = '/#/embed/lesson/strings?parentOrigin=' + encodeURIComponent(location.origin);
      </script></body></html>`,
  });

const FIVE_MB = 5 * 1024 * 1024;

/** Records what the page copies instead of touching the real clipboard. */
async function recordCopies(context) {
  await context.addInitScript(() => {
    window.__copied = [];
    Object.defineProperty(navigator, 'clipboard', {
      value: { writeText: (t) => { window.__copied.push(t); return Promise.resolve(); } },
    });
  });
}

test('a 5 MB value is shortened with "show all" and "copy", and PING still answers after it', async () => {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  await recordCopies(context);
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(server.url + '#/playground');
  await page.waitForSelector('#console-input-1');
  assert.equal(await runCommand(page, 'PING'), 'PONG');

  // The value is typed into the console, as a learner pasting it would.
  assert.equal(await runCommand(page, `SET big ${'x'.repeat(FIVE_MB)}`), 'OK');
  const log = page.locator('.console[data-client="1"] .console-log');
  const echoed = log.locator('.line.input').last();
  const typed = (await echoed.locator('.typed').textContent()) ?? '';
  assert.ok(typed.startsWith('SET big xxx') && typed.length < 2100, `the echo is shortened (${typed.length} chars)`);

  assert.equal((await runCommand(page, 'GET big')).length < 2100, true, 'the reply is shortened');
  const reply = log.locator('pre.line.output').last();
  assert.match((await reply.textContent()) ?? '', /^"x{100}/);
  const tools = log.locator('.long-tools').last();
  assert.match(await tools.textContent(), /5,2\d\d,\d\d\d more characters/);
  await tools.getByRole('button', { name: 'copy' }).click();
  const copied = await page.evaluate(() => window.__copied.at(-1).length);
  assert.equal(copied, FIVE_MB + 2, 'copy takes the whole reply, quotes included');
  assert.equal(await tools.getByRole('button', { name: 'show all' }).count(), 1);

  // Later commands are answered (the browser benchmark measures how fast).
  for (let i = 0; i < 3; i++) assert.equal(await runCommand(page, 'PING'), 'PONG');
  assert.equal(await runCommand(page, 'STRLEN big'), `(integer) ${FIVE_MB}`);
  await screenshot(page, 'console-5mb-value');

  // "show all" on a shorter long reply shows it whole, "show less" folds it again.
  await runCommand(page, `SET mid ${'y'.repeat(3000)}`);
  await runCommand(page, 'GET mid');
  const midTools = log.locator('.long-tools').last();
  await midTools.getByRole('button', { name: 'show all' }).click();
  await page.waitForFunction(() => [...document.querySelectorAll('.console-log pre.line.output')].at(-1).textContent.length === 3002);
  assert.doesNotMatch(await midTools.textContent(), /more characters/);
  await midTools.getByRole('button', { name: 'show less' }).click();
  await page.waitForFunction(() => [...document.querySelectorAll('.console-log pre.line.output')].at(-1).textContent.length < 2100);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the transcript draws only its newest lines; "Copy transcript" has them all', async () => {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  await recordCopies(context);
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(server.url + '#/playground');
  await page.waitForSelector('#console-input-1');
  await page.locator('#console-input-1').focus();
  const lines = Array.from({ length: 200 }, (_, i) => `ECHO line-${i}`).join('\n') + '\n';
  await page.evaluate((text) => {
    const dt = new DataTransfer();
    dt.setData('text/plain', text);
    document.activeElement.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
  }, lines);
  await page.waitForFunction(() => Number(document.querySelector('.console-log').dataset.seq) >= 400);
  assert.equal(await outputSinceLastInput(page), '"line-199"');
  const drawn = await page.locator('.console[data-client="1"] .console-log .line.input').count();
  assert.ok(drawn <= 150, `only the newest lines are drawn (${drawn} inputs)`);
  assert.match(await page.locator('.line.older').textContent(), /earlier lines not shown here/);
  await page.getByRole('button', { name: 'Copy transcript of client 1' }).click();
  const copied = await page.evaluate(() => window.__copied.at(-1));
  assert.ok(copied.startsWith('127.0.0.1:6379> ECHO line-0\n"line-0"\n'), copied.slice(0, 80));
  assert.ok(copied.includes('"line-199"'));
  assert.deepEqual(errors, []);
  await context.close();
});

test('the TTL challenge rejects 15 s with a sentence, never the pattern', async () => {
  const { context, page, errors } = await openPage(browser, server.url, '#/lesson/ttl');
  await runCommand(page, 'EXPIRE cache:price:42 15');
  const challenge = page.locator('.challenge');
  await challenge.getByRole('button', { name: 'Check' }).click();
  const verdict = challenge.locator('.verdict.no');
  await verdict.waitFor();
  const words = await verdict.locator('.verdict-words').textContent();
  assert.match(words, /^cache:price:42 should expire in about 60 seconds \(a TTL from 50 to 60\); its TTL is 1[45]\.$/);
  const all = await verdict.textContent();
  assert.doesNotMatch(all, /[[\]~{}]|something like/, 'no glob or range shows');
  assert.match(all, /The check ran TTL cache:price:42 and got \(integer\) 1[45]\./);
  await screenshot(page, 'lesson-ttl-feedback');
  await runCommand(page, 'EXPIRE cache:price:42 60');
  await challenge.getByRole('button', { name: 'Check' }).click();
  await challenge.locator('.verdict.ok').waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

const AUTHOR_LESSON = `---
id: strings
title: My own lesson
summary: An author's draft.
---
# My own lesson

\`\`\`redis
SET a 1
=> OK
\`\`\`

\`\`\`redis
GET a
=> "2"
INCR a
=> (integer) 2
\`\`\`

\`\`\`challenge
id: c
goal: Make a hold 5.
check: GET a
=> "5"
solution: SET a 5
\`\`\`
`;

async function openAuthorLesson(page, markdown) {
  await page.goto(server.url);
  await page.locator('.custom-lesson summary').click();
  await page.locator('#lesson-text').fill(markdown);
  await page.getByRole('button', { name: 'Open this lesson' }).click();
  await page.locator('#lesson-title').waitFor();
}

test('an author lesson with a wrong expectation is flagged in its block and summed up at the top', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors = watchErrors(page);
  await openAuthorLesson(page, AUTHOR_LESSON);
  const summary = page.locator('.author-check');
  assert.ok(await summary.evaluate((el) => el.classList.contains('problems')));
  assert.match(await summary.textContent(), /1 expected output of 3 differ from what the file expects, in 1 block/);
  const crumbs = await page.locator('.crumbs').textContent();
  assert.match(crumbs, /your own lesson file/);
  assert.doesNotMatch(crumbs, /of 18|0 of/, 'not placed in the course, although it reuses a course id');
  const blocks = page.locator('.run-block');
  assert.equal(await blocks.nth(0).locator('.block-differs').count(), 0);
  assert.match(await blocks.nth(0).locator('.block-matches').textContent(), /matches the file/);
  const differs = blocks.nth(1).locator('.block-differs');
  assert.match(await differs.textContent(), /Block 2/);
  assert.deepEqual(await differs.locator('dd').allTextContents(), ['GET a', '"2"', '"1"']);
  await screenshot(page, 'author-lesson-mismatch');

  // A correct file says so.
  await openAuthorLesson(page, AUTHOR_LESSON.replace('=> "2"', '=> "1"'));
  assert.match(await page.locator('.author-check').textContent(), /Every one of the 3 expected outputs matches/);
  assert.equal(await page.locator('.block-differs').count(), 0);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the embed posts one step-run per Run with its commands, challenge-failed and hint-shown', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = watchErrors(page);
  await page.goto(server.url + 'course.html');
  const frame = page.frameLocator('#lab');
  await frame.locator('#lesson-title').waitFor();
  const commands = await frame.locator('.run-block').first().locator('.cmd').allTextContents();
  assert.ok(commands.length >= 2, 'the first block has several commands');
  await frame.locator('.run-button').first().click();
  await frame.locator('.run-button').nth(1).click();
  const challenge = frame.locator('.challenge');
  await challenge.getByRole('button', { name: 'Check' }).click();
  await challenge.locator('.verdict.no').waitFor();
  await challenge.getByRole('button', { name: /Show a hint \(1 of/ }).click();
  await page.waitForFunction(() => window.events.some((e) => e.type === 'hint-shown'));
  const events = await page.evaluate(() => window.events);
  const steps = events.filter((e) => e.type === 'step-run');
  assert.equal(steps.length, 2, `one step-run per Run: ${JSON.stringify(steps)}`);
  assert.deepEqual(steps.map((s) => s.step), [1, 2]);
  assert.deepEqual(steps[0].commands, commands);
  assert.equal(steps[0].command, commands[0]);
  const failed = events.filter((e) => e.type === 'challenge-failed');
  assert.equal(failed.length, 1);
  assert.equal(failed[0].lesson, 'strings');
  assert.equal(failed[0].challenge, 'reset-counter');
  assert.equal(failed[0].message, await challenge.locator('.verdict-words').first().textContent());
  const hint = events.find((e) => e.type === 'hint-shown');
  assert.deepEqual({ hint: hint.hint, challenge: hint.challenge, version: hint.version }, { hint: 1, challenge: 'reset-counter', version: 1 });
  assert.equal(hint.text, await challenge.locator('.hints li').first().textContent());
  assert.deepEqual(errors, []);
  await page.close();
});

test('the console label names what CLIENT ID answers, and SUBSCRIBE switches to redis-cli\'s reading mode', async () => {
  const { context, page, errors } = await openPage(browser, server.url, '#/lesson/pubsub-transactions');
  const id = (await runCommand(page, 'CLIENT ID')).replace('(integer) ', '');
  assert.equal(await page.locator('.console[data-client="1"] .client-id').textContent(), ` · CLIENT ID ${id}`);
  const prompt = page.locator('.console[data-client="1"] label.prompt');
  assert.equal(await prompt.textContent(), '127.0.0.1:6379>');
  await runCommand(page, 'SUBSCRIBE news');
  assert.equal(await prompt.textContent(), 'Reading messages... (press Ctrl-C to quit)');
  // Still answers what a subscribed client may send.
  assert.match(await runCommand(page, 'PING'), /"pong"/);
  await screenshot(page, 'console-subscribed');
  await page.locator('#console-input-1').press('Control+c');
  await page.waitForFunction(() => document.querySelector('.console[data-client="1"] label.prompt').textContent === '127.0.0.1:6379>');
  assert.equal(await runCommand(page, 'PING'), 'PONG');
  assert.deepEqual(errors, []);
  await context.close();
});

test('the geo picture labels its extent and keeps every label inside', async () => {
  for (const viewport of [{ width: 1400, height: 1000 }, { width: 390, height: 844 }]) {
    const { context, page, errors } = await openPage(browser, server.url, '#/playground', { viewport });
    await runCommand(page, 'GEOADD Sicily 13.361389 38.115556 Palermo 15.087269 37.502669 Catania 14.2681 37.5079 "Caltanissetta centro"');
    await page.locator('#key-filter').fill('Sicily');
    await page.locator('.key-row button').first().click();
    const svg = page.locator('.geo-plane');
    await svg.waitFor();
    const axes = await svg.locator('.geo-axis').allTextContents();
    assert.equal(axes.length, 5);
    assert.ok(axes.filter((t) => /° E$/.test(t)).length === 2 && axes.filter((t) => /° N$/.test(t)).length === 2, axes.join(' | '));
    assert.match(axes[4], /^≈ \d+ km across$/);
    const plane = await svg.boundingBox();
    const boxes = [];
    for (const label of await svg.locator('.geo-point text').all()) {
      const box = await label.boundingBox();
      const name = await label.textContent();
      assert.ok(box.x >= plane.x - 0.5 && box.x + box.width <= plane.x + plane.width + 0.5, `${name} inside horizontally`);
      assert.ok(box.y >= plane.y - 0.5 && box.y + box.height <= plane.y + plane.height + 0.5, `${name} inside vertically`);
      boxes.push({ name, ...box });
    }
    for (const [i, a] of boxes.entries()) {
      for (const b of boxes.slice(i + 1)) {
        const apart = a.x + a.width <= b.x + 0.5 || b.x + b.width <= a.x + 0.5 || a.y + a.height <= b.y + 0.5 || b.y + b.height <= a.y + 0.5;
        assert.ok(apart, `${a.name} and ${b.name} do not cover each other`);
      }
    }
    await svg.scrollIntoViewIfNeeded();
    await screenshot(page, `geo-extent-${viewport.width}`);
    assert.deepEqual(errors, []);
    await context.close();
  }
});
