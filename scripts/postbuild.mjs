// Trunk's post-build hook (Trunk.toml [[hooks]]), run on the staged dist/ of
// every `trunk build` and `trunk serve` build:
//  - fills index.html's static shell with the lesson map from lessons/*.md
//    (and lessons/<lang>/*.md) and the Markdown renderer that shows a lesson's
//    text (fetched from the build's copy of its file), so they are readable
//    before the module loads, and with the shell's own words in every language
//    of the app's catalogue (src/i18n/<lang>.rs), picked as the app picks them;
//  - release output (not `trunk serve`): writes sw.js from static/sw.js with the
//    build's file list and a version hashed from every file, and registers it;
//  - under `trunk serve` (its autoreload script is in the page): no worker is
//    registered, and sw.js is one that removes itself, so a worker left by an
//    earlier build on the same address cannot serve stale files or hold up the
//    reload.
// Also usable as `node scripts/postbuild.mjs <dist-dir>` (idempotent).
import { readFileSync, writeFileSync, readdirSync, statSync, mkdirSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join, relative, resolve, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { splitDist } from './split.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Inline Markdown: code, bold, emphasis, links. */
function inline(text) {
  const parts = text.split(/(`[^`]*`)/);
  return parts
    .map((p) => {
      if (p.startsWith('`') && p.endsWith('`') && p.length > 1) return `<code>${esc(p.slice(1, -1))}</code>`;
      return esc(p)
        .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
        .replace(/(^|[^*\w])\*([^*\s][^*]*)\*/g, '$1<em>$2</em>')
        .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (_, t, href) => `<a href="${href}">${t}</a>`);
    })
    .join('');
}

/** The lesson text as plain HTML: headings, paragraphs, lists, quotes, and the
 * runnable blocks as code (the app makes them runnable once it has started). */
export function renderMarkdown(md, varies = '(varies)') {
  const out = [];
  const lines = md.split('\n');
  let para = [];
  let list = null;
  const flush = () => {
    if (para.length) out.push(`<p>${inline(para.join(' '))}</p>`);
    para = [];
    if (list) out.push(`<${list.tag}>${list.items.map((i) => `<li>${inline(i)}</li>`).join('')}</${list.tag}>`);
    list = null;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const fence = /^```\s*(\S*)/.exec(line);
    if (fence) {
      flush();
      const body = [];
      for (i++; i < lines.length && !lines[i].startsWith('```'); i++) body.push(lines[i]);
      const kind = fence[1];
      if (kind === 'challenge') {
        const goal = body.find((l) => l.startsWith('goal:'))?.slice(5).trim() ?? '';
        out.push(`<p class="challenge"><strong>Challenge:</strong> ${inline(goal)}</p>`);
      } else if (/^[a-z-]+$/.test(kind) && kind !== 'redis' && body.length === 0) {
        // a widget with no body: drawn by the app
      } else if (kind === 'setup') {
        // the lesson's starting data: run by the app, not shown
      } else if (kind === 'redis') {
        // As the app shows a runnable block: `> command`, then what redis-cli prints.
        const shown = body.map((l) => {
          const expected = /^=>(?:\[\d+\])?\s?(.*)$/.exec(l);
          if (!expected) return `&gt; ${esc(l)}`;
          const text = expected[1].startsWith('~') ? varies : expected[1];
          return `<span class="boot-output">${esc(text)}</span>`;
        });
        out.push(`<pre class="boot-block"><code>${shown.join('\n')}</code></pre>`);
      } else {
        out.push(`<pre class="boot-block"><code>${esc(body.join('\n'))}</code></pre>`);
      }
      continue;
    }
    const heading = /^(#{1,4})\s+(.*)$/.exec(line);
    if (heading) {
      flush();
      const level = Math.min(heading[1].length + 1, 4);
      if (heading[1].length === 1) continue; // the title is shown in the lesson head
      out.push(`<h${level}>${inline(heading[2])}</h${level}>`);
      continue;
    }
    const item = /^\s*([-*]|\d+\.)\s+(.*)$/.exec(line);
    if (item) {
      if (para.length) flush();
      const tag = /\d/.test(item[1]) ? 'ol' : 'ul';
      if (!list || list.tag !== tag) {
        flush();
        list = { tag, items: [] };
      }
      list.items.push(item[2]);
      continue;
    }
    if (list && /^\s+\S/.test(line)) {
      list.items[list.items.length - 1] += ' ' + line.trim();
      continue;
    }
    if (/^>\s?/.test(line)) {
      flush();
      out.push(`<blockquote><p>${inline(line.replace(/^>\s?/, ''))}</p></blockquote>`);
      continue;
    }
    if (!line.trim()) {
      flush();
      continue;
    }
    if (list) flush();
    para.push(line.trim());
  }
  flush();
  return out.join('\n');
}

/** The texts of the app's catalogue for one language (src/i18n/<lang>.rs):
 * `K::Name => "text",` entries, escapes and continued lines read as Rust reads them. */
export function readCatalogue(lang) {
  const src = readFileSync(join(ROOT, 'src/i18n', `${lang}.rs`), 'utf8');
  const out = {};
  for (const m of src.matchAll(/K::(\w+)\s*=>\s*\{?\s*"((?:[^"\\]|\\[\s\S])*)"/g)) {
    out[m[1]] = m[2].replace(/\\(\n\s*|u\{([0-9a-fA-F]+)\}|[\s\S])/g, (all, e, hex) =>
      hex ? String.fromCodePoint(parseInt(hex, 16)) : e.startsWith('\n') ? '' : ({ n: '\n', t: '\t', r: '\r', 0: '\0' })[e] ?? e,
    );
  }
  return out;
}

/** Every key of the catalogue, in the order of src/i18n/mod.rs's `keys!` list (the app's `K::ALL`). */
export function catalogueKeys() {
  const src = readFileSync(join(ROOT, 'src/i18n/mod.rs'), 'utf8');
  const body = /\nkeys! \{([\s\S]*?)\n\}/.exec(src);
  if (!body) throw new Error('postbuild: no keys! list in src/i18n/mod.rs');
  return body[1]
    .replace(/\/\/.*$/gm, '')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
}

/** The app's languages: every src/i18n/<lang>.rs, English first. */
export function catalogueLanguages() {
  const langs = readdirSync(join(ROOT, 'src/i18n'))
    .filter((f) => /^[a-z]{2,3}\.rs$/.test(f) && f !== 'mod.rs')
    .map((f) => f.replace(/\.rs$/, ''));
  return ['en', ...langs.filter((l) => l !== 'en').sort()];
}

/** The catalogue texts the static shell uses. */
const SHELL_KEYS = [
  'PageTitle', 'SkipToContent', 'NavPages', 'NavLessons', 'NavPlayground', 'NavLatency', 'NavScaling', 'NavTypes', 'NavReference',
  'Tagline', 'HomeTitle', 'HomeIntro1', 'HomeIntroTry', 'HomeIntroAnd', 'CourseTitle', 'HomeTryNow', 'BootStarting',
  'BootConsole', 'BootFailed', 'StatusComplete', 'StatusInProgress', 'StatusNotStarted', 'LessonsComplete',
  'Varies',
];

/** Plural form as the app picks it (src/i18n/mod.rs). */
const pluralForm = (lang, n) => (lang === 'fr' ? (n > 1 ? 1 : 0) : n === 1 ? 0 : 1);
const fill = (text, args) => text.replace(/\{(\w+)\}/g, (m, k) => (k in args ? String(args[k]) : m));

/** Every lesson of lessons/*.md: front matter and body, in course order. */
export function readLessons(dir = join(ROOT, 'lessons')) {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.md') && statSync(join(dir, f)).isFile())
    .sort()
    .map((f) => {
      const text = readFileSync(join(dir, f), 'utf8');
      const m = /^---\n([\s\S]*?)\n---\n?([\s\S]*)$/.exec(text);
      const meta = {};
      for (const l of (m ? m[1] : '').split('\n')) {
        const kv = /^(\w+):\s*(.*)$/.exec(l);
        if (kv) meta[kv[1]] = kv[2].trim();
      }
      // path: the file as the app asks for it (see writeDataFiles).
      const path = relative(ROOT, join(dir, f)).split('\\').join('/');
      // topology: the lesson runs on several servers (scripts/split.mjs).
      const topology = Boolean(meta.topology);
      return { id: meta.id, title: meta.title, summary: meta.summary ?? '', order: Number(meta.order ?? 0), topology, body: m ? m[2] : text, path };
    })
    .filter((l) => l.id && l.title)
    .sort((a, b) => a.order - b.order);
}

/** The course in one language: each lesson translated where
 * lessons/<lang>/ has it (same file name and id), else the English one. */
function lessonsIn(lang, english) {
  if (lang === 'en') return english;
  const dir = join(ROOT, 'lessons', lang);
  let translated = [];
  try {
    translated = readLessons(dir);
  } catch {
    /* no lessons in this language yet */
  }
  return english.map((l) => ({ ...(translated.find((t) => t.id === l.id) ?? l), translated: translated.some((t) => t.id === l.id) }));
}

function fillShell(html, english) {
  const cards = (lessons, t) =>
    lessons
      .map(
        (l) =>
          `<li class="lesson-card"><a class="lesson-link" href="#/lesson/${esc(l.id)}"><span class="lesson-title">${esc(l.title)}</span>` +
          `<span class="lesson-summary">${esc(l.summary)}</span></a><span class="status not-started">${esc(t.StatusNotStarted)}</span></li>`,
      )
      .join('');
  const texts = (lessons, t, lang) =>
    lessons
      .filter((l) => lang === 'en' || l.translated)
      .map(
        (l) =>
          `<template data-lesson="${esc(l.id)}"${lang === 'en' ? '' : ` data-lang="${lang}"`} data-src="${esc(l.path)}"><header class="lesson-head">` +
          `<p class="crumbs"><a href="#/">${esc(t.NavLessons)}</a>${esc(fill(t.LessonPosition, { n: lessons.indexOf(l) + 1, total: lessons.length }))}</p>` +
          `<h1>${esc(l.title)}</h1></header><div class="lesson-prose"></div></template>`,
      )
      .join('\n');
  const catalogues = {};
  let extra = '';
  for (const lang of catalogueLanguages()) {
    const t = readCatalogue(lang);
    catalogues[lang] = Object.fromEntries(SHELL_KEYS.map((k) => [k, t[k] ?? '']));
    if (lang === 'en') continue;
    const lessons = lessonsIn(lang, english);
    extra += `\n<template data-lesson-map="${lang}">${cards(lessons, t)}</template>\n${texts(lessons, t, lang)}`;
  }
  const en = readCatalogue('en');
  const json = JSON.stringify(catalogues).replace(/</g, '\\u003c');
  return html
    // (Replacer functions: the texts may hold `$1`, which a replacement string would expand.)
    .replace(/(<ol class="lesson-list" id="boot-lessons">)[\s\S]*?(<\/ol>)/, (_, a, b) => `${a}${cards(english, en)}${b}`)
    .replace(/(<div id="boot-lesson-texts" hidden>)[\s\S]*?(<\/div>\s*<script)/, (_, a, b) => `${a}\n${texts(english, en, 'en')}${extra}\n${b}`)
    .replace(/<script type="application\/json" id="boot-i18n">[\s\S]*?<\/script>/, () => `<script type="application/json" id="boot-i18n">${json}</script>`);
}

/** The shell's Markdown renderer (the functions above, as they are): the shell
 * fetches a lesson's file and shows its text with it while the module loads. */
const BOOT_MARKDOWN = `window.redisLabMarkdown = (function () {
const esc = ${esc.toString()};
${inline.toString()}
${renderMarkdown.toString()}
return renderMarkdown;
})();`;
if (/<\/script|<!--/i.test(BOOT_MARKDOWN)) throw new Error('postbuild: the shell renderer cannot be inlined');

const REGISTER = `<script id="sw-register">
// Registered (or its update checked) once the page is idle, not as it starts.
if ("serviceWorker" in navigator) addEventListener("load", function () {
  var sw = navigator.serviceWorker, had = !!sw.controller;
  (window.requestIdleCallback || setTimeout)(function () {
    sw.register("sw.js", { scope: "./" }).then(function (r) { r.update(); }).catch(function () {});
  }, { timeout: 2000 });
  // A new build took over: this page keeps its files; say that a reload gets the new ones.
  sw.addEventListener("controllerchange", function () {
    if (!had) { had = true; return; }
    if (document.getElementById("update-notice")) return;
    var n = document.createElement("div");
    n.id = "update-notice"; n.setAttribute("role", "status");
    n.innerHTML = 'A new version of Redis Lab is ready. <button type="button">Reload</button>';
    n.querySelector("button").onclick = function () { location.reload(); };
    document.body.appendChild(n);
  });
});
</script>`;

const UNREGISTER = `<script id="sw-register">
if ("serviceWorker" in navigator) navigator.serviceWorker.getRegistrations().then(function (rs) { rs.forEach(function (r) { r.unregister(); }); });
</script>`;

const SELF_REMOVING = `// Written under \`trunk serve\`: removes any Redis Lab worker and its caches.
self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) if (name.startsWith("redis-lab-")) await caches.delete(name);
    await self.registration.unregister();
  })());
});
`;

function listFiles(dir) {
  const out = [];
  const walk = (d) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (name.startsWith('.')) continue;
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p).split('\\').join('/'));
    }
  };
  walk(dir);
  return out;
}

const hash16 = (bytes) => createHash('sha256').update(bytes).digest('hex').slice(0, 16);

/** Writes the files the app fetches when it needs them, each named after its
 * content: every lesson file (lessons/<file>, lessons/<lang>/<file>) and each
 * language's catalogue but English's (i18n/<lang>.json: every key's text, in
 * the app's key order). Returns the map from each one's own path to its name,
 * which index.html carries (#build-files) for the app and the startup script. */
export function writeDataFiles(dir) {
  const files = {};
  const put = (path, bytes) => {
    const named = path.replace(/(\.[a-z]+)$/, `-${hash16(bytes)}$1`);
    mkdirSync(dirname(join(dir, named)), { recursive: true });
    writeFileSync(join(dir, named), bytes);
    files[path] = named;
  };
  for (const sub of ['lessons', 'i18n']) rmSync(join(dir, sub), { recursive: true, force: true });
  const lessons = join(ROOT, 'lessons');
  for (const entry of readdirSync(lessons).sort()) {
    const p = join(lessons, entry);
    if (statSync(p).isDirectory()) {
      for (const f of readdirSync(p).sort()) if (f.endsWith('.md')) put(`lessons/${entry}/${f}`, readFileSync(join(p, f)));
    } else if (entry.endsWith('.md')) put(`lessons/${entry}`, readFileSync(p));
  }
  const keys = catalogueKeys();
  for (const lang of catalogueLanguages().filter((l) => l !== 'en')) {
    const t = readCatalogue(lang);
    const missing = keys.filter((k) => typeof t[k] !== 'string');
    if (missing.length) throw new Error(`postbuild: src/i18n/${lang}.rs has no text for ${missing.join(', ')}`);
    put(`i18n/${lang}.json`, Buffer.from(JSON.stringify(keys.map((k) => t[k]))));
  }
  return files;
}

/** Writes dir/sw.js: the build's files and a version hashed from all of them. */
export function writeWorker(dir, template = readFileSync(join(ROOT, 'static/sw.js'), 'utf8')) {
  const files = listFiles(dir).filter((f) => f !== 'sw.js');
  const hash = createHash('sha256');
  for (const f of files) hash.update(f).update('\0').update(readFileSync(join(dir, f))).update('\0');
  const version = hash.digest('hex').slice(0, 16);
  const list = ['./', ...files.filter((f) => f !== 'index.html')];
  writeFileSync(join(dir, 'sw.js'), template.replace('"__VERSION__"', JSON.stringify(version)).replace('__FILES__', JSON.stringify(list)));
  return version;
}

export function postbuild(dir) {
  const indexPath = join(dir, 'index.html');
  let html = readFileSync(indexPath, 'utf8');
  const lessons = readLessons();
  html = fillShell(html, lessons);
  const files = JSON.stringify(writeDataFiles(dir)).replace(/</g, '\\u003c');
  html = html.replace(/<script id="boot-markdown">[\s\S]*?<\/script>/, () => `<script id="boot-markdown">${BOOT_MARKDOWN}</script>`);
  html = html.replace(/<script type="application\/json" id="build-files">[\s\S]*?<\/script>/, () => `<script type="application/json" id="build-files">${files}</script>`);
  const serving = html.includes('.well-known/trunk/ws');
  html = html.replace(/<script id="sw-register">[\s\S]*?<\/script>\n?/, '');
  html = html.replace('</body>', `${serving ? UNREGISTER : REGISTER}\n</body>`);
  writeFileSync(indexPath, html);
  if (serving) {
    writeFileSync(join(dir, 'sw.js'), SELF_REMOVING);
    return null;
  }
  // Release builds: the module in three parts (scripts/split.mjs), before the
  // worker's file list is written.
  splitDist(dir, { topology: lessons.filter((l) => l.topology).map((l) => l.id) });
  return writeWorker(dir);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const dir = process.argv[2] ?? process.env.TRUNK_STAGING_DIR;
  if (!dir) {
    console.error('usage: node scripts/postbuild.mjs <dist-dir>  (or run as a Trunk post_build hook)');
    process.exit(2);
  }
  const version = postbuild(resolve(dir));
  console.log(version ? `postbuild: shell filled, sw.js version ${version}` : 'postbuild: shell filled (trunk serve: no service worker)');
}
