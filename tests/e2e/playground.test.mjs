// The playground in a real browser: typing, completion and hints, the key
// browser, the clock, several clients, saving, sharing and accessibility.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { server, browser, useBrowser, screenshot, run, runCommand, openPage, waitForSave } from './helpers.mjs';

useBrowser();

const keyRow = (page, name) => page.locator('.key-row', { has: page.locator('.key-name', { hasText: name }) });

test('typing: Tab completion, grey hints, history across reloads, HELP and CLEAR', async () => {
  const { context, page, errors } = await openPage(browser, server.url);
  const input = page.locator('#console-input-1');
  const hint = page.locator('.console[data-client="1"] .hint');

  await input.pressSequentially('PI');
  await input.press('Tab');
  assert.equal(await input.inputValue(), 'PING', 'Tab completes the command name');
  await input.fill('flush');
  await input.press('Tab');
  assert.equal(await input.inputValue(), 'flushall', 'completion keeps the typed case');
  await input.press('Tab');
  assert.equal(await input.inputValue(), 'flushdb', 'a second Tab cycles to the next candidate');
  await input.pressSequentially(' as');
  await input.press('Tab');
  assert.equal(await input.inputValue(), 'flushdb async', 'keywords complete too');

  await input.fill('');
  await input.pressSequentially('SET');
  assert.equal(await hint.textContent(), ' key value [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL]', 'hint after the command name');
  await input.pressSequentially(' user:1');
  assert.equal(await hint.textContent(), ' value [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL]', 'typed arguments leave the hint');
  await screenshot(page, 'console-hint');
  await input.pressSequentially(' alice');
  assert.equal(await hint.textContent(), ' [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL]', 'only the options remain once the arguments are typed');
  await input.press('Enter');
  assert.equal(await runCommand(page, 'GET user:1'), '"alice"');

  const help = await runCommand(page, 'HELP SET');
  assert.match(help, /^\s*SET key value \[NX\|XX\] .*\n\s+summary: .+\n\s+since: 1\.0\.0\n\s+group: string/);

  await input.press('ArrowUp');
  assert.equal(await input.inputValue(), 'HELP SET');
  await input.press('ArrowUp');
  assert.equal(await input.inputValue(), 'GET user:1');
  await input.press('ArrowDown');
  await input.press('ArrowDown');
  assert.equal(await input.inputValue(), '');

  await page.reload();
  await page.waitForSelector('#console-input-1');
  await page.locator('#console-input-1').press('ArrowUp');
  assert.equal(await page.locator('#console-input-1').inputValue(), 'HELP SET', 'history survives a reload');

  await runCommand(page, 'PING');
  assert.ok(await page.locator('.console[data-client="1"] .line').count() > 0);
  await page.locator('#console-input-1').press('Control+l');
  assert.equal(await page.locator('.console[data-client="1"] .line').count(), 0, 'Ctrl+L clears the screen');
  await run(page, 'PING');
  await run(page, 'clear');
  assert.equal(await page.locator('.console[data-client="1"] .line').count(), 0, 'CLEAR clears the screen');

  // Pasting several lines runs each one.
  await page.locator('#console-input-1').focus();
  await page.evaluate(() => {
    const dt = new DataTransfer();
    dt.setData('text/plain', 'SET pasted:1 a\nSET pasted:2 b\nGET pasted:2\n');
    document.activeElement.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
  });
  await page.waitForFunction(() => document.querySelectorAll('.console[data-client="1"] .line.input').length === 3);
  const outputs = await page.locator('.console[data-client="1"] .line.output').allTextContents();
  assert.deepEqual(outputs, ['OK', 'OK', '"b"']);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a key named like markup is shown as text, and binary names as redis-cli quotes them', async () => {
  const { context, page, errors } = await openPage(browser, server.url);
  let dialogs = 0;
  page.on('dialog', async (d) => { dialogs += 1; await d.dismiss(); });
  assert.equal(await runCommand(page, 'SET "<img src=x onerror=alert(1)>" "<b>bold</b>"'), 'OK');
  assert.equal(await runCommand(page, 'SET "\\xff\\xfe" binary'), 'OK');
  const row = keyRow(page, '<img src=x onerror=alert(1)>');
  await row.waitFor();
  assert.equal(await page.locator('.key-browser img, .console img').count(), 0, 'no element was injected');
  assert.equal(await keyRow(page, '"\\xff\\xfe"').count(), 1, 'non-UTF-8 name quoted like redis-cli');
  await row.locator('button').click();
  assert.equal(await page.locator('.value-view .string-text').textContent(), '<b>bold</b>');
  assert.equal(await page.locator('.value-view b').count(), 0);
  await page.waitForTimeout(300);
  assert.equal(dialogs, 0, 'no script ran');
  assert.deepEqual(errors, []);
  await context.close();
});

test('the dataset survives a reload', async () => {
  const { context, page, errors } = await openPage(browser, server.url);
  await runCommand(page, 'SET kept:1 "first value"');
  await runCommand(page, 'SELECT 3');
  await runCommand(page, 'SET kept:db3 three');
  await waitForSave(page, 'kept:db3');
  await page.reload();
  await page.waitForSelector('#console-input-1');
  assert.equal(await runCommand(page, 'GET kept:1'), '"first value"');
  await runCommand(page, 'SELECT 3');
  assert.equal(await page.locator('label.prompt').first().textContent(), '127.0.0.1:6379[3]>');
  assert.equal(await runCommand(page, 'GET kept:db3'), '"three"');
  await keyRow(page, 'kept:1').waitFor();
  assert.equal(await page.locator('.notice.warning').count(), 0, 'a good save shows no warning');
  // Emptying the data is saved too (FLUSHALL names no single key).
  assert.equal(await runCommand(page, 'FLUSHALL'), 'OK');
  await page.waitForFunction(() => !(localStorage.getItem('redis-lab:dataset') ?? 'kept:1').includes('kept:1'));
  await page.reload();
  await page.waitForSelector('#console-input-1');
  assert.equal(await runCommand(page, 'DBSIZE'), '(integer) 0', 'flushed data stays flushed');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a corrupted save shows a notice, starts fresh and offers the old save as a download', async () => {
  const { context, page, errors } = await openPage(browser, server.url);
  const corrupted = 'this is not a dataset\n\u0000\u0001 garbage "unbalanced';
  await page.evaluate((text) => localStorage.setItem('redis-lab:dataset', text), corrupted);
  await page.reload();
  await page.waitForSelector('#console-input-1');
  const notice = page.locator('.notice.warning[role="alert"]');
  await notice.waitFor();
  assert.match(await notice.textContent(), /could not be restored.*not a Redis Lab dataset/s);
  assert.equal(await runCommand(page, 'DBSIZE'), '(integer) 0', 'a fresh start');
  await screenshot(page, 'corrupted-save-notice');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    notice.getByRole('link', { name: 'Download the old save' }).click(),
  ]);
  const saved = await readFile(await download.path(), 'utf8');
  assert.equal(saved, corrupted, 'the download is the old save, byte for byte');
  assert.equal(await page.evaluate(() => localStorage.getItem('redis-lab:dataset:rescued')), corrupted);
  // An incompatible version is reported as such.
  await page.evaluate(() => localStorage.setItem('redis-lab:dataset', '# redis-lab dataset v999\nSET a 1\n'));
  await page.reload();
  await page.locator('.notice.warning').waitFor();
  assert.match(await page.locator('.notice.warning').textContent(), /format version 999/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('clock control: pause, jump forward, virtual time badge', async () => {
  const { context, page, errors } = await openPage(browser, server.url);
  assert.equal(await page.locator('.real-badge').textContent(), 'real time');
  await page.getByRole('button', { name: 'Pause' }).click();
  await page.locator('.virtual-badge').waitFor();
  assert.equal(await page.locator('.virtual-badge').textContent(), 'virtual time · paused');
  const before = await page.locator('.clock-time').textContent();
  await page.getByRole('button', { name: 'advance the clock 1 minute' }).click();
  const after = await page.locator('.clock-time').textContent();
  const secs = (t) => t.split(':').reduce((a, b) => a * 60 + Number(b), 0);
  assert.equal((secs(after) - secs(before) + 86400) % 86400, 60, `${before} → ${after}`);
  await page.getByRole('button', { name: 'Play', exact: true }).click();
  assert.equal(await page.locator('.virtual-badge').textContent(), 'virtual time', 'still shifted from real time');
  assert.deepEqual(errors, []);
  await context.close();
});

test('seed demo: SETEX counts down live, +10 s removes it with the reason', async () => {
  const { context, page, errors } = await openPage(browser, server.url);
  const setex = await runCommand(page, 'SETEX session:user:123 10 token');
  assert.equal(setex, 'OK');
  const row = keyRow(page, 'session:user:123');
  await row.waitFor();
  const ttl = row.locator('.ttl');
  const first = await ttl.textContent();
  await page.waitForTimeout(700);
  const later = await ttl.textContent();
  assert.notEqual(first, later, 'the countdown moves by itself');
  assert.match(await runCommand(page, 'TTL session:user:123'), /^\(integer\) (9|10)$/);
  await page.getByRole('button', { name: 'Pause' }).click();
  await page.getByRole('button', { name: 'advance the clock 10 seconds' }).click();
  await page.getByRole('button', { name: 'advance the clock 1 second' }).click();
  const removed = page.locator('.removed', { hasText: 'session:user:123' });
  await removed.waitFor();
  assert.match(await removed.textContent(), /expired/);
  assert.equal(await row.count(), 0, 'gone from the list');
  await screenshot(page, 'ttl-expired');
  assert.equal(await runCommand(page, 'GET session:user:123'), '(nil)');
  await page.waitForFunction(() => document.querySelectorAll('.removed').length === 0, null, { timeout: 8000 });

  assert.deepEqual(errors, []);
  await context.close();
});

test('seed demo: INCR views:homepage three times gives 3', async () => {
  const { context, page, errors } = await openPage(browser, server.url);
  const first = await runCommand(page, 'INCR views:homepage');
  assert.equal(first, '(integer) 1');
  assert.equal(await runCommand(page, 'INCR views:homepage'), '(integer) 2');
  assert.equal(await runCommand(page, 'INCR views:homepage'), '(integer) 3');
  assert.deepEqual(errors, []);
  await context.close();
});

test('two clients side by side: each keeps its own connection, DB and transcript; MONITOR panel', async () => {
  const { context, page, errors } = await openPage(browser, server.url);
  assert.equal(await runCommand(page, 'PING', 1), 'PONG');
  const title1 = await page.locator('.console[data-client="1"] .console-title').textContent();
  await page.getByRole('button', { name: '+ Add client' }).click();
  await page.waitForSelector('#console-input-2');
  // The new console takes the keyboard (in the frame after it is drawn).
  await page.waitForFunction(() => document.activeElement?.id === 'console-input-2', null, { timeout: 5000 });
  assert.equal(await page.locator('.console[data-client="1"] .console-title').textContent(), title1, 'client 1 keeps its connection');
  assert.equal(await page.locator('.console[data-client="1"] .line.output').first().textContent(), 'PONG', 'and its transcript');
  assert.notEqual(await page.locator('.console[data-client="2"] .console-title').textContent(), title1.replace('client 1', 'client 2'));
  assert.equal(await runCommand(page, 'SELECT 2', 2), 'OK');
  assert.equal(await page.locator('.console[data-client="2"] label.prompt').textContent(), '127.0.0.1:6379[2]>');
  assert.equal(await page.locator('.console[data-client="1"] label.prompt').textContent(), '127.0.0.1:6379>');
  assert.equal(await runCommand(page, 'SET shared:key from-2', 2), 'OK');
  assert.equal(await runCommand(page, 'GET shared:key', 1), '(nil)', 'client 1 is still on db 0');
  await page.getByRole('button', { name: 'MONITOR panel' }).click();
  await page.locator('.console.monitor').waitFor();
  await screenshot(page, 'two-clients');

  assert.deepEqual(errors, []);
  await context.close();
});

test('replies for one client arrive in its console: BLPOP/LPUSH, SUBSCRIBE/PUBLISH', async () => {
  const { context, page, errors } = await openPage(browser, server.url);
  await page.getByRole('button', { name: '+ Add client' }).click();
  await page.waitForSelector('#console-input-2');
  const blpop = await runCommand(page, 'BLPOP jobs 0', 1);
  assert.equal(blpop, '', 'BLPOP waits');
  await page.locator('.console[data-client="1"] .line.waiting').waitFor();
  assert.equal(await runCommand(page, 'LPUSH jobs job:1', 2), '(integer) 1');
  await page.waitForFunction(() => document.querySelector('.console[data-client="1"] .console-log').textContent.includes('job:1'));
  assert.equal(await page.locator('.console[data-client="1"] .line.output').last().textContent(), '1) "jobs"\n2) "job:1"');

  assert.match(await runCommand(page, 'SUBSCRIBE news', 1), /1\) "subscribe"\n2\) "news"\n3\) \(integer\) 1/);
  assert.equal(await runCommand(page, 'PUBLISH news hello', 2), '(integer) 1');
  await page.waitForFunction(() => document.querySelector('.console[data-client="1"] .console-log').textContent.includes('hello'));
  assert.equal(await page.locator('.console[data-client="1"] .line.output').last().textContent(), '1) "message"\n2) "news"\n3) "hello"');
  assert.deepEqual(errors, []);
  await context.close();
});

test('share link: shown, confirmed, then run in another browser', async () => {
  const a = await openPage(browser, server.url);
  await runCommand(a.page, 'SET shared:greeting "hi there"');
  await a.page.getByRole('button', { name: 'Share', exact: true }).click();
  const url = await a.page.locator('#share-url').inputValue();
  assert.match(url, /#\/playground\/share\/[A-Za-z0-9_-]+$/);
  await a.context.close();

  const b = await openPage(browser, server.url, '#/');
  await b.page.goto(url);
  const dialog = b.page.locator('.share-confirm');
  await dialog.waitFor();
  assert.match(await dialog.locator('pre').textContent(), /SET shared:greeting "hi there"/);
  assert.equal(await runCommand(b.page, 'EXISTS shared:greeting'), '(integer) 0', 'nothing runs before confirming');
  await screenshot(b.page, 'share-confirm');
  await dialog.getByRole('button', { name: 'Run these commands' }).click();
  await keyRow(b.page, 'shared:greeting').waitFor();
  assert.equal(await runCommand(b.page, 'GET shared:greeting'), '"hi there"');
  assert.equal(await b.page.locator('.share-confirm').count(), 0);
  // A damaged link is refused with a message.
  await b.page.goto(server.url + '#/playground/share/!!!bad');
  await b.page.locator('.share-confirm').waitFor();
  assert.match(await b.page.locator('.share-confirm').textContent(), /cannot be used/);
  assert.deepEqual(b.errors, []);
  await b.context.close();
});

test('export and import a commands file', async () => {
  const { context, page, errors } = await openPage(browser, server.url);
  await runCommand(page, 'SET exported "yes"');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export', exact: true }).click()]);
  const text = await readFile(await download.path(), 'utf8');
  assert.match(text, /^# redis-lab dataset v1\nSELECT 0\n/);
  assert.match(text, /SET exported yes\n/);
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await page.locator('#import-text').fill('SET imported:1 one\nSET imported:2 "two words"\n');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  assert.match(await page.locator('.message').textContent(), /Ran 2 commands/);
  assert.equal(await runCommand(page, 'GET imported:2'), '"two words"');
  assert.deepEqual(errors, []);
  await context.close();
});

test('100,000 keys: the list stays virtual and scrolls to any key', async () => {
  const { context, page, errors } = await openPage(browser, server.url);
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  const lines = Array.from({ length: 100000 }, (_, i) => `SET key:${String(i).padStart(6, '0')} ${i}`).join('\n');
  await page.locator('#import-text').evaluate((el, text) => { el.value = text; }, lines);
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await page.locator('.key-count', { hasText: '100000 keys' }).waitFor({ timeout: 60000 });
  const rendered = await page.locator('.key-row').count();
  assert.ok(rendered > 5 && rendered < 60, `only visible rows are drawn (${rendered})`);
  await page.locator('.key-viewport').evaluate((el) => { el.scrollTop = el.querySelector('.key-row').offsetHeight * 50000; el.dispatchEvent(new Event('scroll')); });
  await keyRow(page, 'key:050000').waitFor();
  assert.ok(await page.locator('.key-row').count() < 60);
  await page.locator('#key-filter').fill('key:09999?');
  await page.locator('.key-count', { hasText: '10 keys' }).waitFor();
  await screenshot(page, 'hundred-thousand-keys');
  assert.deepEqual(errors, []);
  await context.close();
});

test('keyboard only: Tab reaches the console, buttons and keys; arrows move through keys', async () => {
  const { context, page, errors } = await openPage(browser, server.url);
  await runCommand(page, 'SET a 1');
  await runCommand(page, 'SET b 2');
  await page.locator('#key-filter').focus();
  await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => document.activeElement?.closest('.key-row')?.dataset.index);
  assert.equal(focused, '0', 'Tab reaches the first key');
  await page.keyboard.press('Enter');
  assert.equal(await page.locator('.selected-head .key-name').textContent(), 'a');
  await page.keyboard.press('ArrowDown');
  await page.locator('.selected-head .key-name', { hasText: 'b' }).waitFor();
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(outline, 'none', 'focus is visible');
  assert.deepEqual(errors, []);
  await context.close();
});

test('accessibility: no serious or critical axe violations (playground, start page, type gallery; light and dark)', async () => {
  const axe = await readFile(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');
  for (const colorScheme of ['light', 'dark']) {
    for (const path of ['#/playground', '#/', '#/types']) {
      const { context, page } = await openPage(browser, server.url, path, { colorScheme });
      if (path === '#/playground') {
        await runCommand(page, 'SET greeting "hello world"');
        await runCommand(page, 'GET nope');
        await keyRow(page, 'greeting').locator('button').click();
        await page.getByRole('button', { name: '+ Add client' }).click();
        await page.waitForSelector('#console-input-2');
      } else if (path === '#/') {
        await runCommand(page, 'HELP GET');
      }
      await page.addScriptTag({ content: axe });
      const result = await page.evaluate(async () => {
        const r = await window.axe.run(document, { resultTypes: ['violations'] });
        return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 3) }));
      });
      const bad = result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      assert.deepEqual(bad, [], `${colorScheme} ${path}: ${JSON.stringify(bad, null, 1)}`);
      await context.close();
    }
  }
});

test('screenshots: light, dark and phone width', async () => {
  for (const [name, options] of [
    ['playground-light', { colorScheme: 'light' }],
    ['playground-dark', { colorScheme: 'dark' }],
    ['playground-phone', { colorScheme: 'light', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }],
  ]) {
    const { context, page, errors } = await openPage(browser, server.url, '#/playground', options);
    await runCommand(page, 'SET greeting "hello world"');
    await runCommand(page, 'SET counter 42');
    await runCommand(page, 'GET greeting');
    await runCommand(page, 'NOSUCH command');
    await keyRow(page, 'greeting').locator('button').click();
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    if (name === 'playground-dark') assert.equal(bg, 'rgb(17, 19, 23)', 'dark theme follows the system');
    else assert.equal(bg, 'rgb(247, 247, 248)', 'light theme follows the system');
    if (name === 'playground-phone') {
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `no sideways scrolling on a phone (${overflow}px)`);
    }
    await screenshot(page, name);
    assert.deepEqual(errors, []);
    await context.close();
  }
});

test('Load examples puts one key of every type in the browser; Reset empties everything', async () => {
  const { context, page, errors } = await openPage(browser, server.url);
  await page.getByRole('button', { name: 'Load examples' }).click();
  const message = await page.locator('.message').textContent();
  await keyRow(page, 'greeting').waitFor();
  const badges = new Set(await page.locator('.key-row .badge').allTextContents());
  if (/not available here/.test(message)) {
    // Builds without some command families load what they can and say what failed.
    assert.match(message, /unknown command/);
    assert.ok(badges.has('string'));
  } else {
    assert.deepEqual([...badges].sort(), ['geo', 'hash', 'hll', 'list', 'set', 'stream', 'string', 'zset']);
    for (const name of ['queue:jobs', 'places', 'events']) {
      await keyRow(page, name).locator('button').click();
      await page.locator('.value-view').waitFor();
    }
    await screenshot(page, 'examples-loaded');
  }
  page.once('dialog', (d) => d.accept());
  await page.getByRole('button', { name: 'Reset' }).click();
  await page.locator('.key-count', { hasText: '0 keys' }).waitFor();
  assert.equal(await runCommand(page, 'DBSIZE'), '(integer) 0');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a save the browser refuses is reported, not silently lost', async () => {
  const { context, page, errors } = await openPage(browser, server.url);
  await page.evaluate(() => {
    const original = Storage.prototype.setItem;
    Storage.prototype.setItem = function (key, value) {
      if (key === 'redis-lab:dataset') throw new DOMException('quota', 'QuotaExceededError');
      return original.call(this, key, value);
    };
  });
  await runCommand(page, 'SET big value');
  const state = page.locator('.save-state.error');
  await state.waitFor();
  assert.match(await state.textContent(), /Not saved.*use Export/);
  assert.equal(await page.evaluate(() => localStorage.getItem('redis-lab:dataset')), null);
  assert.deepEqual(errors, []);
  await context.close();
});
