//! YAML slips reported where they are: a `[`, `{` or quote that is never closed, at the line
//! that opened it rather than where the parser gave up.

/// A bracket or quote that opens a flow list, a flow mapping or a quoted text, in the file.
#[derive(Debug, PartialEq)]
pub(super) struct Opener {
    pub opener: char,
    pub line: usize,
    pub column: usize,
}

/// The opener of a YAML error that libyaml reports at the place it gave up (often the next
/// line): its message names where the flow list, mapping or quoted text began ("while parsing a
/// flow sequence at line 3 column 8"). `Some` only when nothing after the opener, to the end of
/// the YAML, closes it.
pub(super) fn unclosed(message: &str, text: &str, line_offset: usize) -> Option<Opener> {
    const CONTEXTS: [(&str, Option<char>); 3] = [
        ("while parsing a flow sequence at line ", Some('[')),
        ("while parsing a flow mapping at line ", Some('{')),
        ("while scanning a quoted scalar at line ", None),
    ];
    let (at, expected) = CONTEXTS
        .iter()
        .find_map(|(needle, c)| Some((message.split(needle).nth(1)?, *c)))?;
    let mut numbers = at
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|n| n.parse::<usize>().ok());
    let (line, column) = (numbers.next()??, numbers.next()??);
    let line = line + line_offset - 1;
    let source = text.lines().nth(line.checked_sub(1)?)?;
    let opener = source.chars().nth(column.checked_sub(1)?)?;
    let fits = match expected {
        Some(c) => opener == c,
        None => opener == '"' || opener == '\'',
    };
    if !fits {
        return None;
    }
    // What follows the opener, to the end of the YAML (a `---` line closes front matter).
    let start: usize = text
        .split_inclusive('\n')
        .take(line - 1)
        .map(str::len)
        .sum::<usize>()
        + source.char_indices().nth(column - 1)?.0
        + opener.len_utf8();
    let rest = text.get(start..)?;
    let end = ["\n---\n", "\n...\n", "\n---\r", "\n---"]
        .iter()
        .filter_map(|m| rest.find(m))
        .min()
        .unwrap_or(rest.len());
    let after = &rest[..end];
    let closed = match opener {
        '[' | '{' => {
            let close = if opener == '[' { ']' } else { '}' };
            let mut depth = 1usize;
            after.chars().any(|c| {
                if c == opener {
                    depth += 1;
                } else if c == close {
                    depth -= 1;
                }
                depth == 0
            })
        }
        '"' => {
            let mut escaped = false;
            after.chars().any(|c| {
                let closes = c == '"' && !escaped;
                escaped = c == '\\' && !escaped;
                closes
            })
        }
        _ => after.contains('\''),
    };
    (!closed).then_some(Opener {
        opener,
        line,
        column,
    })
}

#[cfg(test)]
mod tests {
    use super::super::*;

    fn p() -> &'static Path {
        Path::new("x.md")
    }

    #[test]
    fn an_unclosed_bracket_or_quote_is_reported_where_it_opens() {
        let cases = [
            (
                "---\ntitel: A\nthema: [a, b\nstadt: [x]\n---\nText\n",
                '[',
                3,
                8,
            ),
            (
                "---\ntitel: A\nlage: { lat: 1, lon: 2\nstadt: x\n---\n",
                '{',
                3,
                7,
            ),
            ("---\ntitel: \"Offen\nstadt: x\n---\nText\n", '"', 2, 8),
            ("---\ntitel: A\nkurz: 'offen\nstadt: x\n---\n", '\'', 3, 7),
        ];
        for (text, opener, line, column) in cases {
            let s = split_front_matter(text, p());
            let (yaml, offset) = match s {
                Ok(s) => (s.front_matter, s.front_matter_line),
                // An unclosed quote may swallow the closing `---`: parse everything after it.
                Err(_) => (&text[4..], 2),
            };
            let e = parse_yaml(yaml, text, offset, p()).unwrap_err();
            assert_eq!(
                (e.line, e.column),
                (Some(line), Some(column)),
                "{text:?}: {e:?}"
            );
            let expected = format!("this `{opener}` on line {line} is never closed");
            assert!(
                e.hint.as_deref().unwrap_or("").starts_with(&expected),
                "{e:?}"
            );
        }
        // Closed on its line, broken otherwise: not called unclosed.
        let text = "---\nthema: [a: b: c]\n---\n";
        let s = split_front_matter(text, p()).unwrap();
        let e = parse_yaml(s.front_matter, text, 2, p()).unwrap_err();
        assert!(!e.message.contains("never closed"), "{e:?}");
    }
}
