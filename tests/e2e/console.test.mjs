// The console in a real browser answers like redis-cli.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { server, browser, useBrowser, screenshot, watchErrors, run } from './helpers.mjs';

useBrowser();

test('the console runs commands and prints replies like redis-cli', async () => {
  const page = await browser.newPage();
  const errors = watchErrors(page);
  await page.goto(server.url);
  await page.waitForSelector('#console-input-1');
  // Focused on load (in the frame after the console is drawn).
  await page.waitForFunction(() => document.activeElement?.id === 'console-input-1', null, { timeout: 5000 });
  assert.equal(await page.locator('label.prompt').first().textContent(), '127.0.0.1:6379>');

  const outputs = page.locator('.console[data-client="1"] .line.output');
  const expectNext = async (command, expected, error = false) => {
    const before = await outputs.count();
    await run(page, command);
    await page.waitForFunction(
      ([sel, n]) => document.querySelectorAll(sel).length > n,
      ['.console[data-client="1"] .line.output', before],
    );
    const last = outputs.last();
    assert.equal(await last.textContent(), expected, command);
    assert.equal(await last.evaluate((el) => el.classList.contains('error')), error, `${command} error styling`);
  };

  await expectNext('PING', 'PONG');
  await expectNext('SET greeting "hello world"', 'OK');
  await expectNext('GET greeting', '"hello world"');
  await expectNext('GET', "(error) ERR wrong number of arguments for 'get' command", true);
  await expectNext('SET k "unbalanced', 'Invalid argument(s)', true);

  // History: ↑ brings back the previous line.
  const input = page.locator('#console-input-1');
  await input.press('ArrowUp');
  assert.equal(await input.inputValue(), 'SET k "unbalanced');
  await input.press('ArrowUp');
  assert.equal(await input.inputValue(), 'GET');
  await input.press('ArrowDown');
  await input.press('ArrowDown');
  assert.equal(await input.inputValue(), '');

  await screenshot(page, 'console-basics');
  assert.deepEqual(errors, [], 'no page errors');
  await page.close();
});
