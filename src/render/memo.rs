//! `memo(component=…, …)`: a template function that renders a component once for each
//! distinct set of arguments and reuses the HTML after that, like Hugo's `partialCached`.
//!
//! A card appears on the type list, on term pages and on every related entry's page; through
//! `memo` it is rendered once. Only for components whose output depends on their arguments
//! and the site globals (`site`, `t`), never on the page: such a component cannot see `@page`
//! (rendering it fails with Tera's message about the missing value).
//!
//! `each="entry", entry=list` renders the component for every element of the list, as if called
//! with `entry=element`, and joins the HTML: one call from the template for a whole list of
//! cards, since each call costs Tera more than taking a card from the cache.
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

    /// How many components the cache holds, and the bytes of their HTML (`bench_memory`).
    pub fn size(&self) -> (usize, usize) {
        let cache = self.cache.read().unwrap_or_else(|e| e.into_inner());
        let html = cache
            .values()
            .map(|c| c.html.as_str().map_or(0, str::len))
            .sum();
        (cache.len(), html)
    }

    /// The function to register as `memo` on the page templates. It holds the memo weakly:
    /// the memo's own copy of the templates carries the function too.
    pub fn function(memo: &Arc<Memo>) -> MemoFunction {
        MemoFunction(Arc::downgrade(memo))
    }

    fn call(&self, kwargs: &Kwargs) -> TeraResult<Value> {
        let name: &str = kwargs.must_get("component")?;
        let Some(each) = kwargs.get::<&str>("each")? else {
            let key = key_of(name, kwargs, None);
            let cached = self.cache.read().unwrap_or_else(|e| e.into_inner());
            if let Some(c) = cached.get(&key) {
                return Ok(c.html.clone());
            }
            drop(cached);
            return self.render(name, kwargs, key, None);
        };
        // `each="entry", entry=list`: the component once per element of the list, as if
        // called with `entry=element`, all in one call; a call from a template costs Tera
        // more than taking a cached card.
        let list: &[Value] = kwargs.get(each)?.ok_or_else(|| {
            tera::Error::message(format!(
                "memo: `each` names the argument `{each}`, which is not given"
            ))
        })?;
        let base = key_of(name, kwargs, Some(each));
        let keys: Vec<u64> = list
            .iter()
            .map(|item| base.wrapping_add(arg_key(each, item)))
            .collect();
        // A list whose parts are all cached (the common case: a card on its second page) is
        // joined into a string of its final size. Growing it part by part copied a finder's
        // result list (hundreds of kilobytes) over and over (BENCHMARKS.md, session 14).
        // Otherwise the string is reserved at the cached parts' size and, for each missing
        // part, their average.
        let capacity = {
            let cache = self.cache.read().unwrap_or_else(|e| e.into_inner());
            let parts: Vec<Option<&str>> = keys
                .iter()
                .map(|k| cache.get(k).map(|c| c.html.as_str().unwrap_or_default()))
                .collect();
            let found: Vec<&str> = parts.iter().flatten().copied().collect();
            if found.len() == parts.len() {
                return Ok(Value::safe_string(&found.concat()));
            }
            let size: usize = found.iter().map(|p| p.len()).sum();
            size + (parts.len() - found.len()) * (size / found.len().max(1))
        };
        let mut html = String::with_capacity(capacity);
        // Cached parts are copied out under one read lock for the run of them, not one lock and
        // one shared count per card: both are atomic operations on memory the other threads
        // touch too. The lock is let go before a missing part is rendered and stored.
        let mut cached = None;
        for (item, &key) in list.iter().zip(&keys) {
            let cache =
                cached.get_or_insert_with(|| self.cache.read().unwrap_or_else(|e| e.into_inner()));
            if let Some(c) = cache.get(&key) {
                html.push_str(c.html.as_str().unwrap_or_default());
                continue;
            }
            cached = None;
            let part = self.render(name, kwargs, key, Some((each, item)))?;
            html.push_str(part.as_str().unwrap_or_default());
        }
        Ok(Value::safe_string(&html))
    }

    /// Renders component `name` with `kwargs` (`item` in place of the list it is an element
    /// of) and keeps the HTML under `key`; the callers have looked in the cache already.
    fn render(
        &self,
        name: &str,
        kwargs: &Kwargs,
        key: u64,
        item: Option<(&str, &Value)>,
    ) -> TeraResult<Value> {
        let mut args = Context::new();
        let mut held = Vec::new();
        let mut add = |k: &str, v: &Value| {
            if v.as_map().is_some() || v.as_array().is_some() {
                held.push(v.clone());
            }
            args.insert_value(k.to_string(), v.clone());
        };
        let each = item.map(|(each, _)| each);
        for (k, v) in kwargs.iter() {
            if let Some(k) = k.as_str().filter(|k| is_argument(k, each)) {
                add(k, v);
            }
        }
        if let Some((each, item)) = item {
            add(each, item);
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

/// Whether the call's argument `k` is passed on to the component: not `component`, `each` or
/// the list `each` names, nor `key=`, which older themes used to name a map (identity does
/// that now).
fn is_argument(k: &str, each: Option<&str>) -> bool {
    !matches!(k, "component" | "each" | "key") && Some(k) != each
}

/// The cache key of component `name` with the arguments among `kwargs` it is passed
/// ([`is_argument`]). Tera hands them over in no fixed order, so each is hashed alone and the
/// hashes are added up; an element of a list adds its own ([`arg_key`]) as a single argument
/// would.
fn key_of(name: &str, kwargs: &Kwargs, each: Option<&str>) -> u64 {
    // The key must be the same in every thread and every rebuild: the fixed-seed fingerprint.
    let mut key = {
        let mut hasher = crate::fingerprinter();
        name.hash(&mut hasher);
        hasher.finish()
    };
    for (k, v) in kwargs.iter() {
        if k.as_str().is_some_and(|k| is_argument(k, each)) {
            key = key.wrapping_add(arg_key(k, v));
        }
    }
    key
}

/// One argument's part of a cache key: text, numbers and booleans by value, maps and lists by
/// identity (the cache holds a copy of each, so an identity is not reused while it is cached).
fn arg_key<K: Hash + ?Sized>(k: &K, v: &Value) -> u64 {
    let mut hasher = crate::fingerprinter();
    k.hash(&mut hasher);
    if let Some(s) = v.as_str() {
        s.hash(&mut hasher);
    } else if let Some(m) = v.as_map() {
        (3u8, std::ptr::from_ref(m) as usize).hash(&mut hasher);
    } else if let Some(l) = v.as_array() {
        // Empty lists share one address, which is right: they are all the same value.
        (4u8, l.as_ptr() as usize).hash(&mut hasher);
    } else if let Some(b) = v.as_bool() {
        (1u8, b).hash(&mut hasher);
    } else if let Some(n) = v.as_i64() {
        (2u8, n).hash(&mut hasher);
    } else {
        // Other scalars are short: their text (and kind) is their identity.
        v.name().hash(&mut hasher);
        v.to_string().hash(&mut hasher);
    }
    hasher.finish()
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

    /// Renders `page` (with the test components) over `entries`, with a memo of its own.
    fn render_page(page: &str, entries: &[Value]) -> (String, Arc<Memo>) {
        let memo = Arc::new(Memo::default());
        let tera = tera_with(&memo, &[COMPONENTS, ("page.html", page)]);
        let html = tera.render("page.html", &context(entries)).unwrap();
        (html, memo)
    }

    fn cached(memo: &Memo) -> usize {
        memo.cache.read().unwrap().len()
    }

    #[test]
    fn renders_like_the_component_once_per_value_and_scalars() {
        let (html, memo) = render_page(PAGE.1, &[card("A & B"), card("<C>")]);
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
    fn each_renders_a_list_in_one_call_sharing_the_cache_with_single_calls() {
        let (html, memo) = render_page(
            "{{ memo(component=\"card\", each=\"entry\", entry=entries, level=3) }}|{{ memo(component=\"card\", entry=entries[1], level=3) }}|{{ memo(component=\"card\", each=\"entry\", entry=[], level=3) }}",
            &[card("A"), card("<B>")],
        );
        assert_eq!(html, "<h3>A</h3><h3>&lt;B&gt;</h3>|<h3>&lt;B&gt;</h3>|");
        // One entry per card: the single call found the list's second card.
        assert_eq!(cached(&memo), 2);
    }

    #[test]
    fn each_keeps_the_order_when_cached_and_new_cards_alternate() {
        // The middle card is cached before the list is rendered: the list takes it from the
        // cache between two it renders.
        let (html, memo) = render_page(
            "{{ memo(component=\"card\", entry=entries[1]) }}|{{ memo(component=\"card\", each=\"entry\", entry=entries) }}|{{ memo(component=\"card\", each=\"entry\", entry=entries) }}",
            &[card("A"), card("B"), card("C")],
        );
        assert_eq!(
            html,
            "<h2>B</h2>|<h2>A</h2><h2>B</h2><h2>C</h2>|<h2>A</h2><h2>B</h2><h2>C</h2>"
        );
        assert_eq!(cached(&memo), 3);
    }

    #[test]
    fn a_list_whose_parts_are_all_cached_is_joined_in_its_own_order() {
        // The second and third lists are all cached: they are joined in one go, in the order
        // the list has, not the order the parts were cached in.
        let (html, memo) = render_page(
            "{{ memo(component=\"card\", each=\"entry\", entry=entries) }}|{{ memo(component=\"card\", each=\"entry\", entry=entries | reverse) }}|{{ memo(component=\"card\", each=\"entry\", entry=entries[1:]) }}",
            &[card("A"), card("<B>"), card("C")],
        );
        assert_eq!(
            html,
            "<h2>A</h2><h2>&lt;B&gt;</h2><h2>C</h2>|<h2>C</h2><h2>&lt;B&gt;</h2><h2>A</h2>|<h2>&lt;B&gt;</h2><h2>C</h2>"
        );
        assert_eq!(cached(&memo), 3);
    }

    #[test]
    fn each_without_its_list_is_an_error() {
        let memo = Arc::new(Memo::default());
        let missing = (
            "missing.html",
            "{{ memo(component=\"card\", each=\"entry\", level=3) }}",
        );
        let not_a_list = (
            "scalar.html",
            "{{ memo(component=\"card\", each=\"entry\", entry=\"x\") }}",
        );
        let tera = tera_with(&memo, &[COMPONENTS, missing, not_a_list]);
        let e = tera.render("missing.html", &context(&[])).unwrap_err();
        assert!(
            format!("{e:?}").contains("`entry`, which is not given"),
            "{e:?}"
        );
        assert!(tera.render("scalar.html", &context(&[])).is_err());
    }

    #[test]
    fn a_key_argument_from_older_themes_is_accepted_and_ignored() {
        let (html, memo) = render_page(
            "{% for e in entries %}{{ memo(component=\"card\", key=\"x\", entry=e) }}{% endfor %}{{ memo(component=\"card\", key=\"y\", entry=entries[0]) }}",
            &[card("A"), card("B")],
        );
        assert_eq!(html, "<h2>A</h2><h2>B</h2><h2>A</h2>");
        // Another `key` is no other card.
        assert_eq!(cached(&memo), 2);
    }
}
