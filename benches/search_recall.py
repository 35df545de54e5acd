#!/usr/bin/env python3
"""Whether the built search index finds every entry by every word of its texts.

For every entry of a built site it takes each word of its body and of its text and Markdown
fields (the words `export/katalog.json` holds), as the index reads words (runs of letters and
digits, lower case, German function words and words over `max_word` letters left out), and
looks the word up in the index's shards (`search/terms/*.json`): the entry must be among the
word's documents. It prints the share found overall, for words that first occur beyond the
first 400 characters of the body (what the index cut off at 10,000 entries before every word
was indexed), and for each entry's distinctive words (used by no other entry). Exit code 1
if any word is not found.

    casebook build --output /tmp/site && python3 benches/search_recall.py /tmp/site
"""
import glob
import json
import os
import re
import sys

WORD = re.compile(r"[^\W_]+")


def postings(site):
    """Word -> set of documents, from every shard (compound parts, `~…`, left out)."""
    found = {}
    for path in glob.glob(os.path.join(site, "search", "terms", "*.json")):
        with open(path, encoding="utf-8") as f:
            shard = json.load(f)
        for word, values in shard.items():
            if word.startswith("~"):
                continue
            docs, doc = set(), 0
            for delta in values[0::2]:
                doc += delta
                docs.add(doc)
            found[word] = docs
    return found


def texts_of(entry):
    """The entry's body, then its other prose fields (title, summary, "Übertragbarkeit"): the
    string values with a space, Markdown link targets and web addresses taken out."""
    fields = entry.get("fields") or {}
    rest = []
    for value in fields.values():
        if isinstance(value, str) and " " in value.strip():
            value = re.sub(r"\]\([^)]*\)", "]", value)
            rest.append(re.sub(r"(https?://|www\.)\S+", " ", value))
    return entry.get("text") or "", rest


def main(site):
    with open(os.path.join(site, "search", "index.json"), encoding="utf-8") as f:
        meta = json.load(f)
    if meta.get("version") != 2:
        sys.exit(f"search/index.json is version {meta.get('version')}; this script reads version 2")
    skip = set(meta.get("stop") or [])
    max_word = meta["max_word"]
    with open(os.path.join(site, "katalog", "index.json"), encoding="utf-8") as f:
        browser = json.load(f)
    position = {browser["types"][e[2]]["key"] + "/" + e[0]: p for p, e in enumerate(browser["entries"])}
    with open(os.path.join(site, "export", "katalog.json"), encoding="utf-8") as f:
        entries = json.load(f)["entries"]
    index = postings(site)

    def words(text):
        return [w.lower() for w in WORD.findall(text)]

    per_entry = []
    used_by = {}
    for e in entries:
        body, rest = texts_of(e)
        ws = set(w for t in [body, *rest] for w in words(t))
        ws = {w for w in ws if w not in skip and len(w) <= max_word}
        deep = set(words(body[400:])) - set(words(body[:400]))
        per_entry.append((position[e["id"]], ws, deep & ws))
        for w in ws:
            used_by[w] = used_by.get(w, 0) + 1

    total = found = deep_total = deep_found = dist_total = dist_found = 0
    missing = []
    for doc, ws, deep in per_entry:
        for w in ws:
            ok = doc in index.get(w, ())
            total += 1
            found += ok
            if w in deep:
                deep_total += 1
                deep_found += ok
            if len(w) >= 4 and used_by[w] == 1:
                dist_total += 1
                dist_found += ok
            if not ok and len(missing) < 10:
                missing.append(f"{w} (document {doc})")
    share = lambda a, b: f"{a / b:.2%}" if b else "n/a"
    print(f"{len(entries)} entries, {len(index)} indexed words")
    print(f"every word of every text: {share(found, total)} of {total} found")
    print(f"words first beyond the body's first 400 characters: {share(deep_found, deep_total)} of {deep_total}")
    print(f"distinctive words (4+ letters, one entry only): {share(dist_found, dist_total)} of {dist_total}")
    if missing:
        print("not found: " + ", ".join(missing))
        sys.exit(1)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "output")
