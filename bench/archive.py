"""A synthetic news archive of any size, for benchmarks (queries, the web dashboard).

Articles go through the store's own write path (`crawler.store.apply_writes`: batched
`insert_many`), not through crawls, so 100,000 of them take minutes instead of hours. They look
like a year of what the outlets publish: each outlet's own sections and language, titles and
paragraphs drawn from the bundled replica corpus and varied (numbers, words, paragraph mixes),
more articles by day than by night, stories told by two to five outlets within two days (some
verbatim copies, with `duplicate_of`), a few alternate URLs and revisions.

`search_text`, `topics` and `content_hash` are what the pipelines store for the same text: they
are built from the words of each title and paragraph by the same functions (`crawler.text`,
`crawler.topics`, `pipelines.normalize`), computed once per paragraph variant rather than once
per article (tests/test_archive.py checks they equal the pipelines' values). `minhash` is the
element-wise minimum of the paragraphs' signatures (the signature of the union of their
shingles); LSH postings are written only with `--postings` (queries never read them).

Build once, reuse (a second run finds the archive and returns at once):

    python bench/archive.py --articles 100000 --home /tmp/newscrawl-archive-100000

then `NEWSCRAWL_HOME=/tmp/newscrawl-archive-100000 newscrawl query ...` reads it. From code:
`open_archive(home, articles)` builds or reuses it and returns a Store on it.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
import sys
import tempfile
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crawler.database import MongoTarget  # noqa: E402
from crawler.embedded import DATABASE, EmbeddedServer  # noqa: E402
from crawler.items import Article  # noqa: E402
from crawler.outlet import Outlet  # noqa: E402
from crawler.replica.corpus import CorpusArticle, default_corpus_path, load_corpus  # noqa: E402
from crawler.similarity import new_story_id, shingles, signature  # noqa: E402
from crawler.store import ArticleWrite, Store, apply_writes  # noqa: E402
from crawler.text import light_stem, tokens  # noqa: E402
from crawler.topics import Keyword, Stems, load_rules, topics_of  # noqa: E402
from pipelines.normalize import content_hash  # noqa: E402

VERSION = 1  # bump when the generated documents change: an older archive is then rebuilt
META = "bench_archive"  # collection holding one document that describes the built archive
DAYS = 365
BATCH = 500
VARIANTS = 6  # variants per corpus paragraph
STORY_JOIN = 0.3  # share of articles that join a story another outlet told in the last 2 days
COPY_SHARE = 0.3  # share of those that are verbatim copies (`duplicate_of`)
STORY_WINDOW = timedelta(days=2)
MAX_STORY = 5
# Relative volume of each outlet (others: 5); a news site publishes 20-200 articles a day.
OUTLET_WEIGHTS = {
    "hespress": 14, "le360": 10, "alyaoum24": 10, "hibapress": 9, "barlamane": 8,
    "akhbarona": 8, "almaghribtoday": 7, "arabstoday": 7, "moroccoworldnews": 3,
}
# Articles per hour of the day (UTC), relative: little at night, most in the morning.
HOURLY = [1, 1, 1, 1, 2, 3, 5, 7, 8, 8, 8, 7, 7, 7, 6, 6, 6, 5, 5, 4, 4, 3, 2, 1]
CITIES = ["الرباط", "الدار البيضاء", "طنجة", "مراكش", "فاس", "أكادير", "وجدة", "الجزائر",
          "طرابلس", "الرياض", "دبي", "القاهرة"]
AUTHORS = ["هيئة التحرير", "سعيد بنعلي", "نادية العلوي", "يوسف الإدريسي", "مريم الصقلي",
           "كريم المنصوري", "فاطمة الزهراء", "عبد الله الحسني"]
_NUMBER = re.compile(r"\d+")
DOCUMENT_FIELDS = list(Article().to_document())  # Article.to_document() without its deep copy


@dataclass(frozen=True)
class Unit:
    """A title or paragraph with what the pipelines derive from its words."""

    text: str
    terms: tuple[str, ...]  # each token followed by its stem (search_text, before dedupe)
    stems: tuple[str, ...]  # stems in order (topic rules)
    topics: frozenset[str]
    signature: tuple[int, ...] = ()  # MinHash of its shingles (paragraphs only)

    @classmethod
    def of(cls, text: str, rules: dict[str, list[Keyword]], *, sign: bool = False) -> Unit:
        words = tokens(text)
        return cls(text, tuple(w for t in words for w in (t, light_stem(t))),
                   tuple(light_stem(t) for t in words), frozenset(topics_of(text, rules)),
                   tuple(signature(shingles(text))) if sign else ())


@dataclass
class Story:
    story_id: str
    first_url: str
    template: int  # index of the corpus article it retells
    paragraph_keys: list[tuple[int, int]]  # (corpus article, paragraph) of each paragraph
    published: datetime
    outlets: set[str]
    language: str
    copy_of: dict[str, Any] = field(default_factory=dict)  # the first article's text fields


class ArchiveGenerator:
    """Deterministic article documents for a seed, oldest first."""

    def __init__(self, outlets: list[Outlet], *, seed: int = 20261201,
                 corpus: list[CorpusArticle] | None = None, signatures: bool = True):
        self.rng = random.Random(seed)
        self.signatures = signatures  # False: no `minhash` (faster, for tests)
        self.rules = load_rules()
        self.outlets = outlets
        self.corpus = corpus or load_corpus(default_corpus_path())
        language = {o.key: o.language for o in outlets}
        self.language_of = [language.get(a.outlet, "ar") for a in self.corpus]
        self.vocabulary = {
            lang: [w for a, la in zip(self.corpus, self.language_of, strict=True) if la == lang
                   for w in a.body.split() if len(w) > 3 and not _NUMBER.search(w)]
            for lang in set(self.language_of)
        }
        self._variants: dict[tuple[int, int], list[Unit]] = {}
        self._weights = [OUTLET_WEIGHTS.get(o.key, 5) for o in outlets]
        # only rules of several words can match across the join of two paragraphs
        self._phrases = {name: [k for k in keywords if len(k.words) > 1]
                         for name, keywords in self.rules.items()}
        self._max_keyword = max(len(k.words) for kws in self.rules.values() for k in kws)
        self._spanning: dict[tuple[str, ...], frozenset[str]] = {}  # topics of a join's words

    # --- text ---

    def _vary(self, text: str, lang: str, swap: float) -> str:
        """Other numbers, and a share of words swapped for words of the same language."""
        text = _NUMBER.sub(lambda m: str(self.rng.randint(2, 10 ** len(m[0]) + 8)), text)
        words = self.vocabulary[lang]
        return " ".join(self.rng.choice(words) if self.rng.random() < swap else w
                        for w in text.split(" "))

    def paragraph(self, key: tuple[int, int]) -> Unit:
        """One of VARIANTS variants of a corpus paragraph (the first is the original)."""
        variants = self._variants.setdefault(key, [])
        choice = self.rng.randrange(VARIANTS)
        while len(variants) <= choice:
            article, index = key
            text = self.corpus[article].paragraphs[index]
            if variants:
                text = self._vary(text, self.language_of[article], 0.1)
            variants.append(Unit.of(text, self.rules, sign=self.signatures))
        return variants[choice]

    def _paragraph_keys(self, template: int, section_pool: list[int]) -> list[tuple[int, int]]:
        keys = [(template, i) for i in range(len(self.corpus[template].paragraphs))]
        for _ in range(self.rng.randint(1, 7)):
            other = self.rng.choice(section_pool)
            keys.append((other, self.rng.randrange(len(self.corpus[other].paragraphs))))
        return keys

    def _topics(self, units: list[Unit]) -> list[str]:
        """topics_of() of the joined text: each unit's topics plus rules that span a join."""
        found = set().union(*(u.topics for u in units))
        reach = self._max_keyword - 1
        for left, right in zip(units, units[1:], strict=False):
            if reach and left.stems and right.stems:
                window = (*left.stems[-reach:], *right.stems[:reach])
                if window not in self._spanning:
                    stems = Stems(window)
                    self._spanning[window] = frozenset(
                        name for name, phrases in self._phrases.items()
                        if any(k.matches(stems) for k in phrases))
                found |= self._spanning[window]
        return [name for name in self.rules if name in found]

    # --- articles ---

    def _instants(self, count: int, end: datetime) -> list[datetime]:
        start = end - timedelta(days=DAYS)
        hours = self.rng.choices(range(24), weights=HOURLY, k=count)
        instants = [
            (start + timedelta(days=self.rng.randrange(DAYS), hours=h,
                               seconds=self.rng.randrange(3600))).replace(
                microsecond=self.rng.randrange(1000) * 1000)
            for h in hours
        ]
        return sorted(min(i, end) for i in instants)

    def _pools(self, outlet: Outlet, section: str) -> list[int]:
        same_language = [i for i, la in enumerate(self.language_of) if la == outlet.language]
        if not same_language:
            same_language = list(range(len(self.corpus)))
        same_section = [i for i in same_language if self.corpus[i].section == section]
        return same_section if len(same_section) >= 3 else same_language

    def documents(self, count: int, end: datetime) -> Iterator[dict[str, Any]]:
        live: deque[Story] = deque()
        for n, published in enumerate(self._instants(count, end)):
            outlet = self.rng.choices(self.outlets, weights=self._weights)[0]
            sections = list(outlet.sections)
            section_weights = [4 if s == "security" else 6 if s == "latest" else 3
                               for s in sections]
            section = self.rng.choices(sections, weights=section_weights)[0]
            while live and published - live[0].published > STORY_WINDOW:
                live.popleft()
            open_stories = [s for s in live if outlet.key not in s.outlets
                            and s.language == outlet.language and len(s.outlets) < MAX_STORY]
            story = (self.rng.choice(open_stories)
                     if open_stories and self.rng.random() < STORY_JOIN else None)
            yield self._document(n, outlet, section, published, story, live)

    def _document(self, n: int, outlet: Outlet, section: str, published: datetime,
                  story: Story | None, live: deque[Story]) -> dict[str, Any]:
        rng = self.rng
        slug = hashlib.blake2b(f"{outlet.key}{n}".encode(), digest_size=6).hexdigest()
        url = f"{outlet.base_url}/{section}/{slug}-{n}.html"
        canonical = url.replace("://www.", "://")
        duplicate_of = ""
        if story is not None and story.copy_of and rng.random() < COPY_SHARE:
            text = story.copy_of
            duplicate_of = story.first_url
        else:
            if story is None:
                pool = self._pools(outlet, section)
                template = rng.choice(pool)
                keys = self._paragraph_keys(template, pool)
            else:
                template, keys = story.template, story.paragraph_keys
            lang = self.language_of[template]
            title = Unit.of(self._vary(self.corpus[template].title, lang, 0.15), self.rules)
            paragraphs = [self.paragraph(key) for key in keys]
            summary = paragraphs[0]
            units = [title, summary, *paragraphs]
            text = {
                "title": title.text, "summary": summary.text,
                "body": "\n\n".join(p.text for p in paragraphs),
                "search_text": " ".join(dict.fromkeys(t for u in units for t in u.terms)),
                "topics": self._topics(units),
                "minhash": [min(column) for column in zip(*(p.signature for p in paragraphs),
                                                         strict=True)] if self.signatures else [],
            }
        if story is None:
            story = Story(new_story_id(canonical), canonical, template, keys, published, set(),
                          outlet.language, text)
            live.append(story)
        story.outlets.add(outlet.key)
        crawled = published + timedelta(minutes=rng.randint(2, 240))
        article = Article(
            url=url, canonical_url=canonical, outlet=outlet.key, section=section,
            language=outlet.language, title=text["title"], body=text["body"],
            summary=text["summary"], authors=[rng.choice(AUTHORS)],
            dateline=rng.choice(CITIES) if outlet.language == "ar" else "",
            tags=rng.sample(text["title"].split(), k=min(3, len(text["title"].split()))),
            topics=text["topics"], image_urls=[f"{outlet.base_url}/images/{slug}.jpg"],
            published_at=published, published_at_raw=published.isoformat(),
            date_source=rng.choices(["jsonld", "meta", "selector", "feed"], [12, 5, 2, 1])[0],
            crawled_at=crawled, content_hash=content_hash(text["body"]),
            story_id=story.story_id, duplicate_of=duplicate_of,
            run_id=hashlib.blake2b(f"{outlet.key}{crawled:%Y%m%d%H}".encode(),
                                   digest_size=6).hexdigest(),
            search_text=text["search_text"], minhash=text["minhash"],
        )
        if rng.random() < 0.03:
            article.alternate_urls = [f"{canonical}?amp=1"]
        if rng.random() < 0.02:  # revised once: the stored previous version, like dedupe's
            article.updated_at = crawled + timedelta(hours=rng.randint(1, 48))
            article.revisions = [{"title": text["title"] + " (تحديث)", "body": text["body"],
                                  "summary": text["summary"],
                                  "content_hash": content_hash(text["body"]),
                                  "published_at": published, "updated_at": None,
                                  "crawled_at": crawled}]
        return {name: getattr(article, name) for name in DOCUMENT_FIELDS}


# --- building and reusing ---

def builtin_outlets() -> list[Outlet]:
    from crawler.run import spider_class, spider_names

    return [spider_class(name).outlet for name in spider_names()]


def describe(store: Store) -> dict[str, Any] | None:
    """What the archive in this database holds (None when none was completely built)."""
    return store.db[META].find_one({"_id": "archive"})


def build(store: Store, articles: int, *, seed: int = 20261201, end: datetime | None = None,
          postings: bool = False, progress: bool = True) -> dict[str, Any]:
    """Drop the database's articles and write a fresh archive of `articles` through the
    store's write path; one batch is generated while the previous one is written."""
    from crawler.similarity import shingles, signature, time_bucket

    end = (end or datetime.now(UTC)).replace(microsecond=0)
    for name in ("articles", "story_bands", META):
        store.db.drop_collection(name)
    store.ensure_indexes()
    generator = ArchiveGenerator(builtin_outlets(), seed=seed)
    started = time.perf_counter()
    written = 0
    with ThreadPoolExecutor(1) as writer:
        pending = None
        batch: list[ArticleWrite] = []
        for doc in generator.documents(articles, end):
            batch.append(ArticleWrite("insert", doc, story_bucket=time_bucket(
                doc["published_at"]), signature=signature(shingles(doc["body"]))) if postings else
                ArticleWrite("insert", doc))
            if len(batch) == BATCH:
                if pending:
                    written += pending.result().stored
                pending, batch = writer.submit(apply_writes, store, batch), []
                if progress:
                    rate = written / max(time.perf_counter() - started, 1e-9)
                    print(f"\r{written:>8} / {articles} articles ({rate:.0f}/s)", end="",
                          file=sys.stderr, flush=True)
        if pending:
            written += pending.result().stored
        if batch:
            written += apply_writes(store, batch).stored
    if progress:
        print(file=sys.stderr)
    info = {"_id": "archive", "version": VERSION, "articles": written, "seed": seed,
            "end": end, "postings": postings,
            "build_seconds": round(time.perf_counter() - started, 1)}
    store.db[META].insert_one(info)
    return info


def embedded_store(home: Path, timeout_ms: int = 120000) -> tuple[Store, EmbeddedServer]:
    """A Store on the embedded server of `home` (started if needed), database `newscrawl`."""
    server = EmbeddedServer(home)
    uri = server.ensure_running()
    return Store(MongoTarget(uri, DATABASE, embedded=True), timeout_ms=timeout_ms), server


def open_archive(store: Store, articles: int, *, seed: int = 20261201,
                 postings: bool = False) -> dict[str, Any]:
    """The archive's description, built first unless this database already holds it."""
    info = describe(store)
    if info and (info["version"], info["articles"], info["seed"]) == (VERSION, articles, seed):
        return info
    return build(store, articles, seed=seed, postings=postings)


def default_home(articles: int) -> Path:
    return Path(tempfile.gettempdir()) / f"newscrawl-archive-{articles}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--home", type=Path, help="NEWSCRAWL_HOME of the embedded server "
                        "(default: $TMPDIR/newscrawl-archive-ARTICLES)")
    parser.add_argument("--uri", help="build on this MongoDB instead (its database is used)")
    parser.add_argument("--seed", type=int, default=20261201)
    parser.add_argument("--postings", action="store_true", help="also write LSH postings")
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    server = None
    if args.uri:
        store = Store(MongoTarget(args.uri, "newscrawl_archive", embedded=False))
    else:
        store, server = embedded_store(args.home or default_home(args.articles))
    try:
        if args.rebuild:
            info = build(store, args.articles, seed=args.seed, postings=args.postings)
        else:
            info = open_archive(store, args.articles, seed=args.seed, postings=args.postings)
        size = f", {server.data_size() / 1e6:.0f} MB on disk" if server else ""
        print(f"{info['articles']} articles up to {info['end']:%Y-%m-%d %H:%M}Z, built in "
              f"{info['build_seconds']:.0f} s{size}")
    finally:
        store.close()
        if server:
            server.stop()


if __name__ == "__main__":
    main()
