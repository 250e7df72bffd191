//! A small, safe Markdown model for lesson prose.
//!
//! Lessons are written by course authors, so nothing in them may run as
//! HTML: this parser produces a tree of plain blocks and inlines that the UI
//! renders as elements. Raw HTML stays visible text. Supported: headings,
//! paragraphs, bullet and numbered lists, block quotes, fenced code, tables,
//! rules, and inline `code`, **strong**, *emphasis* and [links](https://…)
//! (http, https, mailto, in-page `#…` and relative links only).

#[derive(Debug, Clone, PartialEq)]
pub enum Inline {
    Text(String),
    Code(String),
    Strong(Vec<Inline>),
    Emphasis(Vec<Inline>),
    Link { text: Vec<Inline>, href: String },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Heading(u8, Vec<Inline>),
    Paragraph(Vec<Inline>),
    List { ordered: bool, items: Vec<Vec<Inline>> },
    Quote(Vec<Inline>),
    Code { lang: String, text: String },
    Table { header: Vec<Vec<Inline>>, rows: Vec<Vec<Vec<Inline>>> },
    Rule,
}

/// True for link targets that cannot run script.
pub fn is_safe_href(href: &str) -> bool {
    let lower = href.trim().to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("mailto:") {
        return true;
    }
    // No scheme at all: relative or in-page links.
    !lower.contains(':') || lower.starts_with('#') || lower.starts_with("./") || lower.starts_with('/')
}

/// Parses inline markup.
pub fn parse_inline(s: &str) -> Vec<Inline> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut text = String::new();
    let mut i = 0;
    let flush = |text: &mut String, out: &mut Vec<Inline>| {
        if !text.is_empty() {
            out.push(Inline::Text(std::mem::take(text)));
        }
    };
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' && i + 1 < chars.len() && "\\`*_[]()#+-.!|".contains(chars[i + 1]) {
            text.push(chars[i + 1]);
            i += 2;
            continue;
        }
        if c == '`' {
            if let Some(end) = find(&chars, i + 1, "`") {
                flush(&mut text, &mut out);
                out.push(Inline::Code(chars[i + 1..end].iter().collect()));
                i = end + 1;
                continue;
            }
        }
        if (c == '*' || c == '_') && i + 1 < chars.len() && chars[i + 1] == c {
            let marker: String = [c, c].iter().collect();
            if let Some(end) = find(&chars, i + 2, &marker) {
                if end > i + 2 {
                    flush(&mut text, &mut out);
                    let inner: String = chars[i + 2..end].iter().collect();
                    out.push(Inline::Strong(parse_inline(&inner)));
                    i = end + 2;
                    continue;
                }
            }
        }
        if (c == '*' || c == '_') && i + 1 < chars.len() && !chars[i + 1].is_whitespace() {
            let word_inside = c == '_' && i > 0 && chars[i - 1].is_alphanumeric();
            if !word_inside {
                if let Some(end) = find(&chars, i + 1, &c.to_string()) {
                    if end > i + 1 {
                        flush(&mut text, &mut out);
                        let inner: String = chars[i + 1..end].iter().collect();
                        out.push(Inline::Emphasis(parse_inline(&inner)));
                        i = end + 1;
                        continue;
                    }
                }
            }
        }
        if c == '[' {
            if let Some(close) = find(&chars, i + 1, "]") {
                if chars.get(close + 1) == Some(&'(') {
                    if let Some(paren) = matching_paren(&chars, close + 2) {
                        let label: String = chars[i + 1..close].iter().collect();
                        let href: String = chars[close + 2..paren].iter().collect();
                        flush(&mut text, &mut out);
                        if is_safe_href(&href) {
                            out.push(Inline::Link { text: parse_inline(&label), href: href.trim().to_string() });
                        } else {
                            out.extend(parse_inline(&label));
                        }
                        i = paren + 1;
                        continue;
                    }
                }
            }
        }
        text.push(c);
        i += 1;
    }
    flush(&mut text, &mut out);
    out
}

/// Index of the `)` closing a link target that starts at `from` (nested parentheses allowed).
fn matching_paren(chars: &[char], from: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (j, &c) in chars.iter().enumerate().skip(from) {
        match c {
            '(' => depth += 1,
            ')' if depth == 0 => return Some(j),
            ')' => depth -= 1,
            _ => {}
        }
    }
    None
}

fn find(chars: &[char], from: usize, pat: &str) -> Option<usize> {
    let pat: Vec<char> = pat.chars().collect();
    if pat.is_empty() || from >= chars.len() {
        return None;
    }
    (from..=chars.len().saturating_sub(pat.len())).find(|&j| chars[j..j + pat.len()] == pat[..])
}

fn heading(line: &str) -> Option<(u8, &str)> {
    let hashes = line.chars().take_while(|&c| c == '#').count();
    if (1..=6).contains(&hashes) && line[hashes..].starts_with(' ') {
        Some((hashes as u8, line[hashes..].trim()))
    } else {
        None
    }
}

fn bullet(line: &str) -> Option<&str> {
    let t = line.trim_start();
    ["- ", "* ", "+ "].iter().find_map(|m| t.strip_prefix(m))
}

fn numbered(line: &str) -> Option<&str> {
    let t = line.trim_start();
    let digits = t.chars().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 {
        return None;
    }
    t[digits..].strip_prefix(". ").or_else(|| t[digits..].strip_prefix(") "))
}

fn table_cells(line: &str) -> Vec<String> {
    let t = line.trim().trim_start_matches('|').trim_end_matches('|');
    t.split('|').map(|c| c.trim().to_string()).collect()
}

fn is_table_separator(line: &str) -> bool {
    let t = line.trim();
    t.starts_with('|') && t.chars().all(|c| matches!(c, '|' | '-' | ':' | ' '))
}

/// Parses Markdown into blocks. Fenced code blocks keep their language tag.
pub fn parse_blocks(src: &str) -> Vec<Block> {
    let lines: Vec<&str> = src.lines().collect();
    let mut blocks = Vec::new();
    let mut para: Vec<&str> = Vec::new();
    let flush_para = |para: &mut Vec<&str>, blocks: &mut Vec<Block>| {
        if !para.is_empty() {
            blocks.push(Block::Paragraph(parse_inline(&para.join(" "))));
            para.clear();
        }
    };
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.trim();
        if trimmed.is_empty() {
            flush_para(&mut para, &mut blocks);
            i += 1;
            continue;
        }
        if let Some(info) = trimmed.strip_prefix("```") {
            flush_para(&mut para, &mut blocks);
            let mut body = Vec::new();
            i += 1;
            while i < lines.len() && !lines[i].trim().starts_with("```") {
                body.push(lines[i]);
                i += 1;
            }
            blocks.push(Block::Code { lang: info.trim().to_string(), text: body.join("\n") });
            i += 1;
            continue;
        }
        if let Some((level, text)) = heading(trimmed) {
            flush_para(&mut para, &mut blocks);
            blocks.push(Block::Heading(level, parse_inline(text)));
            i += 1;
            continue;
        }
        if trimmed == "---" || trimmed == "***" {
            flush_para(&mut para, &mut blocks);
            blocks.push(Block::Rule);
            i += 1;
            continue;
        }
        if trimmed.starts_with('|') && i + 1 < lines.len() && is_table_separator(lines[i + 1]) {
            flush_para(&mut para, &mut blocks);
            let header = table_cells(trimmed).iter().map(|c| parse_inline(c)).collect();
            i += 2;
            let mut rows = Vec::new();
            while i < lines.len() && lines[i].trim().starts_with('|') {
                rows.push(table_cells(lines[i]).iter().map(|c| parse_inline(c)).collect());
                i += 1;
            }
            blocks.push(Block::Table { header, rows });
            continue;
        }
        if trimmed.starts_with("> ") || trimmed == ">" {
            flush_para(&mut para, &mut blocks);
            let mut quote = Vec::new();
            while i < lines.len() && lines[i].trim().starts_with('>') {
                quote.push(lines[i].trim().trim_start_matches('>').trim());
                i += 1;
            }
            blocks.push(Block::Quote(parse_inline(&quote.join(" "))));
            continue;
        }
        let ordered = numbered(line).is_some();
        if bullet(line).is_some() || ordered {
            flush_para(&mut para, &mut blocks);
            let mut items: Vec<String> = Vec::new();
            while i < lines.len() {
                let l = lines[i];
                if let Some(item) = if ordered { numbered(l) } else { bullet(l) } {
                    items.push(item.trim().to_string());
                } else if !l.trim().is_empty() && l.starts_with("  ") && !items.is_empty() {
                    let last = items.last_mut().expect("non-empty");
                    last.push(' ');
                    last.push_str(l.trim());
                } else {
                    break;
                }
                i += 1;
            }
            blocks.push(Block::List { ordered, items: items.iter().map(|t| parse_inline(t)).collect() });
            continue;
        }
        para.push(trimmed);
        i += 1;
    }
    flush_para(&mut para, &mut blocks);
    blocks
}

/// Plain text of inlines (for summaries and accessibility labels).
pub fn plain_text(inlines: &[Inline]) -> String {
    inlines
        .iter()
        .map(|i| match i {
            Inline::Text(t) | Inline::Code(t) => t.clone(),
            Inline::Strong(x) | Inline::Emphasis(x) => plain_text(x),
            Inline::Link { text, .. } => plain_text(text),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_markup() {
        assert_eq!(
            parse_inline("a **b** *c* `d` [e](https://x.y)"),
            vec![
                Inline::Text("a ".into()),
                Inline::Strong(vec![Inline::Text("b".into())]),
                Inline::Text(" ".into()),
                Inline::Emphasis(vec![Inline::Text("c".into())]),
                Inline::Text(" ".into()),
                Inline::Code("d".into()),
                Inline::Text(" ".into()),
                Inline::Link { text: vec![Inline::Text("e".into())], href: "https://x.y".into() },
            ]
        );
        assert_eq!(parse_inline("snake_case_name"), vec![Inline::Text("snake_case_name".into())]);
    }

    #[test]
    fn unsafe_links_and_html_stay_text() {
        assert_eq!(parse_inline("[x](javascript:alert(1))"), vec![Inline::Text("x".into())]);
        assert_eq!(
            parse_inline("<img src=x onerror=alert(1)>"),
            vec![Inline::Text("<img src=x onerror=alert(1)>".into())]
        );
        assert!(is_safe_href("#/lesson/ttl"));
        assert!(!is_safe_href("data:text/html,hi"));
    }

    #[test]
    fn blocks() {
        let md = "# Title\n\nSome *text*\ncontinued.\n\n- one\n- two\n\n1. a\n2. b\n\n> quote\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```python\nx = 1\n```\n";
        let b = parse_blocks(md);
        assert_eq!(b.len(), 7, "{b:#?}");
        assert!(matches!(&b[0], Block::Heading(1, _)));
        assert!(matches!(&b[2], Block::List { ordered: false, items } if items.len() == 2));
        assert!(matches!(&b[3], Block::List { ordered: true, items } if items.len() == 2));
        assert!(matches!(&b[5], Block::Table { rows, .. } if rows.len() == 1));
        assert_eq!(b[6], Block::Code { lang: "python".into(), text: "x = 1".into() });
    }
}
