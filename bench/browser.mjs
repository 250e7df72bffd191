// Page load and command latency in headless Chromium. Prints JSON.
import { serveDir, launch } from '../tests/e2e/helpers.mjs';

// BENCH_DIST measures another build (e.g. the previous commit's dist/).
const server = await serveDir(process.env.BENCH_DIST || undefined);
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

// Enter → reply rendered (in the DOM, main thread free again) and → reply
// painted (the next animation frame after that). Each Enter comes at a
// random moment within a frame, as a person's keystroke does: pressed right
// after a frame began, even an instant reply waits ~16.7 ms for the next one.
async function latencies(page, n, command = (i) => `SET bench:${i} ${i}`) {
  return page.evaluate(async ([n, commandSrc]) => {
    const command = eval(commandSrc);
    const input = document.getElementById('console-input-1');
    const log = document.querySelector('.console[data-client="1"] .console-log');
    const rendered = [];
    const painted = [];
    let inFirstFrame = 0;
    // data-seq counts every transcript line printed (only the newest are drawn).
    const seq = () => Number(log.dataset.seq ?? log.querySelectorAll('.line').length);
    for (let i = 0; i < n; i++) {
      const before = seq();
      const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
      setter.call(input, command(i));
      input.dispatchEvent(new Event('input', { bubbles: true }));
      await new Promise((r) => requestAnimationFrame(() => setTimeout(r, Math.random() * 16)));
      const t0 = performance.now();
      let firstFrame = null;
      requestAnimationFrame(() => { firstFrame = performance.now(); });
      input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
      while (seq() <= before + 1) {
        await new Promise((r) => setTimeout(r, 0));
      }
      rendered.push(performance.now() - t0);
      await new Promise((r) => requestAnimationFrame(() => r()));
      const paintedAt = performance.now();
      painted.push(paintedAt - t0);
      // The reply made the first frame after Enter if no frame went by without it.
      if (firstFrame === null || firstFrame >= paintedAt - 0.5) inFirstFrame++;
    }
    return { rendered, painted, firstFrameShare: inFirstFrame / n };
  }, [n, command.toString()]);
}

// One command typed and entered; resolves with Enter → rendered reply (ms).
async function once(page, command) {
  return page.evaluate(async (command) => {
    const input = document.getElementById('console-input-1');
    const log = document.querySelector('.console[data-client="1"] .console-log');
    const seq = () => Number(log.dataset.seq ?? log.querySelectorAll('.line').length);
    const before = seq();
    const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
    setter.call(input, command);
    input.dispatchEvent(new Event('input', { bubbles: true }));
    await new Promise((r) => requestAnimationFrame(() => r()));
    const t0 = performance.now();
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    while (seq() <= before + 1) await new Promise((r) => setTimeout(r, 0));
    return performance.now() - t0;
  }, command);
}

// PING before and after a 5 MB value (SET typed into the console, then GET
// printing it): the big value should cost its own commands, not every later one.
const bigContext = await browser.newContext({ viewport: { width: 1400, height: 900 } });
const bigPage = await bigContext.newPage();
await bigPage.goto(server.url + '#/playground');
await bigPage.waitForSelector('#console-input-1');
const ping = () => 'PING';
const beforeBig = await latencies(bigPage, 60, ping);
const bigSet = await once(bigPage, `SET big ${'x'.repeat(5 * 1024 * 1024)}`);
const bigGet = await once(bigPage, 'GET big');
const afterBig = await latencies(bigPage, 60, ping);
await bigContext.close();

const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
const page = await context.newPage();
await page.goto(server.url + '#/playground');
await page.waitForSelector('#console-input-1');
const empty = await latencies(page, 100);
await page.evaluate(() => {
  const input = document.getElementById('console-input-1');
  const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
  setter.call(input, "EVAL \"for i = 1, 100000 do redis.call('SET', 'key:' .. i, i) end return 1\" 0");
  input.dispatchEvent(new Event('input', { bubbles: true }));
  input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
});
await page.waitForFunction(() => [...document.querySelectorAll('.line.output')].some((e) => e.textContent === '(integer) 1'), null, { timeout: 120000 });
const full = await latencies(page, 100);
console.log(JSON.stringify({
  load_ms_median: median(loads),
  empty_p50: pct(empty.painted, 0.5), empty_p95: pct(empty.painted, 0.95),
  full_p50: pct(full.painted, 0.5), full_p95: pct(full.painted, 0.95),
  empty_rendered_p50: pct(empty.rendered, 0.5), empty_rendered_p95: pct(empty.rendered, 0.95),
  full_rendered_p50: pct(full.rendered, 0.5), full_rendered_p95: pct(full.rendered, 0.95),
  empty_first_frame: empty.firstFrameShare, full_first_frame: full.firstFrameShare,
  ping_before_5mb_rendered_p50: pct(beforeBig.rendered, 0.5), ping_before_5mb_rendered_p95: pct(beforeBig.rendered, 0.95),
  ping_after_5mb_rendered_p50: pct(afterBig.rendered, 0.5), ping_after_5mb_rendered_p95: pct(afterBig.rendered, 0.95),
  ping_before_5mb_p95: pct(beforeBig.painted, 0.95), ping_after_5mb_p95: pct(afterBig.painted, 0.95),
  set_5mb_ms: bigSet, get_5mb_ms: bigGet,
}));
await browser.close();
await server.close();
