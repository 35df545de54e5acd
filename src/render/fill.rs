//! `fill`: a template filter that puts values into the `{name}` placeholders of a theme string
//! in one pass, `t.entries_range | fill(first=a, last=b, total=n)`.
//!
//! The UI strings of a theme carry placeholders (`"{n} Einträge"`, `"{d}.{m}.{y}"`). Filling
//! them with a chain of Tera's `replace` costs one filter call per placeholder, and numbers need
//! a `str` call each; a filter call costs about as much as a few dozen plain lookups. `fill`
//! takes text, numbers and booleans as they are and leaves a placeholder without an argument
//! as it stands. Safety follows Tera's `replace`: when autoescaping is on and the string or a
//! value is marked safe, each unsafe part is escaped and the result is marked safe; otherwise
//! the result is plain text, escaped when it is output.

use tera::{Kwargs, State, StringInput, TeraResult, Value};

/// The name templates call.
pub const FILTER: &str = "fill";

pub fn fill(template: StringInput, kwargs: Kwargs, state: &State) -> TeraResult<Value> {
    let safe = state.autoescaping_enabled()
        && (template.is_safe() || kwargs.iter().any(|(_, v)| v.is_safe()));
    let text = if safe {
        template.rendered(state)?
    } else {
        template.as_str().into()
    };
    let mut out = String::with_capacity(text.len() + 32);
    let mut rest = &*text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            let name = &after[..close];
            let (_, v) = kwargs.iter().find(|(k, _)| k.as_str() == Some(name))?;
            Some((close, v))
        });
        match value {
            Some((close, v)) => {
                match v.as_str() {
                    _ if safe => out.push_str(&state.escape_if_needed(v)?),
                    Some(s) => out.push_str(s),
                    None => out.push_str(&v.to_string()),
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    Ok(if safe {
        Value::safe_string(&out)
    } else {
        Value::from(out)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use tera::{Context, Tera};

    fn render(template: &str, context: &Context) -> String {
        let mut tera = Tera::new();
        tera.autoescape_on(vec![".html"]);
        tera.register_filter(FILTER, fill);
        tera.add_raw_template("t.html", template).unwrap();
        tera.render("t.html", context).unwrap()
    }

    #[test]
    fn fills_every_placeholder_with_text_numbers_and_booleans() {
        let mut c = Context::new();
        c.insert("s", &"{first}–{last} von {total} ({ok})");
        assert_eq!(
            render(
                r#"{{ s | fill(first=1, last=20, total=134, ok=true) }}"#,
                &c
            ),
            "1–20 von 134 (true)"
        );
        c.insert("d", &"{d}.{m}.{y}");
        assert_eq!(
            render(r#"{{ d | fill(y="2024", m="05", d="01") }}"#, &c),
            "01.05.2024"
        );
        c.insert("x", &51.76804);
        assert_eq!(
            render(r#"{{ "{lat}" | fill(lat=x | round(precision=4)) }}"#, &c),
            "51.768"
        );
    }

    #[test]
    fn a_placeholder_without_an_argument_and_lone_braces_stay_as_they_are() {
        let c = Context::new();
        assert_eq!(
            render(r#"{{ "{a} {b} { {c" | fill(a="x") }}"#, &c),
            "x {b} { {c"
        );
        // A value is put in once: placeholders inside it are not filled again.
        assert_eq!(
            render(r#"{{ "{a}{b}" | fill(a="{b}", b="y") }}"#, &c),
            "{b}y"
        );
    }

    #[test]
    fn values_are_escaped_like_replace_does_and_safe_values_are_kept() {
        let mut c = Context::new();
        c.insert("title", &"Café <Hof> & \"Garten\"");
        assert_eq!(
            render(r#"{{ "Karte: {title}" | fill(title=title) }}"#, &c),
            "Karte: Café &lt;Hof&gt; &amp; &quot;Garten&quot;"
        );
        assert_eq!(
            render(
                r#"{{ "<b>{n}</b> {title}" | safe | fill(n=3, title=title) }}"#,
                &c
            ),
            "<b>3</b> Café &lt;Hof&gt; &amp; &quot;Garten&quot;"
        );
        assert_eq!(
            render(r#"{{ "<{x}>" | fill(x="<i>a</i>" | safe) }}"#, &c),
            "&lt;<i>a</i>&gt;"
        );
    }
}
