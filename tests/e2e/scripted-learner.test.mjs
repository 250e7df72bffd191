// A scripted learner takes the whole course, at desktop and at phone size:
// from the lesson map to the last lesson by the "next" links, it clicks
// every Run and compares what the page printed with what the lesson file
// says, fails each challenge once, opens a hint, shows the solution, types
// it (into the console beside the text; on a phone into the challenge's own
// prompt), checks it passes, and moves on. A dead end (no way on, a check
// that cannot be passed, a challenge already passed before the learner did
// anything), a page error or an output that differs from the file fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { server, browser, useBrowser, root, screenshot, watchErrors } from './helpers.mjs';

useBrowser();

const LESSON_COUNT = (await readdir(join(root, 'lessons'))).filter((f) => f.endsWith('.md')).length;
// Any server's prompt (lessons on several servers move the console).
const PROMPT = /^(?:127\.0\.0\.1:\d+(?:\[\d+\])?|not connected)> /m;

/** The block's commands with what the file expects each to print (null: not written down or varies). */
async function blockSteps(block) {
  return block.locator('.run-code').evaluate((pre) => {
    const steps = [];
    for (const span of pre.querySelectorAll('span')) {
      if (span.classList.contains('cmd')) steps.push({ command: span.textContent, expected: null });
      else if (span.classList.contains('expected') && steps.length) {
        const text = span.textContent;
        steps[steps.length - 1].expected = text === '(varies)' ? null : text;
      }
    }
    return steps;
  });
}

/** The echo's (command, output) pairs, in order. */
function echoSteps(echo) {
  return echo
    .split(PROMPT)
    .filter((s) => s.length)
    .map((s) => {
      const newline = s.indexOf('\n');
      const command = newline < 0 ? s : s.slice(0, newline);
      const output = newline < 0 ? '' : s.slice(newline + 1).replace(/\n$/, '');
      return { command, output };
    });
}

async function takeTheCourse(options, label) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const errors = watchErrors(page);
  const phone = options.viewport.width < 900;
  await page.goto(server.url + '#/');
  await page.locator('.lesson-card a').first().click();
  const visited = [];
  const counts = { blocks: 0, compared: 0, challenges: 0 };
  for (;;) {
    await page.waitForSelector('.lesson-text h1');
    await page.waitForSelector('#console-input-1');
    const title = (await page.locator('.lesson-text h1').first().textContent()).trim();
    assert.ok(!visited.includes(title), `${label}: "${title}" is visited twice (a loop in the next links)`);
    visited.push(title);

    const blocks = page.locator('.run-block');
    for (let i = 0; i < (await blocks.count()); i++) {
      const block = blocks.nth(i);
      const steps = await blockSteps(block);
      await block.locator('.run-button').click();
      const echo = block.locator('.block-echo');
      try {
        await page.waitForFunction(
          ([el, n]) => (el.textContent.match(/^(?:127\.0\.0\.1:\d+(?:\[\d+\])?|not connected)> /gm) ?? []).length >= n,
          [await echo.elementHandle({ timeout: 10_000 }), steps.length],
          { timeout: 10_000 },
        );
      } catch (e) {
        await screenshot(page, `learner-stuck-${label}`);
        const printed = (await echo.count()) ? await echo.textContent() : '(nothing)';
        assert.fail(`${label}: ${title}, block ${i + 1}: not every command printed (${steps.length} commands): ${printed}`);
      }
      const printed = echoSteps(await echo.textContent());
      counts.blocks += 1;
      assert.equal(printed.length, steps.length, `${label}: ${title}, block ${i + 1}: every command ran`);
      steps.forEach((step, j) => {
        if (step.command.includes('{id:')) {
          // {id:PORT} is typed as that server's node id (40 hex digits).
          const escaped = step.command.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
          const pattern = new RegExp(`^${escaped.replace(/\{id:\d+\}/g, '[0-9a-f]{40}')}$`);
          assert.match(printed[j].command, pattern, `${label}: ${title}, block ${i + 1}`);
        } else {
          assert.equal(printed[j].command, step.command, `${label}: ${title}, block ${i + 1}`);
        }
        if (step.expected !== null) {
          counts.compared += 1;
          assert.equal(printed[j].output, step.expected, `${label}: ${title}, block ${i + 1}: ${step.command}`);
        }
      });
    }

    const challenges = page.locator('.challenge');
    for (let i = 0; i < (await challenges.count()); i++) {
      const challenge = challenges.nth(i);
      const where = `${label}: ${title}, challenge ${i + 1}`;
      counts.challenges += 1;
      await challenge.getByRole('button', { name: 'Check' }).click();
      await challenge.locator('.verdict').first().waitFor();
      assert.ok(await challenge.locator('.verdict.no').isVisible(), `${where}: fails before the learner did anything`);
      const hint = challenge.getByRole('button', { name: /^Show a hint/ });
      if (await hint.count()) {
        await hint.click({ timeout: 10_000 }).catch(async (e) => {
          await screenshot(page, `learner-stuck-${label}`);
          const box = await hint.boundingBox();
          assert.fail(`${where}: cannot open a hint (${JSON.stringify(box)}): ${e.message.split('\n')[0]}`);
        });
        await challenge.locator('.hints li').first().waitFor();
      }
      await challenge.getByRole('button', { name: 'Show solution' }).click();
      const solution = (await challenge.locator('.solution pre').textContent()).split('\n').filter((l) => l.trim());
      assert.ok(solution.length > 0, `${where}: has a solution`);
      const input = phone ? challenge.locator('.challenge-try-input') : page.locator('#console-input-1');
      // A lesson on several servers says where the solution goes: pick that server.
      const server = await challenge.locator('.solution').getAttribute('data-node');
      if (server && !phone) await page.locator('#console-node-1').selectOption({ label: `127.0.0.1:${server}` });
      for (const line of solution) {
        const log = '.console[data-client="1"] .console-log';
        const before = Number(await page.locator(log).getAttribute('data-seq'));
        await input.fill(line);
        await input.press('Enter');
        await page.waitForFunction(
          ([sel, count]) => Number(document.querySelector(sel)?.dataset.seq) > count,
          [log, before],
        );
      }
      await challenge.getByRole('button', { name: 'Check' }).click();
      await challenge.locator('.verdict.ok').waitFor({ timeout: 5_000 }).catch(async () => {
        await screenshot(page, `learner-stuck-${label}`);
        const why = await challenge.locator('.verdict').textContent();
        assert.fail(`${where}: the solution does not pass: ${why}`);
      });
    }

    if (phone) {
      const [overflow, wide] = await page.evaluate(() => {
        const width = document.documentElement.clientWidth;
        // Text overflows its element's box: measure the text itself.
        const wide = [];
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node && wide.length < 3; node = walker.nextNode()) {
          const range = document.createRange();
          range.selectNodeContents(node);
          if (range.getBoundingClientRect().right + window.scrollX > width + 1) {
            wide.push(`${node.parentElement?.tagName.toLowerCase()}.${node.parentElement?.className}: ${node.textContent.slice(0, 60)}`);
          }
        }
        return [document.documentElement.scrollWidth - width, wide];
      });
      assert.ok(overflow <= 0, `${label}: ${title}: the page scrolls sideways by ${overflow} px: ${wide.join(' | ')}`);
    }
    const next = page.locator('.lesson-nav a.primary');
    if (!(await next.count())) break;
    await next.click();
  }
  console.log(`${label}: ${visited.length} lessons, ${counts.blocks} blocks (${counts.compared} outputs compared), ${counts.challenges} challenges`);
  assert.equal(visited.length, LESSON_COUNT, `${label}: the next links lead through every lesson: ${visited.join(' | ')}`);
  assert.deepEqual(errors, [], `${label}: page errors`);
  await context.close();
}

test('a scripted learner completes every lesson on a desktop', async () => {
  await takeTheCourse({ viewport: { width: 1400, height: 1000 } }, 'desktop');
});

test('a scripted learner completes every lesson on a phone', async () => {
  await takeTheCourse({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }, 'phone');
});
