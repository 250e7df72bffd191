//! Splits a console line into arguments exactly as redis-cli does.
//!
//! Rules (redis-cli's `sdssplitargs`): arguments are separated by white
//! space; `"double quotes"` understand `\n \r \t \b \a \\ \"` and `\xHH`;
//! `'single quotes'` only understand `\'`; a closing quote must be followed
//! by white space or the end of the line; an unterminated quote is an error,
//! which redis-cli reports as `Invalid argument(s)`.

/// The error redis-cli prints for a line it cannot split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidArguments;

impl std::fmt::Display for InvalidArguments {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Invalid argument(s)")
    }
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Splits `line` into arguments. An empty or blank line gives no arguments.
pub fn split_args(line: &[u8]) -> Result<Vec<Vec<u8>>, InvalidArguments> {
    // redis-cli works on C strings: a NUL byte ends the line.
    let line = match line.iter().position(|&b| b == 0) {
        Some(nul) => &line[..nul],
        None => line,
    };
    let mut args = Vec::new();
    let mut i = 0;
    let n = line.len();
    loop {
        while i < n && is_space(line[i]) {
            i += 1;
        }
        if i >= n {
            return Ok(args);
        }
        let mut current = Vec::new();
        let mut in_double = false;
        let mut in_single = false;
        loop {
            if in_double {
                if i >= n {
                    return Err(InvalidArguments);
                }
                let c = line[i];
                if c == b'\\' && i + 3 < n && line[i + 1] == b'x' {
                    if let (Some(h), Some(l)) = (hex_value(line[i + 2]), hex_value(line[i + 3])) {
                        current.push(h * 16 + l);
                        i += 4;
                        continue;
                    }
                }
                if c == b'\\' && i + 1 < n {
                    current.push(match line[i + 1] {
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'b' => 0x08,
                        b'a' => 0x07,
                        other => other,
                    });
                    i += 2;
                } else if c == b'"' {
                    if i + 1 < n && !is_space(line[i + 1]) {
                        return Err(InvalidArguments);
                    }
                    i += 1;
                    break;
                } else {
                    current.push(c);
                    i += 1;
                }
            } else if in_single {
                if i >= n {
                    return Err(InvalidArguments);
                }
                let c = line[i];
                if c == b'\\' && i + 1 < n && line[i + 1] == b'\'' {
                    current.push(b'\'');
                    i += 2;
                } else if c == b'\'' {
                    if i + 1 < n && !is_space(line[i + 1]) {
                        return Err(InvalidArguments);
                    }
                    i += 1;
                    break;
                } else {
                    current.push(c);
                    i += 1;
                }
            } else {
                if i >= n {
                    break;
                }
                match line[i] {
                    b' ' | b'\n' | b'\r' | b'\t' => break,
                    b'"' => in_double = true,
                    b'\'' => in_single = true,
                    c => current.push(c),
                }
                i += 1;
            }
        }
        args.push(current);
    }
}

/// Convenience for `&str` input.
pub fn split_line(line: &str) -> Result<Vec<Vec<u8>>, InvalidArguments> {
    split_args(line.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(s: &str) -> Vec<String> {
        split_line(s).unwrap().into_iter().map(|a| String::from_utf8_lossy(&a).into_owned()).collect()
    }

    #[test]
    fn plain_words() {
        assert_eq!(split("  SET  k   v "), ["SET", "k", "v"]);
        assert!(split("   ").is_empty());
    }

    #[test]
    fn quotes_and_escapes() {
        assert_eq!(split(r#"SET greeting "hello world""#), ["SET", "greeting", "hello world"]);
        assert_eq!(split(r#"ECHO "a\x41\n""#), ["ECHO", "aA\n"]);
        assert_eq!(split(r#"ECHO 'it\'s' '\n'"#), ["ECHO", "it's", "\\n"]);
        assert_eq!(split(r#"ECHO a"b c"d"#.trim_end_matches('d')), ["ECHO", "ab c"]);
        assert_eq!(split(r#"ECHO "" ''"#), ["ECHO", "", ""]);
        assert_eq!(split(r#"ECHO "\xZZ""#), ["ECHO", "xZZ"]);
        assert_eq!(split("ECHO a\0b c"), ["ECHO", "a"]);
    }

    #[test]
    fn unbalanced_or_glued_quotes_are_invalid() {
        assert_eq!(split_line(r#"SET k "v"#), Err(InvalidArguments));
        assert_eq!(split_line("SET k 'v"), Err(InvalidArguments));
        assert_eq!(split_line(r#"SET k "v"x"#), Err(InvalidArguments));
        assert_eq!(InvalidArguments.to_string(), "Invalid argument(s)");
    }
}
