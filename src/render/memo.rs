//! `memo(component=…, …)`: a template function that renders a component once for each
//! distinct set of arguments and reuses the HTML after that, like Hugo's `partialCached`.
//!
//! A card appears on the type list, on term pages and on every related entry's page; through
//! `memo` it is rendered once. Only for components whose output depends on their arguments
//! and the site globals (`site`, `t`), never on the page: such a component cannot see `@page`
//! (rendering it fails with Tera's message about the missing value).
//!
//! The cache key is the component's name and its arguments. Text, numbers and booleans count
//! by value. A map or list counts by identity: the shared value the renderer put into the
//! contexts (an entry's card is one value, shared by every page that lists it), because hashing
//! whole values would cost about as much as rendering them. The cache holds a copy of each such
//! value, so an identity cannot be reused for another value while its HTML is cached.
//!
//! The cache outlives a build as long as the globals stay the same: `serve` keeps the card of
//! every unchanged entry (see `Views::reusing`), so a term page listing thousands of entries
//! re-renders from cached cards after an edit.

use foldhash::fast::FixedState;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex, RwLock, Weak};
use tera::{Context, Function, Kwargs, State, Tera, TeraResult, Value};

/// The name templates call.
pub const FUNCTION: &str = "memo";

/// The rendered components, and the templates (with the current build's globals) to render
/// missing ones with.
#[derive(Default)]
pub struct Memo {
    tera: RwLock<Option<Tera>>,
    cache: RwLock<HashMap<u64, Cached, FixedState>>,
    /// How many components the cache held when it was first kept after starting empty; when
    /// stale ones (of edited entries) have doubled that, it starts over.
    kept_size: Mutex<usize>,
}

struct Cached {
    html: Value,
    /// The maps and lists the key names by identity, kept alive with the HTML.
    _held: Vec<Value>,
}

impl Memo {
    /// Starts a new build rendering with `tera` (a copy of the page templates carrying the
    /// build's globals). `same_globals` says the globals equal the previous build's: then the
    /// cached components stay valid, since their other inputs are named by identity.
    pub fn reset(&self, tera: Tera, same_globals: bool) {
        *self.tera.write().unwrap_or_else(|e| e.into_inner()) = Some(tera);
        let mut cache = self.cache.write().unwrap_or_else(|e| e.into_inner());
        let mut kept_size = self.kept_size.lock().unwrap_or_else(|e| e.into_inner());
        if !same_globals {
            cache.clear();
            *kept_size = 0;
        } else if *kept_size == 0 {
            *kept_size = cache.len();
        } else if cache.len() > 2 * *kept_size + 256 {
            // Mostly stale now. The baseline stays: the next rebuild refills only what it
            // renders, which says nothing about the size of the whole site.
            cache.clear();
        }
    }

    /// The function to register as `memo` on the page templates. It holds the memo weakly:
    /// the memo's own copy of the templates carries the function too.
    pub fn function(memo: &Arc<Memo>) -> MemoFunction {
        MemoFunction(Arc::downgrade(memo))
    }

    fn call(&self, kwargs: &Kwargs) -> TeraResult<Value> {
        let name: &str = kwargs.must_get("component")?;
        let (key, held) = cache_key(name, kwargs);
        let cached = self.cache.read().unwrap_or_else(|e| e.into_inner());
        if let Some(c) = cached.get(&key) {
            return Ok(c.html.clone());
        }
        drop(cached);
        let mut args = Context::new();
        for (k, v) in kwargs.iter() {
            // `key=` was how older themes named a map; identity does that now.
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
            .insert(
                key,
                Cached {
                    html: html.clone(),
                    _held: held,
                },
            );
        Ok(html)
    }
}

/// Hashes the component name and the arguments, maps and lists by identity (returned to be
/// held with the HTML). Tera hands the arguments over in no fixed order, so each is hashed
/// alone and the hashes are added up.
fn cache_key(name: &str, kwargs: &Kwargs) -> (u64, Vec<Value>) {
    // The key must be the same in every thread and every rebuild: the fixed-seed fingerprint.
    let mut key = {
        let mut hasher = crate::fingerprinter();
        name.hash(&mut hasher);
        hasher.finish()
    };
    let mut held = Vec::new();
    for (k, v) in kwargs.iter() {
        let mut hasher = crate::fingerprinter();
        k.hash(&mut hasher);
        if let Some(s) = v.as_str() {
            s.hash(&mut hasher);
        } else if let Some(m) = v.as_map() {
            (3u8, std::ptr::from_ref(m) as usize).hash(&mut hasher);
            held.push(v.clone());
        } else if let Some(l) = v.as_array() {
            // Empty lists share one address, which is right: they are all the same value.
            (4u8, l.as_ptr() as usize).hash(&mut hasher);
            held.push(v.clone());
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
    (key, held)
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
        memo.reset(tera.clone(), false);
        tera
    }

    const COMPONENTS: (&str, &str) = (
        "components.html",
        "{% component card(entry, level: integer = 2) %}<h{{ level }}>{{ entry.title }}</h{{ level }}>{% endcomponent card %}",
    );

    const PAGE: (&str, &str) = (
        "page.html",
        "{% for e in entries %}{{ memo(component=\"card\", entry=e, level=3) }}|{{ <card entry={e} level={3} /> }};{% endfor %}{{ memo(component=\"card\", entry=entries[0], level=4) }}{{ memo(component=\"card\", entry=entries[0], level=3) }}",
    );

    fn card(title: &str) -> Value {
        Value::from(tera::Map::from_iter([("title".into(), title.into())]))
    }

    fn context(entries: &[Value]) -> Context {
        let mut ctx = Context::new();
        ctx.insert_value("entries", Value::from(entries.to_vec()));
        ctx
    }

    fn cached(memo: &Memo) -> usize {
        memo.cache.read().unwrap().len()
    }

    #[test]
    fn renders_like_the_component_once_per_value_and_scalars() {
        let memo = Arc::new(Memo::default());
        let tera = tera_with(&memo, &[COMPONENTS, PAGE]);
        let html = tera
            .render("page.html", &context(&[card("A & B"), card("<C>")]))
            .unwrap();
        assert_eq!(
            html,
            "<h3>A &amp; B</h3>|<h3>A &amp; B</h3>;<h3>&lt;C&gt;</h3>|<h3>&lt;C&gt;</h3>;<h4>A &amp; B</h4><h3>A &amp; B</h3>"
        );
        // Two cards at level 3, the first again at level 4; its second level-3 call was a hit.
        assert_eq!(cached(&memo), 3);
    }

    #[test]
    fn equal_values_of_different_identity_never_share_by_accident() {
        let memo = Arc::new(Memo::default());
        let tera = tera_with(&memo, &[COMPONENTS, PAGE]);
        let html = tera
            .render("page.html", &context(&[card("A"), card("A")]))
            .unwrap();
        assert!(
            html.starts_with("<h3>A</h3>|<h3>A</h3>;<h3>A</h3>|"),
            "{html}"
        );
        assert_eq!(cached(&memo), 3, "each value has its own entry");
    }

    #[test]
    fn the_cache_outlives_a_build_only_while_the_globals_stay() {
        let memo = Arc::new(Memo::default());
        let tera = tera_with(&memo, &[COMPONENTS, PAGE]);
        let kept = card("Alt");
        tera.render("page.html", &context(&[kept.clone(), card("Weg")]))
            .unwrap();
        assert_eq!(cached(&memo), 3);

        // The next build with the same globals: the unchanged value is a hit, the edited one
        // (a new value) renders with its new text.
        memo.reset(tera.clone(), true);
        assert_eq!(cached(&memo), 3);
        let html = tera
            .render("page.html", &context(&[kept.clone(), card("Neu")]))
            .unwrap();
        assert!(
            html.contains("<h3>Neu</h3>") && !html.contains("Weg"),
            "{html}"
        );
        assert_eq!(cached(&memo), 4, "only the new card was rendered");

        // Other globals: everything renders again.
        memo.reset(tera.clone(), false);
        assert_eq!(cached(&memo), 0);
    }

    #[test]
    fn stale_components_do_not_pile_up_forever() {
        let memo = Arc::new(Memo::default());
        let tera = tera_with(&memo, &[COMPONENTS, PAGE]);
        tera.render("page.html", &context(&[card("A"), card("B")]))
            .unwrap();
        memo.reset(tera.clone(), true);
        let mut cleared = false;
        let mut clears = 0;
        for round in 0..600 {
            tera.render("page.html", &context(&[card(&format!("{round}"))]))
                .unwrap();
            memo.reset(tera.clone(), true);
            if cached(&memo) == 0 {
                clears += 1;
            }
            assert!(cached(&memo) <= 2 * 3 + 256 + 2, "{}", cached(&memo));
        }
        cleared |= clears > 0;
        assert!(cleared);
        // Each clear waits for the cache to grow past the first build's size again, not for
        // a handful of new components: 600 rounds of two new ones each make four clears.
        assert!(clears <= 5, "{clears} clears");
    }

    #[test]
    fn a_key_argument_from_older_themes_is_accepted_and_ignored() {
        let memo = Arc::new(Memo::default());
        let page = (
            "page.html",
            "{% for e in entries %}{{ memo(component=\"card\", key=\"x\", entry=e) }}{% endfor %}",
        );
        let tera = tera_with(&memo, &[COMPONENTS, page]);
        let html = tera
            .render("page.html", &context(&[card("A"), card("B")]))
            .unwrap();
        assert_eq!(html, "<h2>A</h2><h2>B</h2>");
    }
}
