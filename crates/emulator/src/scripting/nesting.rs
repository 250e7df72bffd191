//! A cheap pre-check of how deeply a chunk nests before it is compiled.
//! The compiler recurses once per level, and Lua's own limit (200 levels)
//! is more than a small (browser or debug-build) stack holds.

/// Deepest nesting of brackets and blocks accepted.
pub(super) const MAX_SYNTAX_LEVELS: usize = 120;

/// The line where nesting first passes the limit, if it does. Strings and
/// comments are skipped; blocks count from `function`/`do`/`then`/`repeat`
/// to `end`/`until` (an approximation that only ever errs for chunks
/// nested this deep).
pub(super) fn too_deep(code: &[u8]) -> Option<usize> {
    let mut depth: usize = 0;
    let mut line = 1;
    let mut i = 0;
    while i < code.len() {
        let c = code[i];
        match c {
            b'\n' => line += 1,
            b'-' if code.get(i + 1) == Some(&b'-') => {
                i += 2;
                if let Some(level) = long_bracket_level(code, i) {
                    i = skip_long(code, i, level, &mut line);
                } else {
                    while i < code.len() && code[i] != b'\n' {
                        i += 1;
                    }
                }
                continue;
            }
            b'[' if long_bracket_level(code, i).is_some() => {
                let level = long_bracket_level(code, i).unwrap_or(0);
                i = skip_long(code, i, level, &mut line);
                continue;
            }
            b'\'' | b'"' => {
                i += 1;
                while i < code.len() && code[i] != c {
                    if code[i] == b'\\' {
                        i += 1;
                    }
                    if code.get(i) == Some(&b'\n') {
                        line += 1;
                    }
                    i += 1;
                }
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let start = i;
                while i < code.len() && (code[i].is_ascii_alphanumeric() || code[i] == b'_') {
                    i += 1;
                }
                match &code[start..i] {
                    b"function" | b"do" | b"then" | b"repeat" => depth += 1,
                    b"end" | b"until" | b"elseif" => depth = depth.saturating_sub(1),
                    _ => {}
                }
                if depth > MAX_SYNTAX_LEVELS {
                    return Some(line);
                }
                continue;
            }
            _ => {}
        }
        if depth > MAX_SYNTAX_LEVELS {
            return Some(line);
        }
        i += 1;
    }
    None
}

/// `[[` → Some(0), `[==[` → Some(2); None if `code[i..]` opens no long bracket.
fn long_bracket_level(code: &[u8], i: usize) -> Option<usize> {
    if code.get(i) != Some(&b'[') {
        return None;
    }
    let mut j = i + 1;
    while code.get(j) == Some(&b'=') {
        j += 1;
    }
    (code.get(j) == Some(&b'[')).then_some(j - i - 1)
}

/// Index just past the long bracket opened at `i`, counting lines.
fn skip_long(code: &[u8], i: usize, level: usize, line: &mut usize) -> usize {
    let mut j = i + level + 2;
    while j < code.len() {
        if code[j] == b'\n' {
            *line += 1;
        }
        if code[j] == b']'
            && code.get(j + 1..j + 1 + level).is_some_and(|eq| eq.iter().all(|&c| c == b'='))
            && code.get(j + 1 + level) == Some(&b']')
        {
            return j + level + 2;
        }
        j += 1;
    }
    code.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_brackets_and_blocks_but_not_strings() {
        assert_eq!(too_deep(b"return 1"), None);
        let deep = format!("return {}1{}", "(".repeat(200), ")".repeat(200));
        assert_eq!(too_deep(deep.as_bytes()), Some(1));
        let in_string = format!("return '{}'", "(".repeat(500));
        assert_eq!(too_deep(in_string.as_bytes()), None);
        let in_long = format!("return [==[{}]==] -- {}", "{".repeat(500), "(".repeat(500));
        assert_eq!(too_deep(in_long.as_bytes()), None);
        let blocks = format!("\n{}{}", "do ".repeat(130), "end ".repeat(130));
        assert_eq!(too_deep(blocks.as_bytes()), Some(2));
        let fine = format!("{}{}", "do ".repeat(100), "end ".repeat(100));
        assert_eq!(too_deep(fine.as_bytes()), None);
    }
}
