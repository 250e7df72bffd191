#!/usr/bin/env python3
"""What a WebAssembly module's data section is made of (BENCHMARKS.md, "The
data out of the module").

    python3 bench/data_breakdown.py dist/redis-lab-<hash>_bg.wasm [top]

Reads the module's data segments, then claims their bytes for the source that
holds them: whole lesson files (lessons/*.md, lessons/<lang>/*.md), then every
string literal of the workspace's Rust sources (src/, crates/; longest first,
pieces between `{}` placeholders, 6 bytes or more), then panic locations
(paths of .rs files). Prints raw and `gzip -9` bytes per file and per area;
what no source claims is binary data (tables, structs, pointers, vtables) or
the strings of dependencies. Each group is gzipped on its own, so the groups'
gzipped sizes add up to more than the section's.
"""
import collections
import glob
import gzip
import os
import re
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..'))


def leb(b, i):
    r = s = 0
    while True:
        x = b[i]
        i += 1
        r |= (x & 0x7F) << s
        s += 7
        if x < 0x80:
            return r, i


def data_bytes(module):
    i = 8
    while i < len(module):
        sid = module[i]
        n, i = leb(module, i + 1)
        body, i = module[i:i + n], i + n
        if sid != 11:
            continue
        count, j = leb(body, 0)
        out = []
        for _ in range(count):
            flag, j = leb(body, j)
            if flag in (0, 2):
                if flag == 2:
                    _, j = leb(body, j)
                while body[j] != 0x0B:  # the offset expression
                    j += 1
                j += 1
            n, j = leb(body, j)
            out.append(body[j:j + n])
            j += n
        return b''.join(out)
    return b''


ESCAPES = {'n': '\n', 't': '\t', 'r': '\r', '0': '\0', '\\': '\\', '"': '"', "'": "'"}


def unescape(s):
    def one(m):
        e = m.group(1)
        if e.startswith('\n'):
            return ''
        if e.startswith('u{'):
            try:
                return chr(int(e[2:-1], 16))
            except ValueError:
                return ''
        if e.startswith('x'):
            try:
                return chr(int(e[1:], 16))
            except ValueError:
                return ''
        return ESCAPES.get(e, e)
    return re.sub(r'\\(\n\s*|u\{[0-9a-fA-F]*\}|x[0-9a-fA-F]{2}|.)', one, s, flags=re.S)


LITERAL = re.compile(r'r(#*)"(.*?)"\1|b?"((?:[^"\\]|\\.)*)"', re.S)


def literals(src):
    for m in LITERAL.finditer(src):
        s = m.group(2) if m.group(2) is not None else unescape(m.group(3))
        for piece in re.split(r'\{[^{}]*\}', s):
            piece = piece.replace('{{', '{').replace('}}', '}').encode()
            if len(piece) >= 6:
                yield piece


def main():
    data = data_bytes(open(sys.argv[1], 'rb').read())
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    owner = [None] * len(data)

    def claim(name, needle):
        start = 0
        while (k := data.find(needle, start)) >= 0:
            for j in range(k, k + len(needle)):
                if owner[j] is None:
                    owner[j] = name
            start = k + 1

    for f in sorted(glob.glob(os.path.join(ROOT, 'lessons', '**', '*.md'), recursive=True)):
        claim(os.path.relpath(f, ROOT), open(f, 'rb').read())
    items = []
    for base in ('src', 'crates'):
        for f in glob.glob(os.path.join(ROOT, base, '**', '*.rs'), recursive=True):
            if '/tests/' in f:
                continue
            src = open(f, encoding='utf-8', errors='replace').read()
            src = src.split('#[cfg(test)]')[0]
            items += [(len(l), os.path.relpath(f, ROOT), l) for l in set(literals(src))]
    for _, name, lit in sorted(items, reverse=True):
        claim(name, lit)
    paths = re.compile(rb'(?:/root/\.cargo/registry/src/[^\x00]*?|/rustc/[0-9a-f]+/library/[^\x00]*?|(?:crates|src)/[a-z0-9_/\-]+\.rs)')
    for m in paths.finditer(data):
        for j in range(m.start(), m.end()):
            if owner[j] is None:
                owner[j] = '(panic locations)'
    groups = collections.defaultdict(bytearray)
    for j, o in enumerate(owner):
        groups[o or '(no source: binary data, dependencies)'].append(data[j])

    def show(title, grouped):
        rows = sorted(((len(v), len(gzip.compress(bytes(v), 9)), k) for k, v in grouped.items()), reverse=True)
        print(f'--- {title}: raw, gzip -9')
        for r in rows[:top]:
            print('%9d %8d  %s' % r)

    print('data section: %d bytes raw, %d gzip -9' % (len(data), len(gzip.compress(data, 9))))
    show('by file', groups)
    areas = collections.defaultdict(bytearray)
    for k, v in groups.items():
        p = k.split('/')
        if p[0] == 'crates' and len(p) > 4:
            area = '/'.join(p[:4])
        elif p[0] == 'lessons':
            area = 'lessons/' + p[1] if len(p) > 2 else 'lessons (English)'
        elif p[0] == 'src' and len(p) > 2:
            area = '/'.join(p[:2])
        else:
            area = k
        areas[area] += v
    show('by area', areas)


if __name__ == '__main__':
    main()
