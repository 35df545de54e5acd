#!/usr/bin/env python3
"""How much of each entry's body a search index limited to the first N characters still finds.

For every entry, its distinctive words are the words of four or more letters in its text that
no other entry uses: what a reader would type to find exactly that case. For each N the script
prints the share of those words that lie within the first N characters of the body.

    python3 benches/search_recall.py output/export/katalog.json
"""
import json
import re
import sys
from collections import Counter


def words(text):
    return {w.lower() for w in re.findall(r"\w{4,}", text)}


def main(path):
    with open(path, encoding="utf-8") as f:
        entries = json.load(f)["entries"]
    texts = [e.get("text") or "" for e in entries]
    used_by = Counter(w for t in texts for w in words(t))
    lengths = sorted(len(t) for t in texts)
    print(f"{len(texts)} entries, body text median {lengths[len(lengths) // 2]} characters, "
          f"longest {lengths[-1]}")
    for limit in [400, 800, 1500, 3000, None]:
        found = total = 0
        for t in texts:
            distinctive = {w for w in words(t) if used_by[w] == 1}
            total += len(distinctive)
            found += len(distinctive & words(t if limit is None else t[:limit]))
        label = "all" if limit is None else f"first {limit}"
        print(f"{label:>10} characters: {found / max(total, 1):.0%} of {total} distinctive words")


if __name__ == "__main__":
    main(sys.argv[1])
