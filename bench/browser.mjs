// Page load and command latency in headless Chromium. Prints JSON.
import { serveDir, launch } from '../tests/e2e/helpers.mjs';

const server = await serveDir();
const browser = await launch();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

// Cold loads: navigation start to a focused console prompt.
const loads = [];
for (let i = 0; i < 7; i++) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(server.url);
  await page.waitForFunction(() => document.activeElement?.id === 'console-input-1');
  loads.push(await page.evaluate(() => performance.now()));
  await context.close();
}

// Enter → reply painted (next animation frame after the reply is in the DOM).
async function latencies(page, n) {
  return page.evaluate(async (n) => {
    const input = document.getElementById('console-input-1');
    const log = document.querySelector('.console[data-client="1"] .console-log');
    const out = [];
    for (let i = 0; i < n; i++) {
      const before = log.querySelectorAll('.line.output').length;
      const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
      setter.call(input, `SET bench:${i} ${i}`);
      input.dispatchEvent(new Event('input', { bubbles: true }));
      const t0 = performance.now();
      input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
      while (log.querySelectorAll('.line.output').length <= before) {
        await new Promise((r) => setTimeout(r, 0));
      }
      await new Promise((r) => requestAnimationFrame(() => r()));
      out.push(performance.now() - t0);
    }
    return out;
  }, n);
}

const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
const page = await context.newPage();
await page.goto(server.url + '#/playground');
await page.waitForSelector('#console-input-1');
const empty = await latencies(page, 60);
await page.evaluate(() => {
  const input = document.getElementById('console-input-1');
  const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
  setter.call(input, "EVAL \"for i = 1, 100000 do redis.call('SET', 'key:' .. i, i) end return 1\" 0");
  input.dispatchEvent(new Event('input', { bubbles: true }));
  input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
});
await page.waitForFunction(() => [...document.querySelectorAll('.line.output')].some((e) => e.textContent === '(integer) 1'), null, { timeout: 120000 });
const full = await latencies(page, 60);
console.log(JSON.stringify({
  load_ms_median: median(loads),
  empty_p50: pct(empty, 0.5), empty_p95: pct(empty, 0.95),
  full_p50: pct(full, 0.5), full_p95: pct(full, 0.95),
}));
await browser.close();
await server.close();
