// Splits a release build's module in two (tools/wasm-split): the primary keeps
// the functions listed in tools/wasm-split/primary.txt (what the first screen
// runs: loading, the home page and a lesson, the console answering
// PING/SET/GET), the secondary the rest: the Lua interpreter and scripting
// libraries, the latency simulation, the charts, rarely used command families.
// Run by scripts/postbuild.mjs on a release dist/ (Trunk's wasm-opt keeps the
// function names there with `-g`; the split outputs carry none).
//
// The JS glue gets the loader: the primary's table slots of secondary
// functions hold placeholders (imports `__split.<slot>`); the page fetches and
// compiles the secondary in the background once the app has started, and a
// placeholder that runs before that loads it synchronously and calls the slot
// again. `window.redisLabExtra` tells the page how loading goes (events
// `redis-lab-extra` on window: loading, ready, failed).
//
// Files are renamed after their content (16 hex digits, as Trunk's), and
// index.html's references and integrity hashes follow.
//
// REDIS_LAB_SPLIT=profile instead instruments the whole module to record which
// functions run (scripts/split-profile.mjs); REDIS_LAB_SPLIT=off leaves it whole.
import { readFileSync, writeFileSync, readdirSync, renameSync, mkdirSync, copyFileSync, unlinkSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const KEEP_LIST = join(ROOT, 'tools/wasm-split/primary.txt');

const hash16 = (bytes) => createHash('sha256').update(bytes).digest('hex').slice(0, 16);
const sri = (bytes) => 'sha384-' + createHash('sha384').update(bytes).digest('base64');

/** Builds tools/wasm-split (once; Cargo skips it when up to date) and returns its path. */
export function tool() {
  const target = process.env.CARGO_TARGET_DIR ? resolve(process.env.CARGO_TARGET_DIR) : join(ROOT, 'target');
  execFileSync('cargo', ['build', '--release', '-q', '-p', 'wasm-split'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  return { bin: join(target, 'release', process.platform === 'win32' ? 'wasm-split.exe' : 'wasm-split'), target };
}

/** The runtime put in front of wasm-bindgen's glue. */
function runtime(secondary) {
  return `// Loads the secondary module (scripts/split.mjs): in the background once the
// app has started, or synchronously when a function of it is called first.
const redisLabExtra = (() => {
  const url = new URL(${JSON.stringify('./' + secondary)}, import.meta.url).href;
  let primary = null, state = "idle", error = null, pending = null, broken = false;
  // What the page says: a status line while loading, an alert (with a retry) if it failed.
  const fr = () => document.documentElement.lang === "fr";
  const show = () => {
    let el = document.getElementById("extra-status");
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
      el.textContent = fr() ? "Chargement des scripts Lua, de la démo de latence et des graphiques…"
        : "Loading scripting (Lua), the latency demo and charts…";
      return;
    }
    // A failed synchronous load left the call that needed it unfinished: only a reload recovers.
    const what = broken
      ? (fr() ? "Une partie de Redis Lab (scripts Lua, démo de latence, graphiques, certaines pages) n'a pas pu être chargée ("
        : "Part of Redis Lab (scripting, the latency demo, charts, some pages) could not be loaded (")
      : (fr() ? "Les scripts Lua (EVAL, FCALL), la démo de latence et les graphiques n'ont pas pu être chargés ("
        : "Scripting (EVAL, FCALL), the latency demo and charts could not be loaded (");
    el.textContent = what + error + (broken
      ? (fr() ? "). Rechargez la page pour réessayer. " : "). Reload the page to try again. ")
      : (fr() ? "). Les autres commandes fonctionnent. " : "). Other commands still work. "));
    const retry = document.createElement("button");
    retry.type = "button";
    retry.textContent = broken ? (fr() ? "Recharger" : "Reload") : (fr() ? "Réessayer" : "Retry");
    retry.onclick = () => (broken ? location.reload() : load().catch(() => {}));
    el.appendChild(retry);
  };
  const set = (s, e) => {
    state = s;
    if (e) error = String(e && e.message || e);
    else if (!broken) error = null;
    if (typeof document !== "undefined" && document.body) show();
    dispatchEvent(new CustomEvent("redis-lab-extra", { detail: { state, error } }));
  };
  const instantiate = (module) => {
    if (state === "ready") return;
    new WebAssembly.Instance(module, { p: primary.exports });
    set("ready");
  };
  const loadSync = () => {
    if (state === "ready") return;
    set("loading");
    try {
      const xhr = new XMLHttpRequest();
      xhr.open("GET", url, false);
      xhr.overrideMimeType("text/plain; charset=x-user-defined");
      xhr.send();
      if (xhr.status !== 200) throw new Error("HTTP " + xhr.status + " for " + url);
      const text = xhr.responseText, bytes = new Uint8Array(text.length);
      for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i) & 255;
      instantiate(new WebAssembly.Module(bytes));
    } catch (e) {
      broken = true;
      set("failed", e);
      throw e;
    }
  };
  let compiled = null;
  const compile = () => {
    compiled = compiled || (async () => {
      const res = await fetch(url);
      if (!res.ok) throw new Error("HTTP " + res.status + " for " + url);
      if ((res.headers.get("content-type") || "").startsWith("application/wasm")) return WebAssembly.compileStreaming(res);
      return WebAssembly.compile(await res.arrayBuffer());
    })();
    compiled.catch(() => { compiled = null; });
    return compiled;
  };
  // A page this build's service worker serves has every file at hand: the
  // secondary is compiled alongside the primary and in before the app starts
  // (a synchronous request would bypass the worker, so it would fail offline).
  const cached = typeof navigator !== "undefined" && !!(navigator.serviceWorker && navigator.serviceWorker.controller);
  if (cached) compile();
  const load = () => {
    if (state === "ready") return Promise.resolve();
    if (pending) return pending;
    set("loading");
    pending = (async () => instantiate(await compile()))().catch((e) => {
      pending = null;
      if (state !== "ready") set("failed", e);
      throw e;
    });
    return pending;
  };
  const placeholders = new Proxy({}, {
    get: (_, name) => {
      const slot = Number(name);
      return (...args) => {
        loadSync();
        return primary.exports.__split_table.get(slot)(...args);
      };
    },
  });
  const api = {
    url, placeholders, load, loadSync,
    setPrimary: (instance) => { primary = instance; },
    beforeStart: (instance) => {
      primary = instance;
      return cached ? load().catch(() => {}) : undefined;
    },
    get state() { return state; },
    get error() { return error; },
  };
  globalThis.redisLabExtra = api;
  return api;
})();
`;
}

/** Profile mode: every function calls \`__prof.hit(index)\`; hits gather in window.__profHits. */
const PROFILE_RUNTIME = `const __profHits = (globalThis.__profHits = new Uint8Array(1 << 20));
`;

function patchGlue(js, mode) {
  const imports = /(\n(\s*)"\.\/redis-lab_bg\.js": import0,\n)/;
  const finalize = /(function __wbg_finalize_init\(instance, module\) \{\n)/;
  if (!imports.test(js) || !finalize.test(js)) throw new Error('split: wasm-bindgen glue not as expected (imports / __wbg_finalize_init)');
  if (mode === 'profile') {
    return PROFILE_RUNTIME + js.replace(imports, '$1$2"__prof": { hit: (i) => { __profHits[i] = 1; } },\n');
  }
  const loaded = /(\n(\s*)const \{ instance, module \} = await __wbg_load\(await module_or_path, imports\);\n)/;
  if (!loaded.test(js)) throw new Error('split: wasm-bindgen glue not as expected (__wbg_load in __wbg_init_once)');
  return js
    .replace(loaded, '$1$2await redisLabExtra.beforeStart(instance);\n')
    .replace(imports, '$1$2"__split": redisLabExtra.placeholders,\n')
    .replace(finalize, '$1    redisLabExtra.setPrimary(instance);\n');
}

/** Splits (or instruments) dir's module; rewrites the glue, names and index.html. Returns sizes. */
export function splitDist(dir, mode = process.env.REDIS_LAB_SPLIT ?? 'split') {
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
  let secondaryName = null;
  let glue = readFileSync(join(dir, jsName), 'utf8');
  if (glue.includes('redisLabExtra') || glue.includes('__profHits')) return null; // already done
  if (mode === 'profile') {
    execFileSync(bin, ['instrument', whole, primaryOut, join(dir, 'profile-names.txt')], { stdio: 'inherit' });
  } else {
    execFileSync(bin, ['split', whole, KEEP_LIST, primaryOut, secondaryOut], { stdio: 'inherit' });
    const secondary = readFileSync(secondaryOut);
    secondaryName = `redis-lab-extra-${hash16(secondary)}.wasm`;
    for (const f of files) if (/^redis-lab-extra-[0-9a-f]{16}\.wasm$/.test(f)) unlinkSync(join(dir, f));
    writeFileSync(join(dir, secondaryName), secondary);
  }
  glue = (mode === 'profile' ? '' : runtime(secondaryName)) + patchGlue(glue, mode);
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
  // Start fetching the secondary once the app has started, after the first screen is up.
  if (mode !== 'profile') {
    html = html.replace(
      /(dispatchEvent\(new CustomEvent\("TrunkApplicationStarted"[^\n]*\n)/,
      '$1setTimeout(() => (window.requestIdleCallback || setTimeout)(() => window.redisLabExtra.load().catch(() => {})), 300);\n',
    );
  }
  writeFileSync(indexPath, html);
  return { primary: primary.length, secondary: secondaryName ? readFileSync(join(dir, secondaryName)).length : 0, secondaryName };
}
