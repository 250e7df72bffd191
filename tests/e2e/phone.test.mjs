// The learner on a phone (390×844, touch): a lesson opens at its title, a
// block's output shows under the block that was tapped, a challenge is
// checked from its own prompt, touch targets are at least 44 px; and from
// any console the session can be copied as a redis-cli script or a Python
// program. Escape leaves a console's input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { server, browser, useBrowser, screenshot, watchErrors, openPage, runCommand } from './helpers.mjs';

useBrowser();

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

test('on a phone a lesson opens at its title and each Run shows its output under the block', async () => {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(`${server.url}#/lesson/ttl`);
  await page.waitForSelector('#console-input-1');
  await page.waitForTimeout(300);
  assert.equal(await page.evaluate(() => window.scrollY), 0, 'the page stays at the top');
  assert.ok(await page.locator('.lesson-text h1').first().isVisible(), 'the title is in view');
  assert.notEqual(await page.evaluate(() => document.activeElement?.id), 'console-input-1', 'no keyboard pops up');
  await screenshot(page, 'phone-lesson-top');

  const block = page.locator('.run-block').first();
  await block.locator('.run-button').tap();
  const echo = block.locator('.block-echo');
  await echo.waitFor();
  assert.ok(await echo.isVisible(), 'the output is under the block');
  const text = await echo.textContent();
  const commands = await block.locator('.run-code .cmd').allTextContents();
  for (const command of commands) assert.ok(text.includes(command), `the echo shows ${command}`);
  assert.match(text, /127\.0\.0\.1:6379> /);
  const box = await echo.boundingBox();
  assert.ok(box.y >= 0 && box.y < 844, 'the output is on screen where the learner tapped');
  await screenshot(page, 'phone-block-output');

  // Keyboard order: the block's Run, then what it printed.
  await block.locator('.run-button').focus();
  await page.keyboard.press('Tab');
  assert.ok(await page.evaluate(() => document.activeElement?.classList.contains('block-echo')), 'Tab goes from Run to the output');

  // Touch targets: the Run buttons are at least 44 px high.
  const height = await block.locator('.run-button').evaluate((b) => b.getBoundingClientRect().height);
  assert.ok(height >= 44, `Run is ${height} px high`);
  assert.deepEqual(errors, []);
  await context.close();
});

test('on a phone a challenge has its own prompt: the learner fails, then solves it without the console', async () => {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(`${server.url}#/lesson/strings`);
  await page.waitForSelector('#console-input-1');
  await page.evaluate(() => window.localStorage.clear());
  const challenge = page.locator('.challenge').first();
  await challenge.scrollIntoViewIfNeeded();
  await challenge.getByRole('button', { name: 'Check' }).tap();
  await challenge.locator('.verdict.no').waitFor();

  await challenge.getByRole('button', { name: 'Show solution' }).tap();
  const solution = (await challenge.locator('.solution pre').textContent()).split('\n').filter(Boolean);
  const input = challenge.locator('.challenge-try-input');
  assert.ok(await input.isVisible(), 'the prompt is shown on a phone');
  for (const line of solution) {
    await input.fill(line);
    await input.press('Enter');
  }
  const echo = challenge.locator('.block-echo');
  await page.waitForFunction(
    ([el, n]) => (document.querySelector(el)?.textContent.match(/6379(\[\d+\])?> /g) ?? []).length >= n,
    ['.challenge .block-echo', solution.length],
  );
  assert.ok(await echo.isVisible());
  await challenge.getByRole('button', { name: 'Check' }).tap();
  await challenge.locator('.verdict.ok').waitFor();
  await screenshot(page, 'phone-challenge-solved');
  assert.deepEqual(errors, []);
  await context.close();
});

test('on a wide screen the console takes the keyboard, Escape leaves it, and the echoes stay hidden', async () => {
  const { context, page, errors } = await openPage(browser, server.url, '#/lesson/ttl');
  await page.waitForFunction(() => document.activeElement?.id === 'console-input-1');
  await page.keyboard.press('Escape');
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('role')), 'log', 'focus moves to the transcript');
  const block = page.locator('.run-block').first();
  await block.locator('.run-button').click();
  await page.locator('.console .line.output').first().waitFor();
  assert.equal(await block.locator('.block-echo').isVisible(), false, 'the console beside the text shows the output');
  assert.equal(await page.locator('.challenge-try').first().isVisible(), false);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a console copies its session as a redis-cli script and as a redis-py program', async () => {
  const { context, page, errors } = await openPage(browser, server.url, '#/playground');
  await page.evaluate(() => {
    window.__copied = [];
    Object.defineProperty(navigator, 'clipboard', {
      value: { writeText: (t) => { window.__copied.push(t); return Promise.resolve(); } },
    });
  });
  await runCommand(page, 'SET "greeting" "hello world"');
  await runCommand(page, 'INCR visits');
  await page.getByRole('button', { name: 'Copy as redis-cli: the commands of client 1 as a shell script' }).click();
  await page.getByRole('button', { name: 'Copy as Python: the commands of client 1 as a redis-py program' }).click();
  const [script, program] = await page.evaluate(() => window.__copied);
  assert.match(script, /^#!\/bin\/sh\n/);
  assert.ok(script.includes("redis-cli \"$@\" <<'REDIS_LAB'\nSET greeting \"hello world\"\nINCR visits\nREDIS_LAB\n"), script);
  assert.ok(program.includes('print(r.execute_command("SET", "greeting", "hello world"))'), program);
  assert.ok(program.includes('print(r.execute_command("INCR", "visits"))'), program);
  assert.deepEqual(errors, []);
  await context.close();
});

test('on a phone the playground shows several clients as tabs, one at a time', async () => {
  const { context, page, errors } = await openPage(browser, server.url, '#/playground', PHONE);
  await page.getByRole('button', { name: '+ Add client' }).tap();
  await page.waitForSelector('#console-input-2');
  const tabs = page.locator('.panel-tabs .panel-tab');
  assert.deepEqual(await tabs.allTextContents(), ['client 1', 'client 2']);
  assert.ok(await page.locator('#console-input-2').isVisible(), 'the new client is shown');
  assert.equal(await page.locator('#console-input-1').isVisible(), false, 'one client at a time');
  await runCommand(page, 'SUBSCRIBE news', 2);
  await tabs.nth(0).tap();
  assert.ok(await page.locator('#console-input-1').isVisible());
  assert.equal(await runCommand(page, 'PUBLISH news hello'), '(integer) 1');
  await tabs.nth(1).tap();
  const log = await page.locator('.console[data-client="2"] .console-log').textContent();
  assert.match(log, /message[\s\S]*news[\s\S]*hello/, 'the hidden client kept receiving');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `no sideways scrolling (${overflow}px)`);
  await screenshot(page, 'phone-playground-tabs');

  // Touch targets: every visible control is at least 44 px high (inline links in text are exempt).
  await tabs.nth(0).tap();
  await runCommand(page, 'SET touch:key 1');
  await page.locator('.key-row').first().waitFor();
  const small = await page.evaluate(() =>
    [...document.querySelectorAll('button, select, input:not([type=file]), .topnav a, .key-row button, summary')]
      .filter((el) => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden')
      // A console's input is exempt: a tap anywhere on the console focuses it.
      .filter((el) => !el.closest('.visually-hidden, .console-input-row'))
      .map((el) => [el.textContent.trim().slice(0, 30) || el.getAttribute('aria-label') || el.tagName, el.getBoundingClientRect().height])
      .filter(([, h]) => h < 44));
  assert.deepEqual(small, [], 'controls under 44 px');
  assert.deepEqual(errors, []);
  await context.close();
});

test('on a phone the scaling page fits the screen, its controls are touch-sized and a console follows a redirect', async () => {
  const { context, page, errors } = await openPage(browser, server.url, '#/scaling/cluster', PHONE);
  await page.waitForSelector('.slot-map svg');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `the page is ${overflow}px wider than the screen`);
  for (const selector of ['.node-controls button', '.presets .preset', '.console-target select']) {
    const height = await page.locator(selector).first().evaluate((b) => b.getBoundingClientRect().height);
    assert.ok(height >= 44, `${selector} is ${height} px high`);
  }
  assert.equal(
    await runCommand(page, 'SET foo bar', 1),
    '-> Redirected to slot [12182] located at 127.0.0.1:7002\nOK',
  );
  await screenshot(page, 'phone-scaling-cluster');
  assert.deepEqual(errors, []);
  await context.close();
});
