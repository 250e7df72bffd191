// Redis's own files in the playground, proven against a real redis-server
// 7.0: the downloaded dump.rdb and appendonly.aof load there with the same
// keys, values and TTLs; a dump.rdb that redis-server saved opens in the
// key browser; a damaged or oversized file is refused and changes nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveDir, launch, openPage, runCommand, screenshot } from './helpers.mjs';

let server;
let browser;
const cleanup = [];

before(async () => {
  server = await serveDir();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
  for (const undo of cleanup.reverse()) await undo();
});

async function freePort() {
  const probe = createServer();
  await new Promise((ok) => probe.listen(0, '127.0.0.1', ok));
  const { port } = probe.address();
  await new Promise((ok) => probe.close(ok));
  return port;
}

/** redis-server on a free loopback port over `dir` with extra arguments. */
async function redisServer(dir, args = []) {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', ...args], {
    stdio: 'ignore',
  });
  cleanup.push(async () => child.kill('SIGKILL'));
  for (let i = 0; i < 100; i++) {
    try {
      if (cli(port, 'PING') === 'PONG') return port;
    } catch { /* not up yet */ }
    await new Promise((ok) => setTimeout(ok, 50));
  }
  throw new Error('redis-server did not start');
}

function cli(port, ...args) {
  return execFileSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8' }).trim();
}

async function tempDir() {
  const dir = await mkdtemp(join(tmpdir(), 'redis-lab-files-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const DATASET = [
  'SET greeting "hello world"',
  'SET session:1 token EX 3000',
  'RPUSH queue a b c',
  'HSET user:1 name Ada plan pro',
  'ZADD board 10 ada 20 bob',
  'SADD tags 1 2 3',
  'XADD events 1-1 kind signup',
  'SELECT 3',
  'SET elsewhere yes',
  'SELECT 0',
];

async function checkDataset(port, what) {
  assert.equal(cli(port, 'GET', 'greeting'), 'hello world', what);
  const ttl = Number(cli(port, 'TTL', 'session:1'));
  assert.ok(ttl > 2900 && ttl <= 3000, `${what}: TTL ${ttl}`);
  assert.equal(cli(port, 'LRANGE', 'queue', '0', '-1'), 'a\nb\nc', what);
  assert.equal(cli(port, 'HGET', 'user:1', 'plan'), 'pro', what);
  assert.equal(cli(port, 'ZSCORE', 'board', 'bob'), '20', what);
  assert.equal(cli(port, 'SCARD', 'tags'), '3', what);
  assert.equal(cli(port, 'XLEN', 'events'), '1', what);
  assert.equal(cli(port, '-n', '3', 'GET', 'elsewhere'), 'yes', what);
}

async function download(page, name) {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: `Download ${name}` }).click()]);
  assert.equal(file.suggestedFilename(), name);
  const dir = await tempDir();
  await file.saveAs(join(dir, name));
  return dir;
}

test('the downloaded dump.rdb and appendonly.aof load in redis-server 7.0 with the same data', async () => {
  const { context, page, errors } = await openPage(browser, server.url, '#/playground');
  for (const line of DATASET) await runCommand(page, line);

  const rdbDir = await download(page, 'dump.rdb');
  execFileSync('redis-check-rdb', [join(rdbDir, 'dump.rdb')]);
  await checkDataset(await redisServer(rdbDir, ['--dbfilename', 'dump.rdb']), 'dump.rdb');

  const aofDir = await download(page, 'appendonly.aof');
  await checkDataset(await redisServer(aofDir, ['--appendonly', 'yes', '--appendfilename', 'appendonly.aof']), 'appendonly.aof');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a dump.rdb saved by redis-server opens in the key browser; a damaged one changes nothing', async () => {
  const dir = await tempDir();
  const port = await redisServer(dir, ['--dbfilename', 'dump.rdb']);
  cli(port, 'SET', 'from:redis', 'real');
  cli(port, 'RPUSH', 'from:list', 'x', 'y');
  cli(port, 'SET', 'temporary', 'v', 'EX', '500');
  cli(port, 'SAVE');
  const real = await readFile(join(dir, 'dump.rdb'));

  const { context, page, errors } = await openPage(browser, server.url, '#/playground');
  page.on('dialog', (d) => d.accept());
  await runCommand(page, 'SET mine 1');
  const input = page.locator('.redis-files input[type=file]');
  await input.setInputFiles({ name: 'dump.rdb', mimeType: 'application/octet-stream', buffer: real });
  const message = page.locator('.redis-files .message');
  await message.waitFor();
  assert.match(await message.textContent(), /Opened dump\.rdb: 3 keys/);
  assert.equal(await runCommand(page, 'GET from:redis'), '"real"');
  assert.equal(await runCommand(page, 'EXISTS mine'), '(integer) 0', 'the file replaced the data');
  const ttl = Number((await runCommand(page, 'TTL temporary')).replace('(integer) ', ''));
  assert.ok(ttl > 400 && ttl <= 500, `TTL ${ttl}`);
  await page.locator('.key-row', { hasText: 'from:list' }).first().waitFor();
  await screenshot(page, 'opened-dump-rdb');

  // One flipped byte: the checksum refuses the file; the data stays.
  const damaged = Buffer.from(real);
  damaged[20] ^= 0xff;
  await input.setInputFiles({ name: 'dump.rdb', mimeType: 'application/octet-stream', buffer: damaged });
  await page.waitForFunction(() => /was not opened/.test(document.querySelector('.redis-files .message')?.textContent ?? ''));
  assert.match(await message.textContent(), /dump\.rdb was not opened: .+\. Your data is unchanged\./);
  assert.equal(await runCommand(page, 'GET from:redis'), '"real"');

  // Not an RDB file at all.
  await input.setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
  await page.waitForFunction(() => /notes\.txt was not opened/.test(document.querySelector('.redis-files .message')?.textContent ?? ''));
  assert.equal(await runCommand(page, 'DBSIZE'), '(integer) 3');
  assert.deepEqual(errors, []);
  await context.close();
});
