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
// `__split.<slot>` for the extra one); index.html's first script fetches and
// compiles the primary, and any page but the home page the pages module
// alongside it, and the app starts with those; the home page loads both in
// the background once the app has started; a placeholder that runs before its
// module is in loads it synchronously (from its bytes, read from the service
// worker's copy, on a page the worker serves) and calls the slot again. A
// first visit the worker takes over compiles the modules once more from the
// worker's copy, so the browser keeps their compiled code with it for the
// next visit.
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

/** Where the app saves the playground's dataset (src/components/provider.rs, DATASET_KEY). */
const DATASET_KEY = 'redis-lab:dataset';

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
 * index.html's first script: fetches and compiles the primary module at once
 * (the glue's init takes the compiled module: compiling overlaps the page's
 * parsing and first layout instead of following the glue's evaluation), and
 * the secondaries the address needs before the app starts — none on the home
 * page, the pages module on a lesson, both on a lesson on several servers (it
 * runs the replication and cluster code) and on any other page (which would
 * otherwise load the extra one synchronously while it draws). On a page this
 * build's service worker serves, a function of another part called before
 * that part is compiled is compiled from its bytes, read from the worker's
 * copy (a synchronous request would bypass the worker and fail offline):
 * here, before the app starts, if there is a saved dataset (restoring it may
 * run any command), else by the loader once the app has started (reading
 * 2 MB competes with the start). `topology`: the ids of the lessons on
 * several servers.
 */
function firstParts(primary, integrity, pages, extra, topology) {
  return `<script>
(() => {
  const hash = location.hash, lesson = (/^#\\/(?:embed\\/)?lesson\\/([^/?#]+)/.exec(hash) || [])[1];
  const parts = /^#?\\/?$/.test(hash) ? [] : lesson && !${JSON.stringify(topology)}.includes(lesson) ? ["pages"] : ["pages", "extra"];
  const read = (href, integrity) => fetch(href, integrity ? { integrity } : {}).then((res) => {
    if (!res.ok) throw new Error("HTTP " + res.status + " for " + res.url);
    return res;
  });
  // Whoever takes a promise reports its failure (the glue, the loader); not an unhandled rejection here.
  const quiet = (promise) => (promise.catch(() => {}), promise);
  // Compiled as the bytes arrive where the server says application/wasm.
  const compile = (href, integrity) => quiet(read(href, integrity).then((res) =>
    WebAssembly.compileStreaming && (res.headers.get("content-type") || "").startsWith("application/wasm")
      ? WebAssembly.compileStreaming(res) : res.arrayBuffer().then((bytes) => WebAssembly.compile(bytes))));
  // read and compile serve the loader too (the glue's runtime).
  const early = (window.redisLabEarly = { read, compile, primary: compile(${JSON.stringify('./' + primary)}, ${JSON.stringify(integrity)}), bytes: {} });
  const files = { pages: ${JSON.stringify('./' + pages)}, extra: ${JSON.stringify('./' + extra)} };
  const cached = !!(navigator.serviceWorker && navigator.serviceWorker.controller);
  let saved = false;
  try { saved = !!localStorage.getItem(${JSON.stringify(DATASET_KEY)}); } catch (e) { /* storage blocked: nothing to restore */ }
  for (const part of Object.keys(files)) {
    if (parts.includes(part)) early[part] = compile(files[part]);
    else if (cached && saved) early.bytes[part] = quiet(read(files[part]).then((res) => res.arrayBuffer()));
  }
  window.redisLabFirstParts = parts;
})();
</script>`;
}

/** The runtime put in front of wasm-bindgen's glue. */
function runtime(primaryName, extra, pages) {
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
      // Its bytes at hand (a page the service worker serves): compiled from them.
      if (p.bytes) return instantiate(p, new WebAssembly.Module(p.bytes));
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
  // index.html's first script may have started a part's compile, or read its
  // bytes, already (taken once: a retry fetches again); its read and compile
  // serve here too.
  const early = globalThis.redisLabEarly;
  const earlyBytes = early.bytes;
  const keepBytes = (p, read) => {
    p.reading = read.then((bytes) => { p.bytes = p.bytes || (p.ready ? null : bytes); }, () => { p.reading = null; });
    return p.reading;
  };
  for (const p of parts) if (earlyBytes[p.name]) keepBytes(p, earlyBytes[p.name]);
  // Reads a part's bytes from the worker's copy unless it is in or at hand.
  const readBytes = (p) => p.ready || p.bytes || p.reading || keepBytes(p, early.read(p.url).then((res) => res.arrayBuffer()));
  const compile = (p) => {
    const started = early[p.name];
    delete early[p.name];
    p.compiled = p.compiled || (started || (async () => {
      if (p.reading) await p.reading;
      return p.bytes ? WebAssembly.compile(p.bytes) : early.compile(p.url);
    })()).then((m) => {
      p.ready = m;
      p.bytes = null;
      return m;
    });
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
  // What the first page needs before it starts, decided (and asked for) by
  // index.html's first script: what the address needs.
  const wanted = (typeof globalThis.redisLabFirstParts === "object" && globalThis.redisLabFirstParts) || [];
  const first = parts.filter((p) => wanted.includes(p.name));
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
    // With a saved dataset on a page the service worker serves, the other
    // parts' bytes are in first too (a read that fails only leaves the
    // synchronous request).
    beforeStart: (instance) => {
      primary = instance;
      const bytes = parts.filter((p) => p.reading).map((p) => p.reading);
      if (!first.length && !bytes.length) return undefined;
      return Promise.all([...first.map(loadPart), ...bytes]).catch((e) => {
        broken = true;
        brokenError = String(e && e.message || e);
        show();
        throw e;
      });
    },
    get state() { return combined(); },
    // Every part in, or its bytes at hand (a page the service worker serves, offline too).
    get atHand() { return parts.every((p) => p.state === "ready" || !!p.bytes); },
    get parts() { return Object.fromEntries(parts.map((p) => [p.name, p.state])); },
    get error() { return broken ? brokenError : (parts.find((p) => p.error) || {}).error || null; },
  };
  globalThis.redisLabExtra = api;
  const sw = typeof navigator !== "undefined" && navigator.serviceWorker;
  // A page the worker serves reads the other parts' bytes once the app has
  // started and drawn (reading 2 MB would compete with its first replies).
  if (sw && sw.controller) {
    addEventListener("TrunkApplicationStarted", () => requestAnimationFrame(() => setTimeout(() => parts.forEach(readBytes))), { once: true });
  }
  // A first visit that the service worker takes over compiles each module
  // once more, from the worker's copy, once the app has started: the
  // browser finds the code it has compiled for this page so far, and keeps
  // it with that copy, so the next visit starts without compiling again what
  // the page ran (the secondaries once the page has them: they load in the
  // background anyway).
  if (sw && !sw.controller && WebAssembly.compileStreaming) {
    const kept = [];
    const again = (url) => WebAssembly.compileStreaming(fetch(url)).then((m) => { kept.push(m); }, () => {});
    let waiting = 2;
    const both = () => --waiting || (globalThis.requestIdleCallback || setTimeout)(() =>
      again(new URL(${JSON.stringify('./' + primaryName)}, import.meta.url).href)
        .then(() => load())
        .then(() => parts.reduce((done, p) => done.then(() => again(p.url)), Promise.resolve()))
        .catch(() => {}));
    addEventListener("TrunkApplicationStarted", both, { once: true });
    sw.addEventListener("controllerchange", both, { once: true });
  }
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
  const primary = readFileSync(primaryOut);
  const newWasm = `redis-lab-${hash16(primary)}_bg.wasm`;
  glue = (mode === 'profile' ? '' : runtime(newWasm, secondaryName, pagesName)) + patchGlue(glue, mode);
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
    html = html.replace(/(<meta charset="utf-8" \/>\n)/, '$1' + firstParts(newWasm, sri(primary), pagesName, secondaryName, topology) + '\n');
    if (!html.includes('redisLabFirstParts')) throw new Error('split: no <meta charset="utf-8" /> in index.html');
    // The first script fetches the primary module (so no preload of it), and the glue's init takes its compile.
    const preload = new RegExp(`<link rel="preload" href="\\./${newWasm}"[^>]*>`);
    const init = `init({ module_or_path: './${newWasm}' })`;
    if (!preload.test(html) || !html.includes(init)) throw new Error('split: index.html has no preload of the module or no init call as expected');
    html = html.replace(preload, '').replace(init, 'init({ module_or_path: window.redisLabEarly.primary })');
    html = html.replace(
      /(dispatchEvent\(new CustomEvent\("TrunkApplicationStarted"[^\n]*\n)/,
      '$1setTimeout(() => (window.requestIdleCallback || setTimeout)(() => window.redisLabExtra.load().catch(() => {})), 300);\n',
    );
  }
  writeFileSync(indexPath, html);
  const size = (name) => (name ? readFileSync(join(dir, name)).length : 0);
  return { primary: primary.length, secondary: size(secondaryName), secondaryName, pages: size(pagesName), pagesName };
}
