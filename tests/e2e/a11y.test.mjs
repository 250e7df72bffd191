// Accessibility on every route: axe finds no serious or critical violation
// in either theme, at desktop and at phone width, in English and in French.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { server, browser, useBrowser, watchErrors } from './helpers.mjs';

useBrowser();

/** Every route, with what shows it has rendered. */
const ROUTES = [
  ['#/', '.lesson-card'],
  ['#/lesson/ttl', '.run-block'],
  ['#/lesson/strings', '.challenge'],
  ['#/lesson-file', 'main h1'],
  ['#/playground', '#console-input-1'],
  ['#/types', '.type-gallery'],
  ['#/latency', 'main h1'],
  ['#/scaling', '#console-input-1'],
  ['#/scaling/cluster', '.slot-map svg'],
  ['#/reference', 'main h1'],
  ['#/embed/lesson/strings', '.run-block'],
  ['#/embed/console', '#console-input-1'],
  ['#/no-such-page', 'main h1'],
];

const WIDTHS = [
  { viewport: { width: 1400, height: 1000 } },
  { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
];

for (const lang of ['en', 'fr']) {
test(`axe (${lang}): no serious or critical violations on any route, light and dark, desktop and phone`, async () => {
  const axe = await readFile(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');
  const failures = [];
  for (const colorScheme of ['light', 'dark']) {
    for (const size of WIDTHS) {
      const context = await browser.newContext({ colorScheme, ...size });
      const page = await context.newPage();
      const errors = watchErrors(page);
      for (const [path, ready] of ROUTES) {
        await page.goto(server.url + (lang === 'en' ? '' : `?lang=${lang}`) + path);
        await page.waitForSelector(ready);
        if (path === '#/lesson/ttl') await page.locator('.run-block .run-button').first().click();
        await page.addScriptTag({ content: axe });
        const violations = await page.evaluate(async () => {
          const r = await window.axe.run(document, { resultTypes: ['violations'] });
          return r.violations
            .filter((v) => v.impact === 'serious' || v.impact === 'critical')
            .map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 3) }));
        });
        if (violations.length) failures.push({ lang, colorScheme, width: size.viewport.width, path, violations });
      }
      assert.deepEqual(errors, [], `${lang} ${colorScheme} ${size.viewport.width}px: page errors`);
      await context.close();
    }
  }
  assert.deepEqual(failures, [], JSON.stringify(failures, null, 1));
});
}
