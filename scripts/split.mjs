// Splits a release build's module in three (tools/wasm-split): the primary
// keeps the functions listed in tools/wasm-split/primary.txt (what the home
// page runs: loading, the page, the console answering PING/SET/GET); the
// "pages" module those of tools/wasm-split/pages.txt (what a lesson page runs
// beyond that); the "extra" module the rest: the Lua interpreter and scripting
// libraries, the latency simulation, the charts, rarely used command families,
// other pages. Run by scripts/postbuild.mjs on a release dist/ (Trunk's
// wasm-opt keeps the function names there with `-g`; the split outputs carry
// none).
//
// The JS glue gets the loader: the primary's table slots of secondary
// functions hold placeholders (imports `__split1.<slot>` for the pages module,
// `__split.<slot>` for the extra one); any page but the home page fetches the
// pages module alongside the primary and starts with it; the home page loads
// both in the background once the app has started; a placeholder that runs
// before its module is in loads it synchronously and calls the slot again.
// `window.redisLabExtra` tells the page how loading goes (events
// `redis-lab-extra` on window: loading, ready, failed).
//
// Files are renamed after their content (16 hex digits, as Trunk's), and
// index.html's references and integrity hashes follow.
//
// REDIS_LAB_SPLIT=profile instead instruments the whole module to record which
// functions run (scripts/split-profile.mjs); REDIS_LAB_SPLIT=off leaves it whole.
import { readFileSync, writeFileSync, readdirSync, mkdirSync, copyFileSync, unlinkSync, existsSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const KEEP_LIST = join(ROOT, 'tools/wasm-split/primary.txt');
export const PAGES_LIST = join(ROOT, 'tools/wasm-split/pages.txt');

export const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');
const hash16 = (bytes) => sha256(bytes).slice(0, 16);
const sri = (bytes) => 'sha384-' + createHash('sha384').update(bytes).digest('base64');

/** Builds tools/wasm-split (once; Cargo skips it when up to date) and returns its path. */
export function tool() {
  const target = process.env.CARGO_TARGET_DIR ? resolve(process.env.CARGO_TARGET_DIR) : join(ROOT, 'target');
  execFileSync('cargo', ['build', '--release', '-q', '-p', 'wasm-split'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  return { bin: join(target, 'release', process.platform === 'win32' ? 'wasm-split.exe' : 'wasm-split'), target };
}

/**
 * index.html's first script: which secondaries the address needs before the
 * app starts — none on the home page, the pages module on a lesson, both on a
 * lesson on several servers (it runs the replication and cluster code) and on
 * any other page (which would otherwise load the extra one synchronously
 * while it draws) — asked for at once, alongside the primary. `topology`:
 * the ids of the lessons on several servers.
 */
function firstParts(pages, extra, topology) {
  return `<script>
(() => {
  const hash = location.hash, lesson = (/^#\\/(?:embed\\/)?lesson\\/([^/?#]+)/.exec(hash) || [])[1];
  const parts = /^#?\\/?$/.test(hash) ? [] : lesson && !${JSON.stringify(topology)}.includes(lesson) ? ["pages"] : ["pages", "extra"];
  const files = { pages: ${JSON.stringify('./' + pages)}, extra: ${JSON.stringify('./' + extra)} };
  window.redisLabFirstParts = parts;
  for (const part of parts) {
    const link = document.createElement("link");
    Object.assign(link, { rel: "preload", as: "fetch", crossOrigin: "anonymous", href: files[part] });
    document.head.appendChild(link);
  }
})();
</script>`;
}

/** The runtime put in front of wasm-bindgen's glue. */
function runtime(extra, pages) {
  return `// Loads the secondary modules (scripts/split.mjs): "pages" (what a lesson
// page runs beyond the home page) and "extra" (the rest). index.html's first
// script asks for what the address needs alongside the primary, and the app
// starts once that is in; the home page loads both in the background once the
// app has started; a function of one called before that loads it
// synchronously.
const redisLabExtra = (() => {
  const part = (name, file, module) => ({ name, module, url: new URL(file, import.meta.url).href, state: "idle",
    error: null, compiled: null, ready: null, pending: null });
  const parts = [part("pages", ${JSON.stringify('./' + pages)}, "__split1"), part("extra", ${JSON.stringify('./' + extra)}, "__split")];
  const [pagesPart, extraPart] = parts;
  let primary = null, broken = false, brokenError = null;
  const combined = () =>
    parts.some((p) => p.state === "failed") ? "failed"
      : parts.every((p) => p.state === "ready") ? "ready"
      : parts.some((p) => p.state === "loading") ? "loading" : "idle";
  // What the page says: a status line while loading, an alert (with a retry) if it failed.
  const fr = () => document.documentElement.lang === "fr";
  const show = () => {
    let el = document.getElementById("extra-status");
    const state = combined();
    // A failed synchronous load stays reported even if a later load works:
    // the call that needed it never finished, so only a reload recovers.
    if (!broken && (state === "ready" || state === "idle")) return el && el.remove();
    if (!el) {
      el = document.createElement("div");
      el.id = "extra-status";
      document.body.appendChild(el);
    }
    const failed = broken || state === "failed";
    el.className = failed ? "failed" : state;
    el.setAttribute("role", failed ? "alert" : "status");
    if (!failed) {
      el.textContent = pagesPart.state === "loading"
        ? (fr() ? "Chargement des pages des leçons…" : "Loading the lesson pages…")
        : (fr() ? "Chargement des scripts Lua, de la démo de latence et des graphiques…"
          : "Loading scripting (Lua), the latency demo and charts…");
      return;
    }
    // A failed synchronous load left the call that needed it unfinished: only a reload recovers.
    const failedPart = parts.find((p) => p.state === "failed");
    const what = broken
      ? (fr() ? "Une partie de Redis Lab (scripts Lua, démo de latence, graphiques, certaines pages) n'a pas pu être chargée ("
        : "Part of Redis Lab (scripting, the latency demo, charts, some pages) could not be loaded (")
      : failedPart === pagesPart
        ? (fr() ? "Les pages des leçons n'ont pas pu être chargées (" : "The lesson pages could not be loaded (")
        : (fr() ? "Les scripts Lua (EVAL, FCALL), la démo de latence et les graphiques n'ont pas pu être chargés ("
          : "Scripting (EVAL, FCALL), the latency demo and charts could not be loaded (");
    const error = broken ? brokenError : failedPart.error;
    el.textContent = what + error + (broken
      ? (fr() ? "). Rechargez la page pour réessayer. " : "). Reload the page to try again. ")
      : (fr() ? "). Les autres commandes fonctionnent. " : "). Other commands still work. "));
    const retry = document.createElement("button");
    retry.type = "button";
    retry.textContent = broken ? (fr() ? "Recharger" : "Reload") : (fr() ? "Réessayer" : "Retry");
    retry.onclick = () => (broken ? location.reload() : load().catch(() => {}));
    el.appendChild(retry);
  };
  const set = (p, s, e) => {
    p.state = s;
    p.error = e ? String(e && e.message || e) : null;
    if (typeof document !== "undefined" && document.body) show();
    dispatchEvent(new CustomEvent("redis-lab-extra", { detail: { state: combined(), part: p.name, error: p.error } }));
  };
  const instantiate = (p, module) => {
    if (p.state === "ready") return;
    new WebAssembly.Instance(module, { p: primary.exports });
    set(p, "ready");
  };
  const loadSync = (p) => {
    if (p.state === "ready") return;
    try {
      // Compiled in the background already: no second request.
      if (p.ready) return instantiate(p, p.ready);
      set(p, "loading");
      const xhr = new XMLHttpRequest();
      xhr.open("GET", p.url, false);
      xhr.overrideMimeType("text/plain; charset=x-user-defined");
      xhr.send();
      if (xhr.status !== 200) throw new Error("HTTP " + xhr.status + " for " + p.url);
      const text = xhr.responseText, bytes = new Uint8Array(text.length);
      for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i) & 255;
      instantiate(p, new WebAssembly.Module(bytes));
    } catch (e) {
      broken = true;
      brokenError = String(e && e.message || e);
      set(p, "failed", e);
      throw e;
    }
  };
  const compile = (p) => {
    p.compiled = p.compiled || (async () => {
      const res = await fetch(p.url);
      if (!res.ok) throw new Error("HTTP " + res.status + " for " + p.url);
      const m = (res.headers.get("content-type") || "").startsWith("application/wasm")
        ? await WebAssembly.compileStreaming(res) : await WebAssembly.compile(await res.arrayBuffer());
      p.ready = m;
      return m;
    })();
    p.compiled.catch(() => { p.compiled = null; });
    return p.compiled;
  };
  const loadPart = (p) => {
    if (p.state === "ready") return Promise.resolve();
    if (p.pending) return p.pending;
    set(p, "loading");
    p.pending = (async () => instantiate(p, await compile(p)))().catch((e) => {
      p.pending = null;
      if (p.state !== "ready") set(p, "failed", e);
      throw e;
    });
    return p.pending;
  };
  // The lesson pages first, then the rest.
  const load = () => loadPart(pagesPart).then(() => loadPart(extraPart));
  // A page this build's service worker serves has every file at hand: every
  // part is compiled alongside the primary and in before the app starts (a
  // synchronous request would bypass the worker, so it would fail offline;
  // and code only such a page runs, as the worker's update notice, is in no
  // profile).
  const cached = typeof navigator !== "undefined" && !!(navigator.serviceWorker && navigator.serviceWorker.controller);
  // What the first page needs before it starts (decided by index.html's
  // first script, which also asked for it already): every part on a page the
  // service worker serves, else what the address needs.
  const wanted = (typeof globalThis.redisLabFirstParts === "object" && globalThis.redisLabFirstParts) || [];
  const first = cached ? parts : parts.filter((p) => wanted.includes(p.name));
  first.forEach((p) => compile(p).catch(() => {}));
  const placeholders = (p) => new Proxy({}, {
    get: (_, name) => {
      const slot = Number(name);
      return (...args) => {
        loadSync(p);
        return primary.exports.__split_table.get(slot)(...args);
      };
    },
  });
  const api = {
    urls: parts.map((p) => p.url),
    imports: Object.fromEntries(parts.map((p) => [p.module, placeholders(p)])),
    load,
    loadSync: () => parts.forEach(loadSync),
    setPrimary: (instance) => { primary = instance; },
    // A part the first page needs that cannot be loaded stops the start:
    // index.html's shell stays up (the lesson still readable) and says the
    // engine could not be loaded, and the alert offers a reload (the app
    // would otherwise fail half-way through drawing the page).
    beforeStart: (instance) => {
      primary = instance;
      if (!first.length) return undefined;
      return Promise.all(first.map(loadPart)).catch((e) => {
        broken = true;
        brokenError = String(e && e.message || e);
        show();
        throw e;
      });
    },
    get state() { return combined(); },
    get parts() { return Object.fromEntries(parts.map((p) => [p.name, p.state])); },
    get error() { return broken ? brokenError : (parts.find((p) => p.error) || {}).error || null; },
  };
  globalThis.redisLabExtra = api;
  return api;
})();
`;
}

/**
 * Profile mode: every function calls \`__prof.hit(index)\`, every load from
 * the data calls \`__prof.data(address)\`; hits gather in window.__profHits,
 * addresses in window.__profReads.
 */
const PROFILE_RUNTIME = `const __profHits = (globalThis.__profHits = new Uint8Array(1 << 20));
const __profReads = (globalThis.__profReads = new Set());
`;

function patchGlue(js, mode) {
  const imports = /(\n(\s*)"\.\/redis-lab_bg\.js": import0,\n)/;
  const finalize = /(function __wbg_finalize_init\(instance, module\) \{\n)/;
  if (!imports.test(js) || !finalize.test(js)) throw new Error('split: wasm-bindgen glue not as expected (imports / __wbg_finalize_init)');
  if (mode === 'profile') {
    return PROFILE_RUNTIME + js.replace(imports, '$1$2"__prof": { hit: (i) => { __profHits[i] = 1; }, data: (a) => { __profReads.add(a >>> 0); } },\n');
  }
  const loaded = /(\n(\s*)const \{ instance, module \} = await __wbg_load\(await module_or_path, imports\);\n)/;
  if (!loaded.test(js)) throw new Error('split: wasm-bindgen glue not as expected (__wbg_load in __wbg_init_once)');
  return js
    .replace(loaded, '$1$2await redisLabExtra.beforeStart(instance);\n')
    .replace(imports, '$1$2...redisLabExtra.imports,\n')
    .replace(finalize, '$1    redisLabExtra.setPrimary(instance);\n');
}

/**
 * Splits (or instruments) dir's module; rewrites the glue, names and
 * index.html. `topology`: the ids of the lessons on several servers (they
 * start with both secondaries). Returns sizes.
 */
export function splitDist(dir, { topology = [], mode = process.env.REDIS_LAB_SPLIT ?? 'split' } = {}) {
  if (mode === 'off') return null;
  // Only release builds (a debug build keeps its module whole).
  if (process.env.TRUNK_PROFILE && process.env.TRUNK_PROFILE !== 'release') return null;
  const files = readdirSync(dir);
  // Trunk names files after a 64-bit hash in hex without leading zeros:
  // up to 16 digits (15 one time in 16).
  const wasmName = files.find((f) => /^redis-lab-[0-9a-f]{1,16}_bg\.wasm$/.test(f));
  const jsName = files.find((f) => /^redis-lab-[0-9a-f]{1,16}\.js$/.test(f));
  if (!wasmName || !jsName) throw new Error(`split: no redis-lab-<hash>_bg.wasm / .js in ${dir}`);
  const { bin, target } = tool();
  const work = join(target, 'wasm-split');
  mkdirSync(work, { recursive: true });
  const whole = join(work, 'whole_bg.wasm');
  copyFileSync(join(dir, wasmName), whole);
  copyFileSync(join(dir, jsName), join(work, 'whole.js'));
  const primaryOut = join(work, 'primary_bg.wasm');
  const secondaryOut = join(work, 'secondary.wasm');
  const pagesOut = join(work, 'pages.wasm');
  let secondaryName = null;
  let pagesName = null;
  let glue = readFileSync(join(dir, jsName), 'utf8');
  if (glue.includes('redisLabExtra') || glue.includes('__profHits')) return null; // already done
  if (mode === 'profile') {
    execFileSync(bin, ['instrument', whole, primaryOut, join(dir, 'profile-names.txt')], { stdio: 'inherit' });
  } else {
    // The linker's map of this build (build.rs asks for it): read-only data
    // only the secondaries use moves to them.
    const map = join(target, 'wasm32-unknown-unknown', 'release', 'redis-lab.map');
    const mapArgs = existsSync(map) && statSync(map).mtimeMs >= statSync(join(target, 'wasm32-unknown-unknown', 'release', 'redis-lab.wasm')).mtimeMs - 60_000 ? ['--map', map] : [];
    if (!mapArgs.length) console.warn('split: no link map for this build; all data stays in the primary');
    // Data reads recorded by the last profile of this very module (scripts/split-profile.mjs).
    const reads = join(work, 'profile-reads.txt');
    if (mapArgs.length && existsSync(reads) && readFileSync(reads, 'utf8').startsWith(`# whole ${sha256(readFileSync(whole))}\n`)) {
      mapArgs.push('--reads', reads);
    }
    execFileSync(bin, ['split', whole, KEEP_LIST, primaryOut, secondaryOut, ...mapArgs, PAGES_LIST, pagesOut], { stdio: 'inherit' });
    for (const f of files) if (/^redis-lab-(extra|pages)-[0-9a-f]{16}\.wasm$/.test(f)) unlinkSync(join(dir, f));
    const secondary = readFileSync(secondaryOut);
    secondaryName = `redis-lab-extra-${hash16(secondary)}.wasm`;
    writeFileSync(join(dir, secondaryName), secondary);
    const pages = readFileSync(pagesOut);
    pagesName = `redis-lab-pages-${hash16(pages)}.wasm`;
    writeFileSync(join(dir, pagesName), pages);
  }
  glue = (mode === 'profile' ? '' : runtime(secondaryName, pagesName)) + patchGlue(glue, mode);
  const primary = readFileSync(primaryOut);
  const newWasm = `redis-lab-${hash16(primary)}_bg.wasm`;
  const newJs = `redis-lab-${hash16(glue)}.js`;
  unlinkSync(join(dir, wasmName));
  unlinkSync(join(dir, jsName));
  writeFileSync(join(dir, newWasm), primary);
  writeFileSync(join(dir, newJs), glue);
  const indexPath = join(dir, 'index.html');
  let html = readFileSync(indexPath, 'utf8').split(wasmName).join(newWasm).split(jsName).join(newJs);
  // Integrity hashes of the two renamed files.
  html = html.replace(/(<link[^>]*href="\.\/([^"]+)"[^>]*integrity=")([^"]+)(")/g, (m, a, file, _old, b) =>
    file === newWasm ? a + sri(primary) + b : file === newJs ? a + sri(Buffer.from(glue)) + b : m,
  );
  // Start fetching the secondaries once the app has started, after the first screen is up.
  if (mode !== 'profile') {
    // First in <head> (before the stylesheet, which a classic script would wait for).
    html = html.replace(/(<meta charset="utf-8" \/>\n)/, '$1' + firstParts(pagesName, secondaryName, topology) + '\n');
    if (!html.includes('redisLabFirstParts')) throw new Error('split: no <meta charset="utf-8" /> in index.html');
    html = html.replace(
      /(dispatchEvent\(new CustomEvent\("TrunkApplicationStarted"[^\n]*\n)/,
      '$1setTimeout(() => (window.requestIdleCallback || setTimeout)(() => window.redisLabExtra.load().catch(() => {})), 300);\n',
    );
  }
  writeFileSync(indexPath, html);
  const size = (name) => (name ? readFileSync(join(dir, name)).length : 0);
  return { primary: primary.length, secondary: size(secondaryName), secondaryName, pages: size(pagesName), pagesName };
}
