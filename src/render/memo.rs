//! `memo(component=…, …)`: a template function that renders a component once per build for
//! each distinct set of arguments and reuses the HTML after that, like Hugo's `partialCached`.
//!
//! A card appears on the type list, on term pages and on every related entry's page; through
//! `memo` it is rendered once. Only for components whose output depends on their arguments
//! and the site globals (`site`, `t`), never on the page: such a component cannot see `@page`
//! (rendering it fails with Tera's message about the missing value).
//!
//! The cache key is the component's name and its arguments. Text, numbers and booleans count
//! by value; a map or list counts by the text of the `key` argument, which the caller must pass
//! (`memo(component="card", key=e.url, entry=e)`): hashing whole values would cost about as
//! much as rendering them.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Arc, RwLock, Weak};
use tera::{Context, Function, Kwargs, State, Tera, TeraResult, Value};

/// The name templates call.
pub const FUNCTION: &str = "memo";

/// The rendered components of one build, and the templates (with that build's globals) to
/// render missing ones with.
#[derive(Default)]
pub struct Memo {
    tera: RwLock<Option<Tera>>,
    cache: RwLock<HashMap<u64, Value>>,
}

impl Memo {
    /// Starts a new build: forgets every rendered component and renders new ones with `tera`
    /// (a copy of the page templates carrying the new globals).
    pub fn reset(&self, tera: Tera) {
        *self.tera.write().unwrap_or_else(|e| e.into_inner()) = Some(tera);
        self.cache
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// The function to register as `memo` on the page templates. It holds the memo weakly:
    /// the memo's own copy of the templates carries the function too.
    pub fn function(memo: &Arc<Memo>) -> MemoFunction {
        MemoFunction(Arc::downgrade(memo))
    }

    fn call(&self, kwargs: &Kwargs) -> TeraResult<Value> {
        let name: &str = kwargs.must_get("component")?;
        let key = cache_key(name, kwargs)?;
        let cached = self.cache.read().unwrap_or_else(|e| e.into_inner());
        if let Some(html) = cached.get(&key) {
            return Ok(html.clone());
        }
        drop(cached);
        let mut args = Context::new();
        for (k, v) in kwargs.iter() {
            if k.as_str() != Some("component") && k.as_str() != Some("key") {
                args.insert_value(k.to_string(), v.clone());
            }
        }
        let tera = self.tera.read().unwrap_or_else(|e| e.into_inner());
        let Some(tera) = tera.as_ref() else {
            return Err(tera::Error::message("memo: no build is running"));
        };
        let html = tera.render_component(name, &args, None, true)?;
        let html = Value::safe_string(&html);
        self.cache
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, html.clone());
        Ok(html)
    }
}

/// Hashes the component name and the arguments; maps and lists only through `key`. Tera
/// hands the arguments over in no fixed order, so each is hashed alone and the hashes are
/// added up.
fn cache_key(name: &str, kwargs: &Kwargs) -> TeraResult<u64> {
    let mut key = {
        let mut hasher = DefaultHasher::new();
        name.hash(&mut hasher);
        hasher.finish()
    };
    let mut keyed = false;
    let mut unkeyed = None;
    for (k, v) in kwargs.iter() {
        let mut hasher = DefaultHasher::new();
        k.hash(&mut hasher);
        if let Some(s) = v.as_str() {
            keyed |= k.as_str() == Some("key");
            s.hash(&mut hasher);
        } else if v.is_map() || v.is_array() {
            unkeyed.get_or_insert(k);
        } else if let Some(b) = v.as_bool() {
            (1u8, b).hash(&mut hasher);
        } else if let Some(n) = v.as_i64() {
            (2u8, n).hash(&mut hasher);
        } else {
            // Other scalars are short: their text (and kind) is their identity.
            v.name().hash(&mut hasher);
            v.to_string().hash(&mut hasher);
        }
        key = key.wrapping_add(hasher.finish());
    }
    match unkeyed {
        Some(k) if !keyed => Err(tera::Error::message(format!(
            "memo: `{k}` of component `{name}` is a map or list; pass `key=` with a text that \
             identifies it (for an entry: key=entry.url)"
        ))),
        _ => Ok(key),
    }
}

/// The registered function; see the module documentation.
pub struct MemoFunction(Weak<Memo>);

impl Function<TeraResult<Value>> for MemoFunction {
    fn call(&self, kwargs: Kwargs, _: &State) -> TeraResult<Value> {
        match self.0.upgrade() {
            Some(memo) => memo.call(&kwargs),
            None => Err(tera::Error::message("memo: the renderer is gone")),
        }
    }

    fn is_safe(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tera_with(memo: &Arc<Memo>, templates: &[(&str, &str)]) -> Tera {
        let mut tera = Tera::new();
        tera.autoescape_on(vec![".html"]);
        tera.register_function(FUNCTION, Memo::function(memo));
        tera.add_raw_templates(templates.iter().copied()).unwrap();
        memo.reset(tera.clone());
        tera
    }

    const COMPONENTS: (&str, &str) = (
        "components.html",
        "{% component card(entry, level: integer = 2) %}<h{{ level }}>{{ entry.title }}</h{{ level }}>{% endcomponent card %}",
    );

    #[test]
    fn renders_like_the_component_and_keys_on_scalars_and_key() {
        let memo = Arc::new(Memo::default());
        let page = (
            "page.html",
            "{% for e in entries %}{{ memo(component=\"card\", key=e.url, entry=e, level=3) }}|{{ <card entry={e} level={3} /> }};{% endfor %}{{ memo(component=\"card\", key=entries[0].url, entry=entries[0], level=4) }}",
        );
        let tera = tera_with(&memo, &[COMPONENTS, page]);
        let mut ctx = Context::new();
        let entries = vec![
            tera::Map::from_iter([
                ("url".into(), "/a/".into()),
                ("title".into(), "A & B".into()),
            ]),
            tera::Map::from_iter([("url".into(), "/b/".into()), ("title".into(), "<C>".into())]),
        ];
        ctx.insert("entries", &entries);
        let html = tera.render("page.html", &ctx).unwrap();
        assert_eq!(
            html,
            "<h3>A &amp; B</h3>|<h3>A &amp; B</h3>;<h3>&lt;C&gt;</h3>|<h3>&lt;C&gt;</h3>;<h4>A &amp; B</h4>"
        );
        assert_eq!(memo.cache.read().unwrap().len(), 3);
    }

    #[test]
    fn a_map_without_key_is_refused_and_reset_forgets() {
        let memo = Arc::new(Memo::default());
        let page = ("page.html", "{{ memo(component=\"card\", entry=e) }}");
        let tera = tera_with(&memo, &[COMPONENTS, page]);
        let mut ctx = Context::new();
        ctx.insert("e", &tera::Map::from_iter([("title".into(), "A".into())]));
        let err = format!("{:?}", tera.render("page.html", &ctx).unwrap_err());
        assert!(err.contains("pass `key=`"), "{err}");
        memo.cache.write().unwrap().insert(1, Value::from("x"));
        memo.reset(tera.clone());
        assert!(memo.cache.read().unwrap().is_empty());
    }
}
