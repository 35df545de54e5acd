// The English Snowball stemmer (the algorithm of Snowball 3.0's english.sbl, "Porter2"), so
// that the browser stems a query exactly as the build stemmed the index of an English site
// (src/search/language.rs, through the pagefind_stem crate). tests/search_stems.rs and the
// browser suite's stem test hold both to tests/fixtures/stems-en.tsv. Input: one lower-case
// word. find.js loads this file only for an index whose stemmer is "english".

const V = "aeiouy";
const V_WXY = "aeiouywxY";
const AEO = "aeo";
const VALID_LI = "cdeghkmnrt";

const isV = (c) => c !== undefined && V.includes(c);

/** Whole words with a stem of their own, or none ("" keeps the word). */
const EXCEPTIONS = {
  skis: "ski", skies: "sky", idly: "idl", gently: "gentl", ugly: "ugli", early: "earli",
  only: "onli", singly: "singl", sky: "", news: "", howe: "", atlas: "", cosmos: "", bias: "",
  andes: "",
};

/** Words whose R1 starts after these beginnings. */
const R1_PREFIXES = ["gener", "commun", "arsen", "past", "univers", "later", "emerg", "organ", "inter"];

const STEP2 = [
  ["ization", "ize"], ["ational", "ate"], ["fulness", "ful"], ["ousness", "ous"],
  ["iveness", "ive"], ["tional", "tion"], ["biliti", "ble"], ["lessli", "less"], ["entli", "ent"],
  ["ation", "ate"], ["alism", "al"], ["aliti", "al"], ["ousli", "ous"], ["iviti", "ive"],
  ["fulli", "ful"], ["enci", "ence"], ["anci", "ance"], ["abli", "able"], ["izer", "ize"],
  ["ator", "ate"], ["alli", "al"], ["ogist", "og"], ["bli", "ble"], ["ogi", null], ["li", null],
];

const STEP3 = [
  ["ational", "ate"], ["tional", "tion"], ["alize", "al"], ["icate", "ic"], ["iciti", "ic"],
  ["ative", null], ["ical", "ic"], ["ness", ""], ["ful", ""],
];

const STEP4 = [
  "ement", "ment", "ance", "ence", "able", "ible", "ant", "ent", "ism", "ate", "iti", "ous",
  "ive", "ize", "ion", "al", "er", "ic",
];

export function stemEnglish(word) {
  if (Object.hasOwn(EXCEPTIONS, word)) return EXCEPTIONS[word] || word;
  let w = [...word];
  if (w.length < 3) return word;
  const ends = (s, at = w.length) => {
    if (at < s.length) return false;
    for (let i = 0; i < s.length; i++) if (w[at - s.length + i] !== s[i]) return false;
    return true;
  };
  /** The longest of `list` (strings, or pairs whose first item is the suffix) `w` ends with. */
  const longest = (list) => {
    let best;
    for (const item of list) {
      const s = typeof item === "string" ? item : item[0];
      if (ends(s) && (!best || s.length > (typeof best === "string" ? best : best[0]).length)) best = item;
    }
    return best;
  };
  const replace = (length, by) => {
    w = w.slice(0, w.length - length).concat([...by]);
  };

  // Prelude: a leading apostrophe goes; y at the start or after a vowel is a consonant (Y).
  if (w[0] === "'") w.shift();
  let yFound = false;
  if (w[0] === "y") {
    w[0] = "Y";
    yFound = true;
  }
  for (let i = 0; i + 1 < w.length; i++) {
    if (isV(w[i]) && w[i + 1] === "y") {
      w[i + 1] = "Y";
      yFound = true;
    }
  }

  // Regions: R1 after the first non-vowel following a vowel (or after a listed beginning), R2
  // the same within R1.
  const afterVowelRun = (from) => {
    let i = from;
    while (i < w.length && !isV(w[i])) i++;
    if (i >= w.length) return w.length;
    i++;
    while (i < w.length && isV(w[i])) i++;
    return i >= w.length ? w.length : i + 1;
  };
  let p1 = w.length;
  let p2 = w.length;
  const prefix = R1_PREFIXES.find((p) => p.length <= w.length && w.slice(0, p.length).join("") === p);
  const hasRegion = (from) => {
    // gopast v gopast non-v: a vowel, then a non-vowel after it.
    let i = from;
    while (i < w.length && !isV(w[i])) i++;
    if (i >= w.length) return false;
    i++;
    while (i < w.length && isV(w[i])) i++;
    return i < w.length;
  };
  if (prefix) {
    p1 = prefix.length;
  } else if (hasRegion(0)) {
    p1 = afterVowelRun(0);
  }
  if (p1 < w.length && hasRegion(p1)) p2 = afterVowelRun(p1);
  const R1 = (at) => p1 <= at;
  const R2 = (at) => p2 <= at;

  /** Whether the word up to `at` ends in a short syllable. */
  const shortV = (at) => {
    const c = (i) => w[i];
    if (at >= 3 && !V_WXY.includes(c(at - 1)) && isV(c(at - 2)) && !isV(c(at - 3))) return true;
    if (at === 2 && !isV(c(1)) && isV(c(0))) return true;
    return ends("past", at);
  };

  // Step 1a: plural and possessive endings.
  const apostrophe = longest(["'", "'s", "'s'"]);
  if (apostrophe) replace(apostrophe.length, "");
  const s1a = longest(["sses", "ied", "ies", "s", "ss", "us"]);
  if (s1a === "sses") replace(4, "ss");
  else if (s1a === "ied" || s1a === "ies") replace(3, w.length - 3 >= 2 ? "i" : "ie");
  else if (s1a === "s") {
    // Only where a vowel stands before the letter before the s.
    const stem = w.length - 1;
    for (let i = stem - 2; i >= 0; i--) {
      if (isV(w[i])) {
        replace(1, "");
        break;
      }
    }
  }

  // Step 1b: -eed, -ed, -ing.
  const s1b = longest(["eed", "eedly", "ed", "edly", "ing", "ingly"]);
  let undo = false; // whether -ed/-ing is removed
  if (s1b === "eed" || s1b === "eedly") {
    const at = w.length - s1b.length;
    if (R1(at)) {
      const whole = ["succ", "proc", "exc"].some((p) => p.length === at && ends(p, at));
      if (!whole) replace(s1b.length, "ee");
    }
  } else if (s1b === "ing") {
    const at = w.length - 3;
    const before = w.slice(0, at).join("");
    if (before.endsWith("y") && at === 2 && !isV(w[0])) {
      replace(4, "ie");
    } else if (["even", "cann", "inn", "earr", "herr", "out"].includes(before)) {
      // inning, outing, canning, herring, earring, evening stay.
    } else {
      undo = true;
    }
  } else if (s1b) {
    undo = true;
  }
  if (undo) {
    const at = w.length - s1b.length;
    if (vowelAt0(w, at)) {
      replace(s1b.length, "");
      const end = longest(["bb", "dd", "ff", "gg", "mm", "nn", "pp", "rr", "tt", "at", "bl", "iz"]);
      if (end === "at" || end === "bl" || end === "iz") {
        w.push("e");
      } else if (end) {
        const solo = w.length === 3 && AEO.includes(w[0]);
        if (!solo) w.pop();
      } else if (p1 === w.length && shortV(w.length)) {
        w.push("e");
      }
    }
  }

  // Step 1c: y after a consonant (not at the start) becomes i.
  const last = w.length - 1;
  if ((w[last] === "y" || w[last] === "Y") && last >= 2 && !isV(w[last - 1])) w[last] = "i";

  // Step 2.
  const s2 = longest(STEP2);
  if (s2 && R1(w.length - s2[0].length)) {
    const at = w.length - s2[0].length;
    if (s2[0] === "ogi") {
      if (w[at - 1] === "l") replace(3, "og");
    } else if (s2[0] === "li") {
      if (VALID_LI.includes(w[at - 1] ?? "-")) replace(2, "");
    } else {
      replace(s2[0].length, s2[1]);
    }
  }

  // Step 3.
  const s3 = longest(STEP3);
  if (s3 && R1(w.length - s3[0].length)) {
    if (s3[1] === null) {
      if (R2(w.length - s3[0].length)) replace(s3[0].length, "");
    } else {
      replace(s3[0].length, s3[1]);
    }
  }

  // Step 4.
  const s4 = longest(STEP4);
  if (s4 && R2(w.length - s4.length)) {
    const at = w.length - s4.length;
    if (s4 !== "ion" || w[at - 1] === "s" || w[at - 1] === "t") replace(s4.length, "");
  }

  // Step 5.
  const e = w.length - 1;
  if (w[e] === "e") {
    if (R2(e) || (R1(e) && !shortV(e))) w.pop();
  } else if (w[e] === "l" && R2(e) && w[e - 1] === "l") {
    w.pop();
  }

  let out = w.join("");
  if (yFound) out = out.replaceAll("Y", "y");
  return out;
}

/** Whether a vowel stands before position `at`. */
function vowelAt0(w, at) {
  for (let i = 0; i < at; i++) if (isV(w[i])) return true;
  return false;
}
