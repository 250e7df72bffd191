//! Glob-style matching with Redis's rules (KEYS, SCAN MATCH, PSUBSCRIBE,
//! CONFIG GET): `*`, `?`, `[abc]`, `[^a]`, `[a-z]`, and `\` escapes.
//! Quirks kept on purpose: an unterminated `[` runs to the end of the
//! pattern, `[a-]` is a range up to `]`, and an empty string matches only
//! an empty pattern.

fn fold(c: u8, nocase: bool) -> u8 {
    if nocase {
        c.to_ascii_lowercase()
    } else {
        c
    }
}

/// Matches one non-star token at `pat[p..]` against `c`.
/// Returns whether it matched and how many pattern bytes the token uses.
fn match_token(pat: &[u8], p: usize, c: u8, nocase: bool) -> (bool, usize) {
    let m = pat.len();
    match pat[p] {
        b'?' => (true, 1),
        b'[' => {
            let mut i = p + 1;
            let negate = i < m && pat[i] == b'^';
            if negate {
                i += 1;
            }
            let mut matched = false;
            loop {
                if i >= m {
                    break;
                }
                if pat[i] == b'\\' && m - i >= 2 {
                    i += 1;
                    if pat[i] == c {
                        matched = true;
                    }
                } else if pat[i] == b']' {
                    i += 1;
                    break;
                } else if m - i >= 3 && pat[i + 1] == b'-' {
                    let (mut start, mut end) = (pat[i], pat[i + 2]);
                    if start > end {
                        std::mem::swap(&mut start, &mut end);
                    }
                    let (start, end, cc) = (fold(start, nocase), fold(end, nocase), fold(c, nocase));
                    if cc >= start && cc <= end {
                        matched = true;
                    }
                    i += 2;
                } else if fold(pat[i], nocase) == fold(c, nocase) {
                    matched = true;
                }
                i += 1;
            }
            (matched != negate, i - p)
        }
        b'\\' if m - p >= 2 => (fold(pat[p + 1], nocase) == fold(c, nocase), 2),
        lit => (fold(lit, nocase) == fold(c, nocase), 1),
    }
}

/// True if `s` matches the glob `pattern`.
pub fn glob_match(pattern: &[u8], s: &[u8], nocase: bool) -> bool {
    if s.is_empty() {
        return pattern.is_empty();
    }
    let (mut p, mut i) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while i < s.len() {
        if p < pattern.len() && pattern[p] == b'*' {
            while p < pattern.len() && pattern[p] == b'*' {
                p += 1;
            }
            star = Some((p, i));
            continue;
        }
        if p < pattern.len() {
            let (ok, len) = match_token(pattern, p, s[i], nocase);
            if ok {
                p += len;
                i += 1;
                continue;
            }
        }
        match star {
            Some((sp, si)) => {
                p = sp;
                i = si + 1;
                star = Some((sp, si + 1));
            }
            None => return false,
        }
    }
    while p < pattern.len() && pattern[p] == b'*' {
        p += 1;
    }
    p == pattern.len()
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    fn m(p: &str, s: &str) -> bool {
        glob_match(p.as_bytes(), s.as_bytes(), false)
    }

    #[test]
    fn basics() {
        assert!(m("*", "anything"));
        assert!(m("h?llo", "hello"));
        assert!(m("h*llo", "heeeello"));
        assert!(m("h[ae]llo", "hallo"));
        assert!(!m("h[ae]llo", "hillo"));
        assert!(m("h[^e]llo", "hallo"));
        assert!(!m("h[^e]llo", "hello"));
        assert!(m("h[a-b]llo", "hbllo"));
        assert!(m("h[b-a]llo", "hallo"));
        assert!(m("user:*:profile", "user:42:profile"));
        assert!(!m("user:*:profile", "user:42:settings"));
        assert!(m("a\\*b", "a*b"));
        assert!(!m("a\\*b", "axb"));
        assert!(m("a*", "a"));
        assert!(m("*a*b*", "xxaxxbxx"));
    }

    #[test]
    fn redis_quirks() {
        assert!(!m("*", ""));
        assert!(m("", ""));
        assert!(m("[abc", "b"));
        assert!(m("[a-]", "]"));
        assert!(glob_match(b"HELLO", b"hello", true));
    }
}
