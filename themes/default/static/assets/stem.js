// The German Snowball stemmer (the algorithm of Snowball 3.0's german.sbl), so that the browser
// stems a query exactly as the build stemmed the index (src/search/language.rs, through the
// pagefind_stem crate). tests/search_stems.rs and the browser suite's stem test hold both to
// the same list of words and stems. Input: one lower-case word.
//
// Why a port and not a vendored library (#19): the npm packages snowball-stemmers 0.6.0 and
// @orama/stemmers 3.1.18 implement the German algorithm from before Snowball 3.0 and agree with
// the build on 3,829 of the 4,126 words of tests/fixtures/stems-de.tsv. The 297 others are what
// 3.0 changed: ae/oe/ue read as ä/ö/ü (134 words: aehnlichkeitsraeume → ahnlichkeitsraum, old
// aehnlichkeitsraeum), -et endings removed (61: begleitet → begleit), -erin/-erinnen removed
// (43: bewohnerinnen → bewohn), and -ln, -lns and -em after syst (59: entwickeln → entwickel,
// old entwickeln; system → system, old syst). The JavaScript that the Snowball 3.1.1 compiler
// generates from german.sbl agrees on all 4,126 words, but no package registry ships it (it comes
// with Snowball's own libstemmer_js release, BSD-3-Clause); vendoring that file would replace this
// port.

const VOWELS = "aeiouyäöü";
const S_ENDING = "bdfghklmnrt";
const ST_ENDING = "bdfghklmnt";
const ET_ENDING = "Udfgklmnrstzä";

const isIn = (group, c) => c !== undefined && group.includes(c);
const isVowel = (c) => isIn(VOWELS, c);

/** Whether the characters `w` end with `s` at position `at`. */
function endsAt(w, s, at) {
  if (at < s.length) return false;
  for (let i = 0; i < s.length; i++) if (w[at - s.length + i] !== s[i]) return false;
  return true;
}

/** The longest of `list` that `w` ends with, or undefined. */
function longest(w, list) {
  let best;
  for (const s of list) if (endsAt(w, s, w.length) && (!best || s.length > best.length)) best = s;
  return best;
}

export function stemGerman(word) {
  const w0 = [...word];
  // u and y between vowels are consonants.
  for (let i = 0; i + 2 < w0.length; i++) {
    if (isVowel(w0[i]) && (w0[i + 1] === "u" || w0[i + 1] === "y") && isVowel(w0[i + 2])) {
      w0[i + 1] = w0[i + 1].toUpperCase();
    }
  }
  // ß is ss; ae, oe, ue (but not the u of qu) are umlauts.
  const w = [];
  for (let i = 0; i < w0.length; ) {
    const a = w0[i];
    const b = w0[i + 1];
    if (a === "ß") {
      w.push("s", "s");
      i++;
    } else if (a === "q" && b === "u") {
      w.push(a, b);
      i += 2;
    } else if (b === "e" && (a === "a" || a === "o" || a === "u")) {
      w.push({ a: "ä", o: "ö", u: "ü" }[a]);
      i += 2;
    } else {
      w.push(a);
      i++;
    }
  }
  // R1 starts after the first consonant that follows a vowel (but not before the fourth
  // letter); R2 likewise after R1's start.
  let p1 = w.length;
  let p2 = w.length;
  if (w.length >= 3) {
    let i = 0;
    while (i < w.length && !isVowel(w[i])) i++;
    while (++i < w.length && isVowel(w[i]));
    if (i < w.length) {
      p1 = Math.max(i + 1, 3);
      while (++i < w.length && !isVowel(w[i]));
      while (++i < w.length && isVowel(w[i]));
      if (i < w.length) p2 = i + 1;
    }
  }

  let s = longest(w, ["e", "em", "en", "erinnen", "erin", "ln", "ern", "er", "s", "es", "lns"]);
  let at = s ? w.length - s.length : -1;
  if (s && at >= p1) {
    if (s === "em") {
      if (!endsAt(w, "syst", at)) w.length = at;
    } else if (s === "e" || s === "en" || s === "es") {
      w.length = at;
      if (endsAt(w, "niss", w.length)) w.length -= 1;
    } else if (s === "s") {
      if (isIn(S_ENDING, w[at - 1])) w.length = at;
    } else if (s === "ln" || s === "lns") {
      w.length = at;
      w.push("l");
    } else w.length = at;
  }

  s = longest(w, ["en", "er", "et", "st", "est"]);
  at = s ? w.length - s.length : -1;
  if (s && at >= p1) {
    if (s === "st") {
      if (isIn(ST_ENDING, w[at - 1]) && at - 1 >= 3) w.length = at;
    } else if (s === "et") {
      const kept = ["tick", "plan", "geordn", "intern", "tr"].some((k) => endsAt(w, k, at));
      if (isIn(ET_ENDING, w[at - 1]) && !kept) w.length = at;
    } else w.length = at;
  }

  s = longest(w, ["end", "ig", "ung", "lich", "isch", "ik", "heit", "keit"]);
  at = s ? w.length - s.length : -1;
  if (s && at >= p2) {
    if (s === "end" || s === "ung") {
      w.length = at;
      if (endsAt(w, "ig", at) && w[at - 3] !== "e" && at - 2 >= p2) w.length = at - 2;
    } else if (s === "ig" || s === "ik" || s === "isch") {
      if (w[at - 1] !== "e") w.length = at;
    } else if (s === "lich" || s === "heit") {
      w.length = at;
      if ((endsAt(w, "er", at) || endsAt(w, "en", at)) && at - 2 >= p1) w.length = at - 2;
    } else {
      w.length = at;
      const t = longest(w, ["lich", "ig"]);
      if (t && at - t.length >= p2) w.length = at - t.length;
    }
  }

  const back = { Y: "y", U: "u", ä: "a", ö: "o", ü: "u" };
  return w.map((c) => back[c] || c).join("");
}
