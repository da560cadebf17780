"""A demo crawl over a corpus that holds an article at two URLs and a syndicated copy at
another outlet: the first is stored once, the copy is stored and linked by story_id."""

from __future__ import annotations

import json

from crawler.replica.corpus import default_corpus_path

BASE = [json.loads(line) for line in default_corpus_path().read_text("utf-8").splitlines()
        if line.strip() and json.loads(line)["outlet"] == "almaghribtoday"]


def test_two_urls_stored_once_and_syndicated_copy_linked(cli, mongo_db, tmp_path):
    security = [r for r in BASE if r["section"] == "security"]
    original = {**security[3], "duplicate_paths": ["/314/101010-نسخة-مكررة-من-الخبر"]}
    copy = {**security[3], "outlet": "casablancatoday",
            "dateline": "الدار البيضاء - كازابلانكا اليوم"}
    copy["published"] = copy["published"].replace(":00Z", ":40Z")
    others = [r for r in BASE if r is not security[3]][:12]
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("\n".join(json.dumps(r, ensure_ascii=False)
                                for r in [original, copy, *others]) + "\n", encoding="utf-8")

    demo = cli("demo", "--corpus", str(corpus))
    assert demo.code == 0, demo.err + demo.out

    stored = list(mongo_db.articles.find({"title": original["title"]}))
    by_outlet = {doc["outlet"]: doc for doc in stored}
    assert sorted(by_outlet) == ["almaghribtoday", "casablancatoday"]  # once per outlet
    first, second = by_outlet["almaghribtoday"], by_outlet["casablancatoday"]
    addresses = [first["url"], *first["alternate_urls"]]
    assert any("/314/101010-" in a or "%D9%86%D8%B3%D8%AE%D8%A9" in a for a in addresses)
    assert second["story_id"] == first["story_id"]
    assert second["duplicate_of"] == first["canonical_url"]
    assert mongo_db.articles.count_documents({}) == 2 + len(others)

    unique = cli("query", "--unique-stories", "--limit", "0", "--format", "jsonl",
                 "--fields", "title")
    titles = [json.loads(line)["title"] for line in unique.out.splitlines()]
    assert titles.count(original["title"]) == 1 and len(titles) == 1 + len(others)
