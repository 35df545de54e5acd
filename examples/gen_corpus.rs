//! Deterministic synthetic catalogue for benchmarking casebook against Hugo.
//!
//! ```text
//! cargo run --release --example gen_corpus -- <N> <DIR> [--hugo <HUGO_DIR>]
//! ```
//!
//! Writes a complete casebook catalogue with N entries to `DIR` (schema, vocabularies, entries)
//! and, with `--hugo`, the same corpus as a Hugo site with comparable templates.
//!
//! Only the standard library is used, so the generator still builds with plain
//! `rustc --edition 2021 examples/gen_corpus.rs` while the crate itself is mid-edit.
//! The same N always gives byte-identical output, and entry `i` depends only on entries
//! before it (every reference and link points backwards), so a smaller corpus is a prefix
//! of a larger one and no relation is ever written in both directions.

use std::collections::HashSet;
use std::env;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The bundled schema; the corpus must validate against exactly what casebook ships.
const SITE_YAML: &str = include_str!("../content/site.yaml");
const BASE_URL: &str = "http://127.0.0.1:1111/";
/// Marks a directory as ours, so a rerun may replace what an earlier run wrote.
const MARKER: &str = ".gen_corpus";
const USAGE: &str = "usage: gen_corpus <N> <DIR> [--hugo <HUGO_DIR>] [--translated <PERCENT>]";

/// Hugo templates, embedded so the generator works from any directory.
const HUGO_LAYOUTS: &[(&str, &str)] = &[
    (
        "_default/baseof.html",
        include_str!("../benches/hugo/layouts/_default/baseof.html"),
    ),
    (
        "_default/single.html",
        include_str!("../benches/hugo/layouts/_default/single.html"),
    ),
    (
        "_default/list.html",
        include_str!("../benches/hugo/layouts/_default/list.html"),
    ),
    (
        "_default/taxonomy.html",
        include_str!("../benches/hugo/layouts/_default/taxonomy.html"),
    ),
    (
        "_default/term.html",
        include_str!("../benches/hugo/layouts/_default/term.html"),
    ),
    (
        "_default/_markup/render-link.html",
        include_str!("../benches/hugo/layouts/_default/_markup/render-link.html"),
    ),
    (
        "index.html",
        include_str!("../benches/hugo/layouts/index.html"),
    ),
];

// ---------------------------------------------------------------------------------------------
// Randomness
// ---------------------------------------------------------------------------------------------

/// splitmix64: std has no seeded generator, and this one is tiny, fast and well mixed.
struct Rng(u64);

impl Rng {
    const SEED: u64 = 0x6361_7365_626f_6f6b; // "casebook"

    /// One independent stream per purpose, so adding draws in one place never shifts another.
    fn stream(stream: u64) -> Self {
        Rng(Self::SEED ^ stream.wrapping_mul(0x9e37_79b9_7f4a_7c15))
    }

    /// Entry `index` gets its own stream, which keeps it identical whatever N is.
    fn for_entry(index: usize) -> Self {
        Self::stream(1_000 + index as u64)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n`; `n` must be positive.
    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// A number in `lo..=hi`.
    fn between(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    /// A float in `-1.0..1.0`.
    fn signed_unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 52) as f64 - 1.0
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// `k` distinct indices below `n`, in draw order (partial Fisher–Yates).
    fn distinct(&mut self, n: usize, k: usize) -> Vec<usize> {
        let mut pool: Vec<usize> = (0..n).collect();
        let k = k.min(n);
        for i in 0..k {
            let j = i + self.below(n - i);
            pool.swap(i, j);
        }
        pool.truncate(k);
        pool
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Vocabularies
// ---------------------------------------------------------------------------------------------

/// A term as `(key, label)`.
type TermPair = (&'static str, &'static str);

/// The three Handlungsfelder, each with its two Handlungsansätze.
const HANDLUNGSFELDER: [(&str, &str, [TermPair; 2]); 3] = [
    (
        "innenstadtstrategien",
        "Innenstadtstrategien",
        [
            (
                "nutzungsmischung-handelsimmobilien",
                "Nutzungsmischung in Handelsimmobilien",
            ),
            ("transformationsmanagement", "Transformationsmanagement"),
        ],
    ),
    (
        "lebendige-quartiere",
        "Lebendige Quartiere",
        [
            ("creative-places", "Creative Places"),
            ("mikroquartiere", "Mikroquartiere"),
        ],
    ),
    (
        "kleinstadtperspektiven",
        "Kleinstadtperspektiven",
        [
            ("kreativimport", "Kreativimport"),
            ("kleinstadt-als-campus", "Kleinstadt als Campus"),
        ],
    ),
];

const THEMEN: [(&str, &str); 34] = [
    ("phase-null", "Phase Null"),
    ("nutzungsmischung", "Nutzungsmischung"),
    ("leerstand-zwischennutzung", "Leerstand und Zwischennutzung"),
    ("kreativstandorte", "Kreativstandorte"),
    ("kreative-formate", "Kreative Formate"),
    ("quartiersimmobilien", "Quartiersimmobilien"),
    ("gemeinsame-strategie", "Gemeinsame Strategie"),
    ("kooperation-allianzen", "Kooperation und Allianzen"),
    ("intermediaere", "Intermediäre"),
    ("dialog-runde-tische", "Dialog und Runde Tische"),
    ("immobilienwirtschaft", "Immobilienwirtschaft"),
    ("verdraengungsschutz", "Verdrängungsschutz"),
    ("verstetigung", "Verstetigung"),
    ("foerderung", "Förderung"),
    ("planungsrecht", "Planungsrecht"),
    ("wissenstransfer", "Wissenstransfer"),
    ("beteiligung", "Beteiligung"),
    ("soziale-innovation", "Soziale Innovation"),
    ("sozialraumorientierung", "Sozialraumorientierung"),
    ("ressortuebergreifend", "Ressortübergreifendes Handeln"),
    ("generationen", "Generationen"),
    ("sicherheit-praevention", "Sicherheit und Prävention"),
    ("integration", "Integration"),
    ("inklusion", "Inklusion"),
    ("klima-umwelt", "Klima und Umwelt"),
    ("gesundheit", "Gesundheit"),
    ("segregation-armut", "Segregation und Armut"),
    ("bildung", "Bildung"),
    ("daseinsvorsorge", "Daseinsvorsorge"),
    ("interkommunale-kooperation", "Interkommunale Kooperation"),
    ("daten-monitoring", "Daten und Monitoring"),
    ("wohnen", "Wohnen"),
    ("mobilitaet", "Mobilität"),
    ("regionale-vernetzung", "Regionale Vernetzung"),
];

const AKTEURSGRUPPEN: [(&str, &str); 7] = [
    (
        "verbaende-netzwerke-initiativen",
        "Verbände, Netzwerke und Initiativen",
    ),
    ("stiftungen", "Stiftungen"),
    ("gebietskoerperschaften", "Gebietskörperschaften"),
    (
        "stadt-immobilien-projektentwicklung",
        "Stadt-, Immobilien- und Projektentwicklung",
    ),
    (
        "zentren-quartiers-communitymanagement",
        "Zentren-, Quartiers- und Communitymanagement",
    ),
    ("kultur-kreativwirtschaft", "Kultur- und Kreativwirtschaft"),
    ("mittler-intermediaere", "Mittler und Intermediäre"),
];

const RAUMTYPEN: [(&str, &str); 5] = [
    ("zentrum", "Zentrum"),
    ("quartier", "Quartier"),
    ("klein-mittelstadt", "Klein- und Mittelstadt"),
    ("laendlicher-raum", "Ländlicher Raum"),
    ("region", "Region"),
];

/// A Bundesland with a rough centre, the spread its towns scatter over, and its town count.
struct Land {
    key: &'static str,
    label: &'static str,
    lat: f64,
    lon: f64,
    spread_lat: f64,
    spread_lon: f64,
    towns: usize,
}

const fn land(
    key: &'static str,
    label: &'static str,
    centre: (f64, f64),
    spread: (f64, f64),
    towns: usize,
) -> Land {
    Land {
        key,
        label,
        lat: centre.0,
        lon: centre.1,
        spread_lat: spread.0,
        spread_lon: spread.1,
        towns,
    }
}

const BUNDESLAENDER: [Land; 16] = [
    land(
        "baden-wuerttemberg",
        "Baden-Württemberg",
        (48.66, 9.35),
        (0.6, 0.9),
        40,
    ),
    land("bayern", "Bayern", (48.95, 11.40), (0.9, 1.4), 50),
    land("berlin", "Berlin", (52.52, 13.40), (0.08, 0.15), 5),
    land("brandenburg", "Brandenburg", (52.45, 13.30), (0.7, 0.8), 25),
    land("bremen", "Bremen", (53.08, 8.80), (0.05, 0.08), 3),
    land("hamburg", "Hamburg", (53.55, 10.00), (0.06, 0.1), 4),
    land("hessen", "Hessen", (50.60, 9.00), (0.6, 0.5), 30),
    land(
        "mecklenburg-vorpommern",
        "Mecklenburg-Vorpommern",
        (53.75, 12.50),
        (0.35, 1.3),
        20,
    ),
    land(
        "niedersachsen",
        "Niedersachsen",
        (52.75, 9.20),
        (0.6, 1.4),
        50,
    ),
    land(
        "nordrhein-westfalen",
        "Nordrhein-Westfalen",
        (51.45, 7.55),
        (0.5, 0.9),
        50,
    ),
    land(
        "rheinland-pfalz",
        "Rheinland-Pfalz",
        (49.90, 7.40),
        (0.5, 0.5),
        30,
    ),
    land("saarland", "Saarland", (49.38, 6.95), (0.12, 0.2), 8),
    land("sachsen", "Sachsen", (51.05, 13.30), (0.3, 1.0), 25),
    land(
        "sachsen-anhalt",
        "Sachsen-Anhalt",
        (51.95, 11.70),
        (0.6, 0.5),
        20,
    ),
    land(
        "schleswig-holstein",
        "Schleswig-Holstein",
        (54.20, 9.80),
        (0.4, 0.6),
        20,
    ),
    land("thueringen", "Thüringen", (50.90, 11.05), (0.3, 0.8), 20),
];

/// Syllables for synthetic town names; some carry umlauts to exercise slug transliteration.
const TOWN_PREFIXES: [&str; 26] = [
    "Alt", "Bern", "Birk", "Dorn", "Eichen", "Falken", "Gold", "Grün", "Hagen", "Hohen", "Kirch",
    "Linden", "Löwen", "Marien", "Mühl", "Neu", "Ober", "Rosen", "Sonnen", "Schön", "Stein",
    "Tann", "Wald", "Weiden", "Wester", "Wolfs",
];
const TOWN_SUFFIXES: [&str; 20] = [
    "au", "bach", "berg", "brück", "burg", "dorf", "feld", "hagen", "hausen", "heim", "hofen",
    "kirchen", "leben", "münde", "rode", "stadt", "stedt", "tal", "walde", "wede",
];
const RIVERS: [&str; 8] = [
    "an der Saale",
    "am Main",
    "an der Elbe",
    "an der Ruhr",
    "an der Lahn",
    "am Rhein",
    "an der Oder",
    "an der Weser",
];

// Every town needs its own base name; checked at compile time so generation cannot run dry.
const _: () = assert!(TOWN_PREFIXES.len() * TOWN_SUFFIXES.len() >= 400);

/// A synthetic town: a `staedte` term with the Bundesland it lies in and its centre.
struct Town {
    key: String,
    label: String,
    land: usize,
    lat: f64,
    lon: f64,
}

/// One term as the vocabulary files list it.
struct Term {
    key: String,
    label: String,
    description: Option<String>,
    parent: Option<String>,
}

/// A vocabulary file (`content/vocabularies/<name>.yaml`); `name` doubles as Hugo taxonomy.
struct Vocabulary {
    name: &'static str,
    label: &'static str,
    plural: &'static str,
    description: &'static str,
    terms: Vec<Term>,
}

/// A facet field of the schema and the vocabulary it draws from, in the schema's facet order.
struct Facet {
    field: &'static str,
    vocabulary: &'static str,
    label: &'static str,
}

const FACETS: [Facet; 6] = [
    Facet {
        field: "handlungsfeld",
        vocabulary: "handlungsfelder",
        label: "Handlungsfeld",
    },
    Facet {
        field: "raumtyp",
        vocabulary: "raumtypen",
        label: "Raumtyp",
    },
    Facet {
        field: "thema",
        vocabulary: "themen",
        label: "Thema",
    },
    Facet {
        field: "akteursgruppe",
        vocabulary: "akteursgruppen",
        label: "Akteursgruppe",
    },
    Facet {
        field: "bundesland",
        vocabulary: "bundeslaender",
        label: "Bundesland",
    },
    Facet {
        field: "stadt",
        vocabulary: "staedte",
        label: "Stadt",
    },
];

/// About 400 towns with unique keys, spread over the Länder by their weight.
fn generate_towns() -> Vec<Town> {
    let mut rng = Rng::stream(1);
    let mut names: Vec<String> = TOWN_PREFIXES
        .iter()
        .flat_map(|prefix| {
            TOWN_SUFFIXES
                .iter()
                .map(move |suffix| format!("{prefix}{suffix}"))
        })
        .collect();
    rng.shuffle(&mut names);
    let lands = BUNDESLAENDER
        .iter()
        .enumerate()
        .flat_map(|(index, land)| std::iter::repeat_n(index, land.towns));

    let mut keys = HashSet::new();
    let mut names = names.into_iter();
    let mut towns = Vec::new();
    for land_index in lands {
        let Some(town) = names.find_map(|name| {
            let label = decorate_town_name(&mut rng, name);
            let key = slugify(&label);
            keys.insert(key.clone()).then_some((key, label))
        }) else {
            break;
        };
        let land = &BUNDESLAENDER[land_index];
        towns.push(Town {
            key: town.0,
            label: town.1,
            land: land_index,
            lat: clamp_lat(land.lat + rng.signed_unit() * land.spread_lat),
            lon: clamp_lon(land.lon + rng.signed_unit() * land.spread_lon),
        });
    }
    towns
}

/// Some towns get a "Bad" or a river, so keys with several words occur as in real data.
fn decorate_town_name(rng: &mut Rng, name: String) -> String {
    match rng.below(100) {
        0..=7 => format!("Bad {name}"),
        8..=13 => format!("{name} {}", rng.pick(&RIVERS)),
        _ => name,
    }
}

/// Keeps coordinates inside Germany's bounding box whatever the spread says.
fn clamp_lat(lat: f64) -> f64 {
    lat.clamp(47.4, 54.9)
}

fn clamp_lon(lon: f64) -> f64 {
    lon.clamp(6.0, 14.9)
}

fn static_terms(pairs: &[(&str, &str)]) -> Vec<Term> {
    pairs
        .iter()
        .map(|(key, label)| Term {
            key: key.to_string(),
            label: label.to_string(),
            description: None,
            parent: None,
        })
        .collect()
}

/// The Handlungsfelder followed by their children, each child naming its parent.
fn handlungsfeld_terms() -> Vec<Term> {
    let mut terms = Vec::new();
    for (key, label, children) in HANDLUNGSFELDER {
        terms.push(Term {
            key: key.to_string(),
            label: label.to_string(),
            description: Some(format!("Handlungsfeld „{label}“ der Initiative.")),
            parent: None,
        });
        for (child_key, child_label) in children {
            terms.push(Term {
                key: child_key.to_string(),
                label: child_label.to_string(),
                description: Some(format!("Handlungsansatz im Handlungsfeld „{label}“.")),
                parent: Some(key.to_string()),
            });
        }
    }
    terms
}

fn vocabularies(towns: &[Town]) -> Vec<Vocabulary> {
    let lands: Vec<(&str, &str)> = BUNDESLAENDER.iter().map(|l| (l.key, l.label)).collect();
    let town_terms = towns
        .iter()
        .map(|town| Term {
            key: town.key.clone(),
            label: town.label.clone(),
            description: None,
            parent: None,
        })
        .collect();
    vec![
        Vocabulary {
            name: "handlungsfelder",
            label: "Handlungsfeld",
            plural: "Handlungsfelder",
            description: "Die drei Handlungsfelder der Initiative und ihre Handlungsansätze.",
            terms: handlungsfeld_terms(),
        },
        Vocabulary {
            name: "themen",
            label: "Thema",
            plural: "Themen",
            description: "Querschnittsthemen der Stadt- und Quartiersentwicklung.",
            terms: static_terms(&THEMEN),
        },
        Vocabulary {
            name: "akteursgruppen",
            label: "Akteursgruppe",
            plural: "Akteursgruppen",
            description: "Die sieben Bereiche, aus denen die Beteiligten kommen.",
            terms: static_terms(&AKTEURSGRUPPEN),
        },
        Vocabulary {
            name: "raumtypen",
            label: "Raumtyp",
            plural: "Raumtypen",
            description: "Die Art des Raums, in dem ein Fall spielt.",
            terms: static_terms(&RAUMTYPEN),
        },
        Vocabulary {
            name: "bundeslaender",
            label: "Bundesland",
            plural: "Bundesländer",
            description: "Die sechzehn Länder der Bundesrepublik.",
            terms: static_terms(&lands),
        },
        Vocabulary {
            name: "staedte",
            label: "Stadt",
            plural: "Städte",
            description: "Städte und Gemeinden, in denen die Fälle liegen.",
            terms: town_terms,
        },
    ]
}

// ---------------------------------------------------------------------------------------------
// Entries
// ---------------------------------------------------------------------------------------------

/// The three entry types of the bundled schema.
#[derive(Clone, Copy, PartialEq, Eq)]
enum EntryType {
    Ort,
    Format,
    Strategie,
}

impl EntryType {
    const ALL: [EntryType; 3] = [EntryType::Ort, EntryType::Format, EntryType::Strategie];

    /// Types rotate with the index, giving a third of each and a cheap way to find them.
    fn of_index(index: usize) -> Self {
        Self::ALL[index % 3]
    }

    fn offset(self) -> usize {
        match self {
            EntryType::Ort => 0,
            EntryType::Format => 1,
            EntryType::Strategie => 2,
        }
    }

    fn key(self) -> &'static str {
        match self {
            EntryType::Ort => "ort",
            EntryType::Format => "format",
            EntryType::Strategie => "strategie",
        }
    }

    fn folder(self) -> &'static str {
        match self {
            EntryType::Ort => "orte",
            EntryType::Format => "formate",
            EntryType::Strategie => "strategien",
        }
    }

    fn plural(self) -> &'static str {
        match self {
            EntryType::Ort => "Orte",
            EntryType::Format => "Formate",
            EntryType::Strategie => "Strategien",
        }
    }

    /// Words that start a title of this type.
    fn title_heads(self) -> &'static [&'static str] {
        match self {
            EntryType::Ort => &ORT_HEADS,
            EntryType::Format => &FORMAT_HEADS,
            EntryType::Strategie => &STRATEGIE_HEADS,
        }
    }
}

/// The schema's reference fields, with the labels of both directions; declared (and so
/// ordered) as the schema lists them.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Relation {
    EingesetztAn,
    NutztFormate,
    UmfasstOrte,
    SieheAuch,
}

impl Relation {
    const ALL: [Relation; 4] = [
        Relation::EingesetztAn,
        Relation::NutztFormate,
        Relation::UmfasstOrte,
        Relation::SieheAuch,
    ];

    fn field(self) -> &'static str {
        match self {
            Relation::EingesetztAn => "eingesetzt_an",
            Relation::NutztFormate => "nutzt_formate",
            Relation::UmfasstOrte => "umfasst_orte",
            Relation::SieheAuch => "siehe_auch",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Relation::EingesetztAn => "Eingesetzt an",
            Relation::NutztFormate => "Nutzt Formate",
            Relation::UmfasstOrte => "Umfasst Orte",
            Relation::SieheAuch => "Siehe auch",
        }
    }

    fn inverse_label(self) -> &'static str {
        match self {
            Relation::EingesetztAn => "Formate an diesem Ort",
            Relation::NutztFormate => "Genutzt in Strategien",
            Relation::UmfasstOrte => "Teil der Strategien",
            Relation::SieheAuch => "Erwähnt bei",
        }
    }

    /// The type the reference must point at; `None` means any type.
    fn target(self) -> Option<EntryType> {
        match self {
            Relation::EingesetztAn | Relation::UmfasstOrte => Some(EntryType::Ort),
            Relation::NutztFormate => Some(EntryType::Format),
            Relation::SieheAuch => None,
        }
    }
}

/// A `quellen` item: a document named in words, or a web page with its address.
enum Source {
    Document(String),
    Web { title: String, url: String },
}

/// One generated entry; `facets` runs parallel to [`FACETS`].
struct Entry {
    kind: EntryType,
    slug: String,
    title: String,
    summary: String,
    facets: Vec<Vec<String>>,
    town: usize,
    beginn: usize,
    ende: Option<usize>,
    traeger: Vec<String>,
    website: Option<String>,
    quellen: Vec<Source>,
    uebertragbarkeit: String,
    references: Vec<(Relation, usize)>,
    body: String,
}

impl Entry {
    fn id(&self) -> String {
        format!("{}/{}", self.kind.key(), self.slug)
    }

    fn content_path(&self) -> String {
        format!("{}/{}.md", self.kind.folder(), self.slug)
    }

    /// The path Hugo's `GetPage` knows the entry by.
    fn hugo_path(&self) -> String {
        format!("/{}/{}", self.kind.folder(), self.slug)
    }
}

const ORT_HEADS: [&str; 14] = [
    "Kulturbahnhof",
    "Quartierszentrum",
    "Stadtteilhaus",
    "Kreativquartier",
    "Dritter Ort",
    "Bürgerhaus",
    "Werkhof",
    "Kaufhaus der Ideen",
    "Nachbarschaftsladen",
    "Makerspace",
    "Stadtlabor",
    "Gemeinschaftsgarten",
    "Kulturscheune",
    "Coworking-Space",
];
const FORMAT_HEADS: [&str; 14] = [
    "Reallabor",
    "Stadtwerkstatt",
    "Zukunftswerkstatt",
    "Theater im öffentlichen Raum",
    "Runder Tisch",
    "Quartiersspaziergang",
    "Pop-up-Laden",
    "Ideenwettbewerb",
    "Leerstandsbörse",
    "Sommerakademie",
    "Planungszelle",
    "Kiezfest",
    "Gründungswettbewerb",
    "Probewohnen",
];
const STRATEGIE_HEADS: [&str; 12] = [
    "Masterplan",
    "Innenstadtkonzept",
    "Förderprogramm",
    "Quartiersmanagement",
    "Leerstandsmanagement",
    "Zentrenkonzept",
    "Verfügungsfonds",
    "Kooperationsvertrag",
    "Entwicklungsstrategie",
    "Ankaufprogramm",
    "Zwischennutzungsagentur",
    "Handlungskonzept",
];
/// Second half of a title, with the word the slug keeps of it.
const TITLE_FOCI: [(&str, &str); 16] = [
    ("zur Belebung der Innenstadt", "innenstadt"),
    ("für leerstehende Ladenlokale", "ladenlokale"),
    ("am alten Güterbahnhof", "gueterbahnhof"),
    ("im Bahnhofsviertel", "bahnhofsviertel"),
    ("rund um den Marktplatz", "marktplatz"),
    ("für junge Kreative", "kreative"),
    ("im ehemaligen Kaufhaus", "kaufhaus"),
    ("an der Hauptstraße", "hauptstrasse"),
    ("für das Quartier am Fluss", "flussquartier"),
    ("für Nachbarschaften im Wandel", "nachbarschaften"),
    ("zwischen Schloss und Hafen", "schloss-hafen"),
    ("für gemeinwohlorientierte Nutzungen", "gemeinwohl"),
    ("im früheren Schlachthof", "schlachthof"),
    ("für Handel, Handwerk und Kultur", "handel-handwerk"),
    ("mit der Nachbarschaft", "nachbarschaft"),
    ("für die Altstadt", "altstadt"),
];

const SUBJECTS: [&str; 14] = [
    "Die Stadtverwaltung",
    "Das Quartiersmanagement",
    "Ein lokaler Verein",
    "Die Wirtschaftsförderung",
    "Eine Gruppe von Kreativen",
    "Die Eigentümerin des Gebäudes",
    "Das Kulturamt",
    "Ein Netzwerk aus Händlern",
    "Die Wohnungsbaugesellschaft",
    "Eine Stiftung",
    "Die Nachbarschaft",
    "Das Stadtplanungsamt",
    "Ein Team aus Studierenden",
    "Die Genossenschaft",
];
const VERBS: [&str; 12] = [
    "entwickelt",
    "organisiert",
    "begleitet",
    "erprobt",
    "finanziert",
    "moderiert",
    "öffnet",
    "unterstützt",
    "plant",
    "koordiniert",
    "dokumentiert",
    "vernetzt",
];
const OBJECTS: [&str; 14] = [
    "neue Nutzungen für leerstehende Erdgeschosse",
    "einen offenen Treffpunkt für das Quartier",
    "regelmäßige Werkstattgespräche",
    "temporäre Projekte im öffentlichen Raum",
    "eine gemeinsame Strategie für die Innenstadt",
    "Räume für kulturelle und soziale Initiativen",
    "Beteiligungsformate für Jugendliche",
    "ein Netzwerk lokaler Akteure",
    "günstige Mieten für Gründerinnen und Gründer",
    "Angebote für ältere Menschen",
    "kleine Experimente mit großer Wirkung",
    "den Umbau eines leerstehenden Gebäudes",
    "eine Anlaufstelle für Eigentümer",
    "Veranstaltungen mit wechselnden Partnern",
];
const ADVERBIALS: [&str; 12] = [
    "seit mehreren Jahren",
    "in enger Abstimmung mit der Verwaltung",
    "mit Mitteln der Städtebauförderung",
    "gemeinsam mit den Anwohnenden",
    "über einen Zeitraum von zwei Jahren",
    "auf ehrenamtlicher Basis",
    "im Rahmen eines Modellprojekts",
    "mit wechselnden Partnern",
    "ohne großen Verwaltungsaufwand",
    "in mehreren Phasen",
    "mit kleinem Budget",
    "Schritt für Schritt",
];
const CLAUSES: [&str; 12] = [
    "kurze Wege zwischen Verwaltung und Initiativen entscheidend sind",
    "ein verlässlicher Ansprechpartner viel bewirkt",
    "kleine Budgets oft ausreichen",
    "die Nachbarschaft früh eingebunden werden muss",
    "Zwischennutzungen dauerhafte Lösungen vorbereiten können",
    "Eigentümer eher mitmachen, wenn das Risiko begrenzt ist",
    "sichtbare Ergebnisse die Unterstützung im Rat stärken",
    "ohne feste Räume vieles nach kurzer Zeit wieder endet",
    "Vertrauen mehr zählt als ein perfekter Plan",
    "die Verstetigung von Anfang an mitgedacht werden sollte",
    "gute Dokumentation den Wissenstransfer erleichtert",
    "Konflikte offen angesprochen werden müssen",
];
const NOUN_PHRASES: [&str; 12] = [
    "eine klare Rollenverteilung",
    "ein fester Ort für Treffen",
    "die Offenheit der Eigentümer",
    "eine transparente Kommunikation",
    "ein kleiner, flexibler Fonds",
    "die Rückendeckung der Verwaltungsspitze",
    "ein langer Atem",
    "die Zusammenarbeit über Ressortgrenzen hinweg",
    "eine verlässliche Finanzierung",
    "der Mut zum Experiment",
    "die Unterstützung durch ein Netzwerk",
    "eine gute Moderation",
];
const LIMITS: [&str; 6] = [
    "Fördermittel fehlen",
    "keine bezahlbaren Räume verfügbar sind",
    "die Verwaltung keine feste Ansprechperson benennen kann",
    "die Eigentümer nicht mitziehen",
    "das Ehrenamt allein die Last trägt",
    "der politische Rückhalt nach einer Wahl wegbricht",
];
const GROUPS: [&str; 6] = [
    "Verwaltung, Vereine und Eigentümer",
    "Kulturschaffende und Gewerbetreibende",
    "Jugendliche und ältere Menschen aus der Nachbarschaft",
    "Hochschulen und lokale Unternehmen",
    "Initiativen aus dem ganzen Stadtteil",
    "Fachleute aus Planung und Sozialarbeit",
];
const TOPICS: [&str; 6] = [
    "die Belebung der Innenstadt",
    "eine gemeinwohlorientierte Quartiersentwicklung",
    "die Zwischennutzung von Leerstand",
    "die Zusammenarbeit von Kultur und Verwaltung",
    "ein neues Miteinander im Quartier",
    "die Zukunft kleiner Zentren",
];
const BULLETS: [&str; 12] = [
    "Bestandsaufnahme leerstehender Flächen",
    "Gespräche mit Eigentümern und Maklern",
    "offene Sprechstunden im Ladenlokal",
    "ein Beirat aus Verwaltung und Zivilgesellschaft",
    "kurze Mietverträge mit niedrigen Einstiegsmieten",
    "gemeinsame Öffentlichkeitsarbeit",
    "eine digitale Karte der Angebote",
    "regelmäßige Auswertung mit allen Beteiligten",
    "kleine Zuschüsse für Umbauten",
    "Kooperation mit Schulen und Hochschulen",
    "Programm mit Lesungen, Konzerten und Märkten",
    "Beratung zu Förderprogrammen",
];
const STEPS: [&str; 10] = [
    "Bestandsaufnahme der Flächen und Akteure",
    "Auftaktveranstaltung im Quartier",
    "Auswahl der Nutzungen durch eine Jury",
    "Erprobung in einer befristeten Phase",
    "Auswertung und Entscheidung über die Verstetigung",
    "Übergabe an einen Trägerverein",
    "Abschluss von Nutzungsvereinbarungen",
    "Umbau mit einfachen Mitteln",
    "Eröffnung mit einem Fest",
    "Bericht an den Stadtrat",
];
const LINK_INTROS: [&str; 4] = [
    "Ein ähnlicher Ansatz ist",
    "Vergleichbare Erfahrungen beschreibt",
    "Hilfreich war der Austausch mit",
    "Anregungen kamen unter anderem von",
];
const TRAEGER_PATTERNS: [&str; 7] = [
    "Stadt {}",
    "Quartiersverein {} e. V.",
    "Kulturnetzwerk {} e. V.",
    "Stiftung Lebendige Stadt {}",
    "Wohnungsgenossenschaft {} eG",
    "Stadtmarketing {} GmbH",
    "Werkstatt für Stadtentwicklung {} gGmbH",
];
const DOCUMENTS: [&str; 4] = [
    "Gemeinsam für das Quartier: Formate, Orte, Strategien, Allianzen – Handlungsempfehlungen",
    "Dokumentation der Fachkonferenz „Kommunen innovativ“",
    "Werkstattbericht „Innenstadt im Wandel“",
    "Sammlung guter Praxis der Initiative „Stadt gemeinsam gestalten“",
];

/// All entries in index order; each sees only the ones before it.
fn generate_entries(count: usize, towns: &[Town]) -> Vec<Entry> {
    let mut entries = Vec::with_capacity(count);
    let mut taken = HashSet::with_capacity(count);
    for index in 0..count {
        let entry = generate_entry(index, &entries, towns, &mut taken);
        entries.push(entry);
    }
    entries
}

fn generate_entry(
    index: usize,
    earlier: &[Entry],
    towns: &[Town],
    taken: &mut HashSet<String>,
) -> Entry {
    let mut rng = Rng::for_entry(index);
    let kind = EntryType::of_index(index);
    let town_index = rng.below(towns.len());
    let town = &towns[town_index];
    let head = rng.pick(kind.title_heads());
    let (focus, focus_word) = rng.pick(&TITLE_FOCI);
    let title = format!("{head} {focus} in {}", town.label);
    let slug = unique_slug(&format!("{head} {focus_word} {}", town.key), taken);
    let beginn = rng.between(2005, 2023);
    let ende = rng
        .chance(50)
        .then(|| (beginn + rng.between(1, 5)).min(2025));
    let website = rng
        .chance(40)
        .then(|| format!("https://www.example.org/{slug}"));
    Entry {
        kind,
        summary: summary(&mut rng, &town.label),
        facets: facet_values(&mut rng, town),
        town: town_index,
        beginn,
        ende,
        traeger: traeger(&mut rng, &town.label),
        quellen: quellen(&mut rng, &slug, beginn),
        uebertragbarkeit: uebertragbarkeit(&mut rng),
        references: choose_references(&mut rng, kind, index),
        body: body(&mut rng, &title, &town.label, earlier),
        website,
        title,
        slug,
    }
}

/// A short slug like authors write (`reallabor-marktplatz-goettingen`), cut at a word
/// boundary, with a counter when the words repeat.
fn unique_slug(words: &str, taken: &mut HashSet<String>) -> String {
    let mut base = slugify(words);
    while base.len() > 54 {
        match base.rfind('-') {
            Some(cut) => base.truncate(cut),
            None => base.truncate(54),
        }
    }
    let mut candidate = base.clone();
    let mut counter = 2;
    while !taken.insert(candidate.clone()) {
        candidate = format!("{base}-{counter}");
        counter += 1;
    }
    candidate
}

/// Lowercase ASCII words joined by `-`, umlauts transliterated, as the content format demands.
fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        match c {
            'ä' => slug.push_str("ae"),
            'ö' => slug.push_str("oe"),
            'ü' => slug.push_str("ue"),
            'ß' => slug.push_str("ss"),
            c if c.is_ascii_alphanumeric() => slug.push(c),
            _ if !slug.is_empty() && !slug.ends_with('-') => slug.push('-'),
            _ => {}
        }
    }
    while slug.ends_with('-') {
        slug.pop();
    }
    slug
}

/// Term keys for the six facets, in [`FACETS`] order.
fn facet_values(rng: &mut Rng, town: &Town) -> Vec<Vec<String>> {
    let (parent, _, children) = rng.pick(&HANDLUNGSFELDER);
    let mut handlungsfeld = vec![parent.to_string()];
    if rng.chance(60) {
        handlungsfeld.push(rng.pick(children).0.to_string());
    }
    let pick_keys = |rng: &mut Rng, pairs: &[(&str, &str)], lo: usize, hi: usize| {
        let count = rng.between(lo, hi);
        rng.distinct(pairs.len(), count)
            .into_iter()
            .map(|i| pairs[i].0.to_string())
            .collect::<Vec<_>>()
    };
    let raumtyp = pick_keys(rng, &RAUMTYPEN, 1, 1);
    let thema = pick_keys(rng, &THEMEN, 1, 3);
    let akteursgruppe = pick_keys(rng, &AKTEURSGRUPPEN, 1, 2);
    vec![
        handlungsfeld,
        raumtyp,
        thema,
        akteursgruppe,
        vec![BUNDESLAENDER[town.land].key.to_string()],
        vec![town.key.clone()],
    ]
}

/// Two to four references obeying the schema, all pointing at earlier entries.
///
/// Pointing backwards only keeps entry `i` independent of N and rules out writing a
/// relation in both directions, which the content format forbids.
fn choose_references(rng: &mut Rng, kind: EntryType, index: usize) -> Vec<(Relation, usize)> {
    let wanted = rng.between(2, 4);
    let mut plan = match kind {
        EntryType::Ort => vec![],
        EntryType::Format => vec![Relation::EingesetztAn],
        EntryType::Strategie => vec![Relation::NutztFormate, Relation::UmfasstOrte],
    };
    while plan.len() < wanted {
        plan.push(match (kind, rng.below(3)) {
            (EntryType::Format, 0) => Relation::EingesetztAn,
            (EntryType::Strategie, 0) => Relation::NutztFormate,
            (EntryType::Strategie, 1) => Relation::UmfasstOrte,
            _ => Relation::SieheAuch,
        });
    }

    let mut references: Vec<(Relation, usize)> = Vec::new();
    for relation in plan {
        // A few attempts avoid pointing twice at one entry; early entries may get fewer.
        for _ in 0..8 {
            let Some(target) = earlier_entry(rng, index, relation.target()) else {
                break;
            };
            if references.iter().all(|&(_, t)| t != target) {
                references.push((relation, target));
                break;
            }
        }
    }
    references.sort_unstable();
    references
}

/// A uniformly chosen entry before `index`, of the given type if one is asked for.
fn earlier_entry(rng: &mut Rng, index: usize, kind: Option<EntryType>) -> Option<usize> {
    match kind {
        None if index == 0 => None,
        None => Some(rng.below(index)),
        Some(kind) => {
            let offset = kind.offset();
            if index <= offset {
                return None;
            }
            // Type `kind` sits at offset, offset + 3, …; count those below `index`.
            let count = (index - offset).div_ceil(3);
            Some(offset + 3 * rng.below(count))
        }
    }
}

fn summary(rng: &mut Rng, town: &str) -> String {
    format!(
        "{} {} in {} {}. Übertragbar ist vor allem {}.",
        rng.pick(&SUBJECTS),
        rng.pick(&VERBS),
        town,
        rng.pick(&OBJECTS),
        rng.pick(&NOUN_PHRASES)
    )
}

fn traeger(rng: &mut Rng, town: &str) -> Vec<String> {
    let count = rng.between(1, 3);
    rng.distinct(TRAEGER_PATTERNS.len(), count)
        .into_iter()
        .map(|i| TRAEGER_PATTERNS[i].replace("{}", town))
        .collect()
}

fn quellen(rng: &mut Rng, slug: &str, year: usize) -> Vec<Source> {
    let mut sources = vec![Source::Document(format!(
        "{} {}",
        rng.pick(&DOCUMENTS),
        year + 1
    ))];
    if rng.chance(30) {
        sources.push(Source::Web {
            title: "Projektseite mit Veranstaltungsbericht".to_string(),
            url: format!("https://www.example.org/{slug}/bericht"),
        });
    }
    sources
}

fn uebertragbarkeit(rng: &mut Rng) -> String {
    format!(
        "Übertragbar ist der Ansatz überall dort, wo {}. Voraussetzung ist {}. \
         Grenzen zeigen sich, wenn {}.",
        rng.pick(&CLAUSES),
        rng.pick(&NOUN_PHRASES),
        rng.pick(&LIMITS)
    )
}

/// A block of the Markdown body.
enum Block {
    Heading(&'static str),
    Paragraph(Vec<String>),
    Bullets(Vec<String>),
    Steps(Vec<String>),
}

/// About 350 words of Markdown: headings, paragraphs, both list kinds, emphasis and links.
fn body(rng: &mut Rng, title: &str, town: &str, earlier: &[Entry]) -> String {
    let target_words = rng.between(330, 370);
    let mut intro = vec![format!(
        "{title} zeigt, wie {} in {town} gelingen kann.",
        rng.pick(&TOPICS)
    )];
    intro.push(sentence(rng, town));
    if let Some(link) = link_sentence(rng, earlier) {
        intro.push(link);
    }
    let mut closing = sentences(rng, town, 2, 3);
    if let Some(link) = link_sentence(rng, earlier) {
        closing.push(link);
    }

    let middle_heading = *rng.pick(&["Beteiligte", "Finanzierung", "Organisation"]);
    let closing_heading = *rng.pick(&["Erfahrungen", "Wirkung", "Stolpersteine"]);
    let mut blocks = vec![
        Block::Paragraph(intro),
        Block::Heading("Ausgangslage"),
        Block::Paragraph(sentences(rng, town, 2, 3)),
        Block::Heading("Vorgehen"),
        Block::Bullets(bullets(rng)),
        Block::Heading(middle_heading),
        Block::Paragraph(sentences(rng, town, 2, 3)),
        Block::Heading("Ablauf"),
        Block::Steps(steps(rng)),
        Block::Heading(closing_heading),
        Block::Paragraph(closing),
    ];
    fill_to_word_count(rng, town, &mut blocks, target_words);
    render_blocks(&blocks)
}

/// Tops up the paragraphs round-robin until the body reaches its target length.
fn fill_to_word_count(rng: &mut Rng, town: &str, blocks: &mut [Block], target_words: usize) {
    let mut words = blocks.iter().map(block_words).sum::<usize>();
    let paragraphs = blocks
        .iter()
        .filter(|block| matches!(block, Block::Paragraph(_)))
        .count();
    let mut turn = 0;
    while words < target_words && paragraphs > 0 {
        let text = sentence(rng, town);
        words += text.split_whitespace().count();
        if let Some(Block::Paragraph(lines)) = blocks
            .iter_mut()
            .filter(|block| matches!(block, Block::Paragraph(_)))
            .nth(turn % paragraphs)
        {
            lines.push(text);
        }
        turn += 1;
    }
}

fn block_words(block: &Block) -> usize {
    let count = |lines: &[String]| lines.iter().map(|l| l.split_whitespace().count()).sum();
    match block {
        Block::Heading(text) => text.split_whitespace().count(),
        Block::Paragraph(lines) | Block::Bullets(lines) | Block::Steps(lines) => count(lines),
    }
}

fn render_blocks(blocks: &[Block]) -> String {
    let rendered: Vec<String> = blocks
        .iter()
        .map(|block| match block {
            Block::Heading(text) => format!("## {text}\n"),
            Block::Paragraph(lines) => format!("{}\n", lines.join(" ")),
            Block::Bullets(items) => items.iter().map(|i| format!("- {i}\n")).collect(),
            Block::Steps(items) => items
                .iter()
                .enumerate()
                .map(|(n, i)| format!("{}. {i}\n", n + 1))
                .collect(),
        })
        .collect();
    rendered.join("\n")
}

fn sentences(rng: &mut Rng, town: &str, lo: usize, hi: usize) -> Vec<String> {
    let count = rng.between(lo, hi);
    (0..count).map(|_| sentence(rng, town)).collect()
}

/// One German-looking sentence from a handful of templates, sometimes with emphasis.
fn sentence(rng: &mut Rng, town: &str) -> String {
    match rng.below(7) {
        0 => format!("Dabei zeigt sich, dass {}.", rng.pick(&CLAUSES)),
        1 => format!("Wichtig ist vor allem {}.", rng.pick(&NOUN_PHRASES)),
        2 => format!("In {town} kommen dafür {} zusammen.", rng.pick(&GROUPS)),
        3 => format!(
            "{} {} *{}* {}.",
            rng.pick(&SUBJECTS),
            rng.pick(&VERBS),
            rng.pick(&ADVERBIALS),
            rng.pick(&OBJECTS)
        ),
        4 => format!("Die Erfahrungen zeigen, dass {}.", rng.pick(&CLAUSES)),
        _ => format!(
            "{} {} {} {}.",
            rng.pick(&SUBJECTS),
            rng.pick(&VERBS),
            rng.pick(&ADVERBIALS),
            rng.pick(&OBJECTS)
        ),
    }
}

fn bullets(rng: &mut Rng) -> Vec<String> {
    let count = rng.between(3, 5);
    rng.distinct(BULLETS.len(), count)
        .into_iter()
        .map(|i| {
            if rng.chance(30) {
                format!("**{}**", BULLETS[i])
            } else {
                BULLETS[i].to_string()
            }
        })
        .collect()
}

fn steps(rng: &mut Rng) -> Vec<String> {
    let count = rng.between(3, 5);
    let mut chosen = rng.distinct(STEPS.len(), count);
    chosen.sort_unstable();
    chosen.into_iter().map(|i| STEPS[i].to_string()).collect()
}

/// A sentence linking an earlier entry the way authors do: `[title](@/folder/slug.md)`.
fn link_sentence(rng: &mut Rng, earlier: &[Entry]) -> Option<String> {
    let target = earlier_entry(rng, earlier.len(), None)?;
    let entry = &earlier[target];
    Some(format!(
        "{} [{}](@/{}).",
        rng.pick(&LINK_INTROS),
        entry.title,
        entry.content_path()
    ))
}

// ---------------------------------------------------------------------------------------------
// casebook output
// ---------------------------------------------------------------------------------------------

/// Double-quoted YAML, so colons, quotes and dashes in generated text never change meaning.
fn yaml_str(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    for c in text.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

/// A flow list of plain scalars; only used for keys and ids, which never need quoting.
fn yaml_flow_list(items: &[String]) -> String {
    format!("[{}]", items.join(", "))
}

/// The bundled schema with the base URL the benchmark serves from, in German only (its English
/// labels stay, unused; `write_translations` makes a corpus of two languages).
fn site_yaml() -> String {
    SITE_YAML
        .replacen("\nlanguages: [de, en]\n", "\nlanguage: de\n", 1)
        .lines()
        .map(|line| {
            if line.starts_with("base_url:") {
                format!("base_url: {BASE_URL}\n")
            } else {
                format!("{line}\n")
            }
        })
        .collect()
}

fn vocabulary_yaml(vocabulary: &Vocabulary) -> String {
    let mut yaml = format!(
        "label: {}\nplural: {}\ndescription: {}\nterms:\n",
        yaml_str(vocabulary.label),
        yaml_str(vocabulary.plural),
        yaml_str(vocabulary.description)
    );
    for term in &vocabulary.terms {
        yaml.push_str(&format!(
            "  - key: {}\n    label: {}\n",
            term.key,
            yaml_str(&term.label)
        ));
        if let Some(description) = &term.description {
            yaml.push_str(&format!("    description: {}\n", yaml_str(description)));
        }
        if let Some(parent) = &term.parent {
            yaml.push_str(&format!("    parent: {parent}\n"));
        }
    }
    yaml
}

fn quellen_yaml(quellen: &[Source], indent: &str) -> String {
    quellen
        .iter()
        .map(|source| match source {
            Source::Document(name) => format!("{indent}- {}\n", yaml_str(name)),
            Source::Web { title, url } => format!(
                "{indent}- title: {}\n{indent}  url: {}\n",
                yaml_str(title),
                yaml_str(url)
            ),
        })
        .collect()
}

fn block_scalar(key: &str, text: &str) -> String {
    format!("{key}: |\n  {text}\n")
}

/// Front matter fields shared by both generators, in schema order after the facets.
fn facts_yaml(entry: &Entry, towns: &[Town]) -> String {
    let town = &towns[entry.town];
    let mut yaml = format!(
        "lage: {{ lat: {:.4}, lon: {:.4} }}\nbeginn: {}\n",
        town.lat, town.lon, entry.beginn
    );
    if let Some(ende) = entry.ende {
        yaml.push_str(&format!("ende: {ende}\n"));
    }
    yaml.push_str("traeger:\n");
    for name in &entry.traeger {
        yaml.push_str(&format!("  - {}\n", yaml_str(name)));
    }
    if let Some(website) = &entry.website {
        yaml.push_str(&format!("website: {}\n", yaml_str(website)));
    }
    yaml.push_str(&block_scalar("uebertragbarkeit", &entry.uebertragbarkeit));
    yaml.push_str("quellen:\n");
    yaml.push_str(&quellen_yaml(&entry.quellen, "  "));
    yaml
}

fn casebook_entry(entry: &Entry, entries: &[Entry], towns: &[Town]) -> String {
    let mut doc = format!(
        "---\ntitel: {}\nkurzbeschreibung: {}\n",
        yaml_str(&entry.title),
        yaml_str(&entry.summary)
    );
    for (facet, keys) in FACETS.iter().zip(&entry.facets) {
        doc.push_str(&format!("{}: {}\n", facet.field, yaml_flow_list(keys)));
    }
    doc.push_str(&facts_yaml(entry, towns));
    for relation in Relation::ALL {
        let ids: Vec<String> = entry
            .references
            .iter()
            .filter(|(r, _)| *r == relation)
            .map(|&(_, target)| entries[target].id())
            .collect();
        if !ids.is_empty() {
            doc.push_str(&format!("{}: {}\n", relation.field(), yaml_flow_list(&ids)));
        }
    }
    doc.push_str("---\n");
    doc.push_str(&entry.body);
    doc
}

fn write_casebook(dir: &Path, entries: &[Entry], towns: &[Town]) -> io::Result<()> {
    prepare_dir(dir, &["content"])?;
    let content = dir.join("content");
    write_file(&content.join("site.yaml"), &site_yaml())?;
    for vocabulary in vocabularies(towns) {
        let path = content
            .join("vocabularies")
            .join(format!("{}.yaml", vocabulary.name));
        write_file(&path, &vocabulary_yaml(&vocabulary))?;
    }
    for entry in entries {
        let path = content.join(entry.content_path());
        write_file(&path, &casebook_entry(entry, entries, towns))?;
    }
    Ok(())
}

/// Words the English texts are made of: each German word becomes one of them, the same one
/// every time, so the English texts have the German ones' length and shape.
const ENGLISH_WORDS: &[&str] = &[
    "neighbourhood",
    "neighbourhoods",
    "residents",
    "community",
    "street",
    "square",
    "market",
    "office",
    "meeting",
    "place",
    "places",
    "project",
    "projects",
    "city",
    "town",
    "council",
    "housing",
    "vacancy",
    "empty",
    "shops",
    "workshop",
    "workshops",
    "participation",
    "local",
    "people",
    "young",
    "older",
    "families",
    "association",
    "funding",
    "programme",
    "urban",
    "development",
    "strategy",
    "format",
    "formats",
    "garden",
    "gardens",
    "culture",
    "school",
    "children",
    "opened",
    "started",
    "built",
    "shared",
    "used",
    "uses",
    "planning",
    "walks",
    "together",
    "the",
    "a",
    "of",
    "in",
    "and",
    "with",
    "for",
    "on",
    "at",
    "from",
    "was",
    "is",
    "are",
    "were",
    "has",
    "have",
    "which",
    "where",
    "when",
    "after",
    "before",
    "during",
    "years",
    "first",
    "new",
    "old",
    "small",
    "large",
    "public",
    "open",
    "space",
    "spaces",
    "centre",
    "district",
    "quarter",
    "network",
    "partners",
    "volunteers",
    "events",
    "evaluation",
    "report",
    "reports",
    "lessons",
    "transfer",
    "other",
    "towns",
    "cities",
    "can",
    "learn",
    "adapt",
];

/// An English text in the shape of `german`: every word replaced (Markdown, punctuation and
/// the targets of internal links kept), chosen by a hash of the word.
fn english_of(german: &str) -> String {
    let mut parts = german.split("(@/");
    let mut out = english_words(parts.next().unwrap_or(""));
    for part in parts {
        let (target, rest) = part.split_once(')').unwrap_or((part, ""));
        out.push_str(&format!("(@/{target})"));
        out.push_str(&english_words(rest));
    }
    out
}

fn english_words(german: &str) -> String {
    let mut out = String::with_capacity(german.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if word.is_empty() {
            return;
        }
        let h = word.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
        });
        let english = ENGLISH_WORDS[(h % ENGLISH_WORDS.len() as u64) as usize];
        if word.starts_with(char::is_uppercase) {
            let mut c = english.chars();
            out.extend(c.next().map(|f| f.to_ascii_uppercase()));
            out.push_str(c.as_str());
        } else {
            out.push_str(english);
        }
        word.clear();
    };
    for c in german.chars() {
        if c.is_alphabetic() {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// Makes the catalogue one in German and English and writes an English translation for
/// `percent` % of the entries, spread over the corpus: its title, summary, what transfers and
/// its body.
fn write_translations(dir: &Path, entries: &[Entry], percent: usize) -> io::Result<()> {
    let content = dir.join("content");
    let site = site_yaml().replacen("\nlanguage: de\n", "\nlanguages: [de, en]\n", 1);
    write_file(&content.join("site.yaml"), &site)?;
    for (i, entry) in entries.iter().enumerate() {
        if (i * 37) % 100 >= percent {
            continue;
        }
        let text = format!(
            "---\ntitel: {}\nkurzbeschreibung: {}\nuebertragbarkeit: {}\n---\n{}",
            yaml_str(&english_of(&entry.title)),
            yaml_str(&english_of(&entry.summary)),
            yaml_str(&english_of(&entry.uebertragbarkeit)),
            english_of(&entry.body)
        );
        let path = content.join(format!("{}/{}.en.md", entry.kind.folder(), entry.slug));
        write_file(&path, &text)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Hugo output
// ---------------------------------------------------------------------------------------------

/// Related-content weights per taxonomy; the broad facets count most, as in casebook.
const RELATED_WEIGHTS: [(&str, usize); 6] = [
    ("handlungsfelder", 100),
    ("themen", 80),
    ("raumtypen", 40),
    ("akteursgruppen", 40),
    ("staedte", 30),
    ("bundeslaender", 20),
];

/// Hugo drops related-content keywords shared by more than this percentage of pages.
///
/// casebook (`resolve::similar_entries`) seeds candidates only from terms used by at most 5 %
/// of the entries, so its work stays near-linear; this is Hugo's knob (v0.111+) for the same
/// pruning. Without it every page shares a Handlungsfeld or Raumtyp with a third of the corpus
/// and Hugo ranks and sorts that whole set per page: 10,000 entries took over eight minutes.
const RELATED_CARDINALITY_THRESHOLD: usize = 5;

/// Only the page kinds casebook also produces: entries, type lists, taxonomy and term pages.
fn hugo_config() -> String {
    let mut toml = format!(
        "baseURL = \"{BASE_URL}\"\n\
         languageCode = \"de\"\n\
         defaultContentLanguage = \"de\"\n\
         title = \"Werkzeugkasten Quartier\"\n\
         disableKinds = [\"RSS\", \"sitemap\", \"robotsTXT\", \"404\"]\n\
         disableHugoGeneratorInject = true\n\
         enableRobotsTXT = false\n\n\
         [markup.goldmark.renderer]\n\
         unsafe = false\n\n\
         [taxonomies]\n"
    );
    for facet in &FACETS {
        toml.push_str(&format!("{} = \"{}\"\n", facet.field, facet.vocabulary));
    }
    toml.push_str("\n[related]\nincludeNewer = true\nthreshold = 20\ntoLower = false\n");
    for (name, weight) in RELATED_WEIGHTS {
        toml.push_str(&format!(
            "\n[[related.indices]]\nname = \"{name}\"\nweight = {weight}\n\
             cardinalityThreshold = {RELATED_CARDINALITY_THRESHOLD}\n"
        ));
    }
    for facet in &FACETS {
        toml.push_str(&format!(
            "\n[[params.facets]]\ntaxonomy = \"{}\"\nlabel = \"{}\"\n",
            facet.vocabulary, facet.label
        ));
    }
    toml
}

/// Outgoing and incoming references per entry, grouped and labelled as casebook shows them.
///
/// Hugo has no cheap way to compute backlinks in templates (scanning every page from every
/// page is quadratic), so the generator does the inverse step casebook does in `resolve`;
/// Hugo still pays for the same `GetPage` lookup per link when rendering.
fn hugo_relations(entries: &[Entry]) -> Vec<Vec<(String, Vec<usize>)>> {
    let mut incoming: Vec<Vec<(Relation, usize)>> = vec![Vec::new(); entries.len()];
    for (source, entry) in entries.iter().enumerate() {
        for &(relation, target) in &entry.references {
            incoming[target].push((relation, source));
        }
    }
    entries
        .iter()
        .zip(&incoming)
        .map(|(entry, inbound)| {
            let mut groups = Vec::new();
            for relation in Relation::ALL {
                let targets = targets_of(&entry.references, relation);
                if !targets.is_empty() {
                    groups.push((relation.label().to_string(), targets));
                }
            }
            for relation in Relation::ALL {
                let sources = targets_of(inbound, relation);
                if !sources.is_empty() {
                    groups.push((relation.inverse_label().to_string(), sources));
                }
            }
            groups
        })
        .collect()
}

fn targets_of(links: &[(Relation, usize)], relation: Relation) -> Vec<usize> {
    links
        .iter()
        .filter(|(r, _)| *r == relation)
        .map(|&(_, index)| index)
        .collect()
}

fn hugo_entry(
    entry: &Entry,
    relations: &[(String, Vec<usize>)],
    entries: &[Entry],
    towns: &[Town],
) -> String {
    let mut doc = format!(
        "---\ntitle: {}\nsummary: {}\n",
        yaml_str(&entry.title),
        yaml_str(&entry.summary)
    );
    for (facet, keys) in FACETS.iter().zip(&entry.facets) {
        doc.push_str(&format!("{}: {}\n", facet.vocabulary, yaml_flow_list(keys)));
    }
    doc.push_str(&facts_yaml(entry, towns));
    if !relations.is_empty() {
        doc.push_str("relations:\n");
        for (label, pages) in relations {
            let paths: Vec<String> = pages.iter().map(|&i| entries[i].hugo_path()).collect();
            doc.push_str(&format!(
                "  - label: {}\n    pages: {}\n",
                yaml_str(label),
                yaml_flow_list(&paths)
            ));
        }
    }
    doc.push_str("---\n");
    doc.push_str(&entry.body);
    doc
}

fn hugo_index_page(title: &str, description: Option<&str>) -> String {
    let mut doc = format!("---\ntitle: {}\n", yaml_str(title));
    if let Some(description) = description {
        doc.push_str(&format!("description: {}\n", yaml_str(description)));
    }
    doc.push_str("---\n");
    doc
}

/// Section, taxonomy and term `_index.md` files, so pages carry the labels casebook shows.
fn write_hugo_index_pages(content: &Path, towns: &[Town]) -> io::Result<()> {
    write_file(
        &content.join("_index.md"),
        &hugo_index_page("Werkzeugkasten Quartier", Some("Ein Beispielkatalog.")),
    )?;
    for kind in EntryType::ALL {
        write_file(
            &content.join(kind.folder()).join("_index.md"),
            &hugo_index_page(kind.plural(), None),
        )?;
    }
    for vocabulary in vocabularies(towns) {
        let root = content.join(vocabulary.name);
        write_file(
            &root.join("_index.md"),
            &hugo_index_page(vocabulary.plural, Some(vocabulary.description)),
        )?;
        for term in &vocabulary.terms {
            write_file(
                &root.join(&term.key).join("_index.md"),
                &hugo_index_page(&term.label, term.description.as_deref()),
            )?;
        }
    }
    Ok(())
}

fn write_hugo(dir: &Path, entries: &[Entry], towns: &[Town]) -> io::Result<()> {
    prepare_dir(dir, &["content", "layouts", "config.toml"])?;
    write_file(&dir.join("config.toml"), &hugo_config())?;
    for (path, text) in HUGO_LAYOUTS {
        write_file(&dir.join("layouts").join(path), text)?;
    }
    let content = dir.join("content");
    write_hugo_index_pages(&content, towns)?;
    let relations = hugo_relations(entries);
    for (entry, groups) in entries.iter().zip(&relations) {
        let path = content.join(entry.content_path());
        write_file(&path, &hugo_entry(entry, groups, entries, towns))?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Files and command line
// ---------------------------------------------------------------------------------------------

/// Adds the path to an I/O error, which otherwise names no file.
fn with_path(error: io::Error, path: &Path) -> io::Error {
    io::Error::new(error.kind(), format!("{}: {error}", path.display()))
}

fn write_file(path: &Path, contents: &str) -> io::Result<()> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(|e| with_path(e, parent))?;
    }
    fs::write(path, contents).map_err(|e| with_path(e, path))
}

/// Clears what an earlier run wrote, but refuses to touch a directory that is not ours.
fn prepare_dir(dir: &Path, owned: &[&str]) -> io::Result<()> {
    let ours = dir.join(MARKER).exists();
    for name in owned {
        let path = dir.join(name);
        if !path.exists() {
            continue;
        }
        if !ours {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!(
                    "{} exists and was not written by gen_corpus; choose an empty directory",
                    path.display()
                ),
            ));
        }
        let removed = if path.is_dir() {
            fs::remove_dir_all(&path)
        } else {
            fs::remove_file(&path)
        };
        removed.map_err(|e| with_path(e, &path))?;
    }
    write_file(&dir.join(MARKER), "generated by examples/gen_corpus.rs\n")
}

/// The parsed command line.
struct Args {
    count: usize,
    dir: PathBuf,
    hugo: Option<PathBuf>,
    /// With `--translated P`: the site is in German and English and P % of the entries have an
    /// English translation beside them (`<slug>.en.md`).
    translated: Option<usize>,
}

fn usage_error(message: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, format!("{message}\n{USAGE}"))
}

fn parse_args(args: impl Iterator<Item = String>) -> io::Result<Args> {
    let mut positional = Vec::new();
    let mut hugo = None;
    let mut translated = None;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--translated" => match args.next().and_then(|p| p.parse().ok()) {
                Some(p) if p <= 100 => translated = Some(p),
                _ => return Err(usage_error("--translated needs a percentage from 0 to 100")),
            },
            "--hugo" => match args.next() {
                Some(dir) => hugo = Some(PathBuf::from(dir)),
                None => return Err(usage_error("--hugo needs a directory")),
            },
            "-h" | "--help" => return Err(usage_error("")),
            _ if arg.starts_with("--") => {
                return Err(usage_error(&format!("unknown option {arg}")))
            }
            _ => positional.push(arg),
        }
    }
    let [count, dir] = <[String; 2]>::try_from(positional)
        .map_err(|_| usage_error("expected exactly <N> and <DIR>"))?;
    let count = count
        .parse()
        .map_err(|_| usage_error(&format!("N must be a whole number, got {count:?}")))?;
    Ok(Args {
        count,
        dir: PathBuf::from(dir),
        hugo,
        translated,
    })
}

fn main() -> io::Result<()> {
    let args = parse_args(env::args().skip(1))?;
    let started = Instant::now();
    let towns = generate_towns();
    let entries = generate_entries(args.count, &towns);
    write_casebook(&args.dir, &entries, &towns)?;
    if let Some(percent) = args.translated {
        write_translations(&args.dir, &entries, percent)?;
    }
    eprintln!(
        "gen_corpus: {} entries, {} towns -> {} ({:.1?})",
        entries.len(),
        towns.len(),
        args.dir.display(),
        started.elapsed()
    );
    if let Some(hugo) = &args.hugo {
        let started = Instant::now();
        write_hugo(hugo, &entries, &towns)?;
        eprintln!(
            "gen_corpus: Hugo site -> {} ({:.1?})",
            hugo.display(),
            started.elapsed()
        );
    }
    Ok(())
}
