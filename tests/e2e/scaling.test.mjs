// The "Scaling out" page: a master with two replicas and a three-master
// cluster in one page, consoles pointed at any node, node controls, the
// slot map. Screenshots at desktop and phone width go to artifacts/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { server, browser, useBrowser, openPage, runCommand, screenshot } from './helpers.mjs';

useBrowser();

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

/** Waits until `fn` (run in the page) is true. */
const until = (page, fn, arg) => page.waitForFunction(fn, arg, { timeout: 10_000 });

/** The prompt of console `n`. */
const prompt = (page, n) => page.locator(`.console[data-client="${n}"] .console-input-row .prompt`).textContent();

const node = (page, port) => page.locator(`.node[data-port="${port}"]`);

test('replicas: a write on the master is read on a replica; a write not yet sent is lost on failover', async () => {
  const { context, page, errors } = await openPage(browser, server.url, '#/scaling');
  await page.waitForSelector('#console-input-2');
  assert.equal(await prompt(page, 1), '127.0.0.1:6379>');
  assert.equal(await prompt(page, 2), '127.0.0.1:6380>');
  // The replicas connect on their own as the clock runs.
  await until(page, () => document.querySelector('.node[data-port="6380"] .node-role')?.textContent.includes('6379'));
  assert.equal(await runCommand(page, 'SET greeting hello', 1), 'OK');
  await until(page, () => document.querySelector('.node[data-port="6380"] .lag')?.textContent.startsWith('0 '));
  assert.equal(await runCommand(page, 'GET greeting', 2), '"hello"');
  assert.match(await runCommand(page, 'SET other 1', 2), /READONLY/);
  await screenshot(page, 'scaling-replicas');

  // Slow the link of 6380, write, stop the master before the write arrives.
  await node(page, 6380).locator('input[type="range"]').fill('2000');
  await until(page, () => document.querySelector('.node[data-port="6380"] .delay label')?.textContent.includes('2000'));
  assert.equal(await runCommand(page, 'SET order:1 paid', 1), 'OK');
  await node(page, 6379).locator('button.stop').click();
  await until(page, () => document.querySelector('.node[data-port="6379"] .node-state')?.classList.contains('down'));
  assert.equal(
    await runCommand(page, 'GET order:1', 1),
    'Could not connect to Redis at 127.0.0.1:6379: Connection refused',
  );
  assert.equal(await prompt(page, 1), 'not connected>');
  // Promote the replica: the write never reached it.
  assert.equal(await runCommand(page, 'REPLICAOF NO ONE', 2), 'OK');
  assert.equal(await runCommand(page, 'GET order:1', 2), '(nil)');
  assert.equal(await runCommand(page, 'GET greeting', 2), '"hello"');
  await until(page, () => document.querySelector('.node[data-port="6380"] .node-role')?.textContent === 'master');
  assert.deepEqual(errors, []);
  await context.close();
});

test("a node's key browser lists its keys with type and TTL, filters them, and shows a value", async () => {
  const { context, page, errors } = await openPage(browser, server.url, '#/scaling');
  await page.waitForSelector('#console-input-2');
  await until(page, () => document.querySelector('.node[data-port="6380"] .node-role')?.textContent.includes('6379'));
  assert.equal(await runCommand(page, 'RPUSH queue a "b c"', 1), '(integer) 2');
  assert.equal(await runCommand(page, 'SET session:1 x EX 50', 1), 'OK');
  assert.equal(await runCommand(page, 'SET other 1', 1), 'OK');
  // On the replica, once the writes arrived.
  await until(page, () => document.querySelector('.node[data-port="6380"] .key-count')?.textContent === '3');
  const browse = node(page, 6380).locator('details.node-browse');
  await browse.locator('summary').click();
  assert.equal(await browse.locator('.node-key').count(), 3);
  assert.match(await browse.locator('.node-key', { hasText: 'session:1' }).textContent(), /string.*\d+\.\d s/);
  await browse.locator('.node-filter').fill('q*');
  await until(page, () => document.querySelectorAll('.node[data-port="6380"] .node-key').length === 1);
  await browse.locator('.node-key', { hasText: 'queue' }).click();
  assert.equal(await browse.locator('.node-key-value pre').textContent(), 'RPUSH "queue" "a" "b c"');
  await browse.locator('.node-filter').fill('nothing*');
  await until(page, () => document.querySelectorAll('.node[data-port="6380"] .node-key').length === 0);
  assert.equal(await browse.locator('p.more').first().textContent(), 'No key matches.');
  assert.deepEqual(errors, []);
  await context.close();
});

test('cluster: redirects with -c, CROSSSLOT and hash tags, the slot map lights the key', async () => {
  const { context, page, errors } = await openPage(browser, server.url, '#/scaling');
  await page.locator('.preset[data-preset="cluster"]').click();
  await until(page, () => document.querySelector('.console[data-client="1"] .console-input-row .prompt')?.textContent === '127.0.0.1:7000>');
  assert.equal(await page.locator('.node[data-port="7001"] .slots').textContent(), '5461-10922');
  // Without -c the node answers MOVED; with it the console follows.
  await page.locator('#console-follow-1').uncheck();
  assert.equal(await runCommand(page, 'SET foo bar', 1), '(error) MOVED 12182 127.0.0.1:7002');
  await page.locator('#console-follow-1').check();
  assert.equal(
    await runCommand(page, 'SET foo bar', 1),
    '-> Redirected to slot [12182] located at 127.0.0.1:7002\nOK',
  );
  assert.equal(await prompt(page, 1), '127.0.0.1:7002>');
  assert.equal(await page.locator('.slot-caption').getAttribute('data-slot'), '12182');
  assert.match(await page.locator('.slot-caption').textContent(), /foo → slot 12182 on 127\.0\.0\.1:7002/);
  assert.equal(await page.locator('.slot-map .slot-mark').count(), 1);
  assert.equal(await runCommand(page, 'CLUSTER KEYSLOT foo', 1), '(integer) 12182');
  assert.equal(
    await runCommand(page, 'MSET user:1:name ada user:1:city paris', 1),
    '(error) CROSSSLOT Keys in request don\'t hash to the same slot',
  );
  const tagged = await runCommand(page, 'MSET {user:1}:name ada {user:1}:city paris', 1);
  assert.match(tagged, /OK$/);
  const slot = await page.locator('.slot-caption').getAttribute('data-slot');
  assert.equal(await runCommand(page, 'CLUSTER KEYSLOT {user:1}:name', 1), `(integer) ${slot}`);
  await screenshot(page, 'scaling-cluster');
  assert.deepEqual(errors, []);
  await context.close();
});

test('phone width: the page fits and its consoles work', async () => {
  const { context, page, errors } = await openPage(browser, server.url, '#/scaling', PHONE);
  await page.waitForSelector('#console-input-2');
  assert.equal(await runCommand(page, 'SET a 1', 1), 'OK');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `the page is ${overflow}px wider than the screen`);
  await screenshot(page, 'scaling-phone');
  await page.locator('.preset[data-preset="cluster"]').click();
  await page.waitForSelector('.slot-map svg');
  await screenshot(page, 'scaling-cluster-phone');
  assert.deepEqual(errors, []);
  await context.close();
});

test('the scaling-out lesson runs its blocks on the servers they name and checks a challenge on a replica', async () => {
  const { context, page, errors } = await openPage(browser, server.url, '#/lesson/scaling-out');
  await page.locator('#lesson-title').waitFor();
  assert.match(await page.locator('#lesson-title').textContent(), /Scaling out/);
  assert.equal(await page.locator('.lesson-bench .node').count(), 9, 'nine servers beside the lesson');
  // Block 1 writes on the master; block 2 reads on the replica 6380.
  await page.locator('.run-button').nth(0).click();
  await until(page, () => [...document.querySelectorAll('.console[data-client="1"] .line.output')].some((l) => l.textContent === 'OK'));
  await page.locator('.run-button').nth(1).click();
  await until(page, () => document.querySelector('.console[data-client="1"] .console-input-row .prompt')?.textContent === '127.0.0.1:6380>');
  await until(page, () => [...document.querySelectorAll('.console[data-client="1"] .line.output')].some((l) => l.textContent === '"desk lamp"'));
  // The first challenge fails, then passes after its solution (run on the master).
  const challenge = page.locator('.challenge').first();
  await challenge.locator('button', { hasText: 'Check' }).click();
  await challenge.locator('.verdict.no').waitFor();
  assert.match(await challenge.locator('.verdict-words').first().textContent(), /On 6381, GET price:42 prints \(nil\)/);
  await challenge.locator('button', { hasText: 'Show solution' }).click();
  await challenge.locator('button', { hasText: 'Run the solution' }).click();
  await until(page, () => document.querySelector('.console[data-client="1"] .console-input-row .prompt')?.textContent === '127.0.0.1:6379>');
  await challenge.locator('button', { hasText: 'Check' }).click();
  await challenge.locator('.verdict.ok').waitFor();
  // A cluster block: MOVED without -c, the slot map lights slot 12440.
  await page.locator('.run-button').nth(3).click();
  await until(page, () => [...document.querySelectorAll('.console[data-client="1"] .line.output')].some((l) => l.textContent === '(error) MOVED 12440 127.0.0.1:7002'));
  assert.equal(await page.locator('.slot-caption').getAttribute('data-slot'), '12440');
  await screenshot(page, 'scaling-lesson');
  assert.deepEqual(errors, []);
  await context.close();
});

test('cluster with replicas: a stopped master is replaced by its replica once the clock passes the node timeout', async () => {
  const { context, page, errors } = await openPage(browser, server.url, '#/scaling/cluster-replicas');
  await page.waitForSelector('.slot-map svg');
  assert.equal(await page.locator('.node').count(), 6);
  await until(page, () => document.querySelector('.node[data-port="7004"] .node-role')?.textContent === 'replica of 7000');
  await node(page, 7000).locator('button.stop').click();
  for (let i = 0; i < 4; i++) await page.locator('.topo-clock button', { hasText: '+10 s' }).click();
  await until(page, () => document.querySelector('.node[data-port="7004"] .node-role')?.textContent === 'master');
  assert.equal(await page.locator('.node[data-port="7004"] .slots').textContent(), '0-5460');
  assert.equal(
    await runCommand(page, 'SET user:1:city Paris', 2),
    '-> Redirected to slot [2793] located at 127.0.0.1:7004\nOK',
  );
  await screenshot(page, 'scaling-cluster-failover');
  assert.deepEqual(errors, []);
  await context.close();
});
