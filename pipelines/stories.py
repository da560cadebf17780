"""Stories (dedupe tier c): articles of one story across outlets share `story_id`.

Each new article is compared with the articles that share an LSH band key or an anchor (one
of its most specific figures and places) with it or whose signatures agree on enough values
(crawler.similarity): this crawl's own and
the stored ones of the same days. The crawl holds those postings in memory (BandIndex): the
first article of a time bucket loads the bucket's stored signatures and anchors with one
query, and every article processed is added, so a lookup costs no database round trip.
Candidates are verified on their text, figures, places, topics and times
(crawler.story_evidence; read from memory for this crawl's articles, in one batched read for
the stored ones that could be the same story judging by the summaries held in memory);
copies also get `duplicate_of` (the first copy published). Topics are tagged before this
stage: they are evidence. Cross-outlet copies stay stored: each outlet's article is a fact.

A story is one set: an article that matches articles of several stories joins them all, under
the smallest of their ids, wherever and in whatever order the joins are found (every merge is
recorded in `story_merges`, then applied to the stored articles).

The crawls of one run in one process (`newscrawl crawl` of several outlets, the demo) share
that memory (StoryMemory): a bucket is loaded once for all of them, and each article is
compared, as it is processed, with those the other crawls processed before it, stored or not.

Crawls of several outlets also run in other processes at the same time, so a report may be
stored by another crawl after this one loaded its bucket, and a story this crawl holds in
memory may be merged by another. When the crawl closes: what other runs filed in the buckets
of its articles since they were loaded is read (one query per bucket; signatures carry their
run and time) and its articles are compared with it; then the merges recorded since it started
are read (one query) and every story it labelled articles with gets the id of the set it ended
in. Whichever crawl closes
last sees every merge of the crawls that ran with it, so their articles end in one story.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from scrapy import signals

from crawler.items import Article
from crawler.similarity import (
    BandIndex,
    Fingerprint,
    lookup_buckets,
    matches,
    new_story_id,
    published_of,
    time_bucket,
)
from pipelines.base import Stage

logger = logging.getLogger(__name__)

# Merges read back when a crawl closes: those since it started, and a margin for a merge
# recorded just before its articles were updated (see Store.merge_stories); signatures read
# back: those filed since their bucket was loaded, with the same margin for a machine whose
# clock is behind.
SETTLE_MARGIN = timedelta(minutes=10)

CANDIDATE_PROJECTION = {"_id": 0, "story_id": 1, "duplicate_of": 1,
                        **dict.fromkeys(Fingerprint.FIELDS, 1)}


@dataclass
class Candidate:
    """An article that may tell the same story, with its story as known now."""

    fingerprint: Fingerprint
    story_id: str
    duplicate_of: str


@dataclass
class RunArticle:
    """What the crawl keeps of each article it processed: its fingerprint without shingles
    (cut again when it is a candidate: keeping them took 240 KB an article), its story."""

    fingerprint: Fingerprint
    story_id: str
    duplicate_of: str


def first_published(a: Fingerprint, b: Fingerprint) -> bool:
    """Whether copy `a` is the original of copy `b`: published first, or at the same instant
    the first canonical URL (so that every crawl decides it the same way)."""
    return (a.published, a.canonical_url) <= (b.published, b.canonical_url)


class StoryMemory:
    """What the stories stage holds in memory, shared by the crawls of one run in a process:
    the band index (the stored signatures of the buckets loaded, and every article processed)
    and the articles processed, with their stories as known now."""

    def __init__(self) -> None:
        self.index = BandIndex()
        self.loaded_at: dict[int, datetime] = {}  # bucket -> when its stored signatures were read
        self.loading: dict[int, asyncio.Future] = {}  # bucket -> its load under way
        self.articles: dict[str, RunArticle] = {}
        # One article at a time, whichever crawl it is from: two copies in flight together
        # must see each other; a crawl's close holds it too (it reads and relabels memory).
        self.lock = asyncio.Lock()
        self.crawls = 0  # crawls using it: forgotten when the last one closes


_run_memories: dict[str, StoryMemory] = {}  # NEWSCRAWL_RUN_ID -> the memory of its crawls


def run_memory(run_id: str) -> StoryMemory:
    """The memory the crawls of run `run_id` share in this process (a new one for no id)."""
    memory = _run_memories.setdefault(run_id, StoryMemory()) if run_id else StoryMemory()
    memory.crawls += 1
    return memory


def release_memory(run_id: str, memory: StoryMemory) -> None:
    """A crawl of the run is done with it (its engine stopped)."""
    memory.crawls -= 1
    if memory.crawls <= 0 and _run_memories.get(run_id) is memory:
        del _run_memories[run_id]


class StoriesPipeline(Stage):
    def __init__(self, crawler=None, memory: StoryMemory | None = None, **kwargs):
        super().__init__(crawler, **kwargs)
        self.memory = memory or StoryMemory()  # built in tests: a crawl of its own process
        self.index = self.memory.index
        self.run_articles = self.memory.articles  # this run's, of every crawl sharing memory
        self.lock = self.memory.lock
        # this crawl's articles, with the duplicate_of each was stored with
        self.own: dict[str, str] = {}
        self.alone: set[str] = set()  # canonical URLs of this run that started their own story
        self.labels: set[str] = set()  # every story id this crawl gave or merged
        self.started = datetime.now(UTC)
        # the crawls of this run share memory: what they filed is in it, the late join skips it
        self.run_id = crawler.settings.get("NEWSCRAWL_RUN_ID", "") if crawler else ""

    @classmethod
    def from_crawler(cls, crawler):
        run_id = crawler.settings.get("NEWSCRAWL_RUN_ID", "")
        stage = cls(crawler, memory=run_memory(run_id))
        crawler.signals.connect(lambda: release_memory(run_id, stage.memory),
                                signal=signals.engine_stopped, weak=False)
        # after every stage has closed, so this crawl's own last batch is stored too
        crawler.signals.connect(stage.join_late_copies, signal=signals.spider_closed)
        return stage

    # --- candidates ---

    async def load_buckets(self, buckets: Iterable[int]) -> None:
        """The stored signatures of the buckets not loaded yet, one query each, whichever
        crawl sharing memory asks first (the others wait for that query; no lock is held, so
        the articles of loaded buckets go on meanwhile)."""
        for bucket in buckets:
            if bucket in self.index.buckets:
                continue
            loading = self.memory.loading.get(bucket)
            if loading is None:
                loading = self.memory.loading[bucket] = asyncio.ensure_future(
                    self._load_bucket(bucket))
            await loading

    async def _load_bucket(self, bucket: int) -> None:
        """A bucket the database cannot give counts as loaded (empty): the late join looks at
        it again."""
        try:
            reading = datetime.now(UTC)
            entries = await asyncio.to_thread(self.store.story_signatures_in, bucket)
            self.memory.loaded_at[bucket] = reading
        except Exception as exc:
            logger.warning("near-duplicate lookup failed (%s)", exc)
            self.count("newscrawl/lookup_errors")
            entries = []
        finally:
            del self.memory.loading[bucket]
        self.index.add_bucket(bucket, entries)

    def run_candidate(self, url: str) -> Candidate:
        known = self.run_articles[url]
        return Candidate(known.fingerprint.compact(), known.story_id, known.duplicate_of)

    def stored_candidates(self, urls: list[str], index: BandIndex) -> list[Candidate]:
        """Stored articles read by canonical URL (one call; their signatures are in `index`).
        Runs in a worker thread."""
        docs = self.store.find_articles(urls, CANDIDATE_PROJECTION)
        return [Candidate(Fingerprint.from_document(doc, index.signatures[url]),
                          doc.get("story_id", ""), doc.get("duplicate_of", ""))
                for url, doc in docs.items()]

    async def candidates(self, fingerprint: Fingerprint) -> dict[str, Candidate]:
        """The articles that share a band or an anchor with it or whose signatures agree
        (BandIndex.sharing_a_key) and could be the same story (BandIndex.worth_reading):
        this run's from memory, the stored ones read in one call."""
        sharing = self.index.sharing_a_key(fingerprint.signature, fingerprint.published,
                                           fingerprint.anchors)
        sharing.pop(fingerprint.canonical_url, None)
        worth = [url for url, estimate in sorted(sharing.items(), key=lambda e: -e[1])
                 if self.index.worth_reading(url, estimate, fingerprint.published,
                                             fingerprint.evidence)]
        found = {url: self.run_candidate(url) for url in worth if url in self.run_articles}
        stored = [url for url in worth if url not in found]
        if stored:
            try:
                for candidate in await asyncio.to_thread(self.stored_candidates, stored,
                                                         self.index):
                    found[candidate.fingerprint.canonical_url] = candidate
            except Exception as exc:  # database down: the article is its own story for now
                logger.warning("near-duplicate lookup failed (%s)", exc)
                self.count("newscrawl/lookup_errors")
        return found

    # --- the decision ---

    async def process_item(self, item: Article) -> Article:
        if item.action != "insert":
            return item  # alternates and revisions keep their story
        fingerprint = Fingerprint.of_words(
            item.canonical_url, item.outlet, item.words("body"),
            published_of({"published_at": item.published_at, "crawled_at": item.crawled_at}),
            title=item.words("title"), topics=item.topics)
        await self.load_buckets(lookup_buckets(fingerprint.published))
        async with self.lock:
            self.decide(item, fingerprint, await self.candidates(fingerprint))
            self.remember(item, fingerprint)
        return item

    def decide(self, item: Article, fingerprint: Fingerprint,
               by_url: dict[str, Candidate]) -> None:
        found = matches(fingerprint, [c.fingerprint for c in by_url.values()])
        if not found:
            item.story_id = new_story_id(item.canonical_url)
            self.alone.add(item.canonical_url)
            return
        best = by_url[found[0].canonical_url]
        stories = {best.story_id or new_story_id(best.fingerprint.canonical_url)}
        stories |= {by_url[m.canonical_url].story_id for m in found[1:]} - {""}
        item.story_id = min(stories)  # the same story whichever crawl joins them first
        self.count("stories/joined")
        if found[0].is_copy:
            self.count("duplicates/near")
            # the copy published first is the original; at the same instant, the first URL
            # (whichever crawl meets the pair first, and the late join, must agree)
            if best.duplicate_of or first_published(best.fingerprint, fingerprint):
                item.duplicate_of = best.duplicate_of or best.fingerprint.canonical_url
            else:  # this one was published first: the stored copy points at it
                item.originals_of = [best.fingerprint.canonical_url]
                known = self.run_articles.get(best.fingerprint.canonical_url)
                if known is not None:
                    known.duplicate_of = item.canonical_url
        if others := stories - {item.story_id}:
            self.merge(sorted(others), item)

    def remember(self, item: Article, fingerprint: Fingerprint) -> None:
        item.minhash = fingerprint.signature
        item.story_bucket = time_bucket(fingerprint.published)
        item.story_anchors = fingerprint.anchors
        item.story_summary = fingerprint.summary
        self.labels.add(item.story_id)
        self.index.add(item.canonical_url, fingerprint.signature, item.story_bucket,
                       item.story_anchors)
        self.index.know(item.canonical_url, fingerprint.published, fingerprint.evidence)
        self.run_articles[item.canonical_url] = RunArticle(fingerprint.compact(), item.story_id,
                                                           item.duplicate_of)
        self.own[item.canonical_url] = item.duplicate_of

    def merge(self, stories: list[str], item: Article) -> None:
        """Stories joined by this article become its story, here and (via the store) stored."""
        item.merged_stories = stories
        self.count("stories/merged", len(stories))
        self.labels.update(stories)
        self.rename_story(stories, item.story_id)

    def rename_story(self, stories: Iterable[str], into: str) -> None:
        stories = set(stories)
        for known in self.run_articles.values():
            if known.story_id in stories:
                known.story_id = into

    # --- when the crawl closes ---

    async def join_late_copies(self, spider=None, reason: str = "") -> None:
        """Join the stories that concurrent crawls stored after this one looked, then settle
        the story ids this crawl gave that concurrent crawls merged meanwhile."""
        if not self.own:
            return
        try:
            stored_since, merges = await asyncio.to_thread(self._read_since)
            async with self.lock:  # the memory the crawls of this run share is read and relabelled
                joined, settled = await asyncio.to_thread(self._close_stories, stored_since,
                                                          merges)
        except Exception as exc:
            logger.warning("late near-duplicate check failed (%s)", exc)
            return
        self.count("stories/joined_late", joined)
        self.count("stories/settled", settled)

    def _read_since(self) -> tuple[dict[int, list[tuple]], list[tuple[str, str]]]:
        """The signatures filed by other runs in the buckets of this crawl's articles since
        the buckets were loaded (all of a bucket whose load failed; one query per bucket), and
        the merges recorded since this crawl started (one query). Read before the lock is
        taken: a merge recorded after this read was recorded by a crawl that settles after
        it, and relabels the articles this crawl stored. Runs in a worker thread."""
        buckets = {bucket for url in self.own
                   for bucket in lookup_buckets(self.run_articles[url].fingerprint.published)}
        found = {}
        for bucket in sorted(buckets):
            loaded = self.memory.loaded_at.get(bucket)
            found[bucket] = self.store.story_signatures_in(
                bucket, filed_since=loaded and loaded - SETTLE_MARGIN, not_by_run=self.run_id)
        return found, self.store.story_merges_since(self.started - SETTLE_MARGIN)

    def _close_stories(self, stored_since: dict[int, list[tuple]],
                       merges: list[tuple[str, str]]) -> tuple[int, int]:
        self._point_copies_found_later()
        return self._join_late_copies(stored_since), self._settle_merges(merges)

    def _point_copies_found_later(self) -> None:
        """An article of this crawl found to be a later copy after it went to the store: by
        another crawl sharing memory, whose update may have come before this crawl stored it.
        This crawl's articles are all stored now. Runs in a worker thread."""
        for url, stored_with in self.own.items():
            original = self.run_articles[url].duplicate_of
            if original != stored_with:
                self.store.set_duplicate_of(url, original)

    def _join_late_copies(self, stored_since: dict[int, list[tuple]]) -> int:
        """Only an article that shares a band or a figure with something stored since is
        compared again (every article, not only the lone ones: two articles of two crawls that
        each joined another story of its own crawl would never meet otherwise). Runs in a
        worker thread."""
        published = {url: self.run_articles[url].fingerprint.published for url in self.own}
        late = BandIndex()  # what other crawls stored since the bucket was loaded, not in memory
        for bucket, entries in stored_since.items():
            late.add_bucket(bucket, [entry for entry in entries
                                     if entry[0] not in self.index.signatures])
        if not late.signatures:
            return 0
        joined = 0
        for url in published:
            fingerprint = self.run_articles[url].fingerprint
            new = [u for u, estimate in late.sharing_a_key(
                fingerprint.signature, published[url], fingerprint.anchors).items()
                   if late.worth_reading(u, estimate, published[url], fingerprint.evidence)]
            if new:
                joined += self._join_late(url, self.stored_candidates(new, late))
        return joined

    def _join_late(self, url: str, late: list[Candidate]) -> int:
        """Compare an article with late reports (and, as when it was processed, with this
        crawl's articles): every story it matches becomes one, the smallest story id (so that
        concurrent crawls that join the same stories agree)."""
        known = self.run_articles[url]
        fingerprint = self.run_candidate(url).fingerprint
        sharing = self.index.sharing_a_key(fingerprint.signature, fingerprint.published,
                                           fingerprint.anchors)
        by_url = {u: self.run_candidate(u) for u, estimate in sharing.items()
                  if u in self.run_articles and u != url and self.index.worth_reading(
                      u, estimate, fingerprint.published, fingerprint.evidence)}
        by_url.update({c.fingerprint.canonical_url: c for c in late})
        found = matches(fingerprint, [c.fingerprint for c in by_url.values()])
        own = known.story_id
        stories = {own} | {by_url[m.canonical_url].story_id for m in found} - {""}
        if len(stories) < 2:
            return 0
        target = min(stories)
        absorbed = stories - {target}
        self.store.merge_stories(absorbed, into=target)
        self.labels |= stories
        self.rename_story(absorbed, target)
        best = by_url[found[0].canonical_url]
        if found[0].is_copy and url in self.alone and best.story_id != own:
            # a copy points at the earlier one (first_published: both crawls must agree, or
            # each would point at the other)
            other = best.fingerprint
            if first_published(other, fingerprint):
                original = best.duplicate_of or other.canonical_url
                self.store.set_duplicate_of(fingerprint.canonical_url, original)
            else:
                self.store.set_duplicate_of(other.canonical_url, url)
        return 1

    def _settle_merges(self, links: list[tuple[str, str]]) -> int:
        """Give every story this crawl labelled articles with its final id. A concurrent crawl
        may have merged one of them after this crawl read it (its later articles then carry
        the absorbed id), or merged it into a story that was itself merged: the merges
        recorded since this crawl started, taken as links, make sets of stories, each is
        relabelled with its smallest id (whichever crawl settles last, all agree). `links`:
        (absorbed, into) of those merges. Runs in a worker thread."""
        parent: dict[str, str] = {}

        def root(story: str) -> str:
            while parent.setdefault(story, story) != story:
                parent[story] = parent[parent[story]]
                story = parent[story]
            return story

        for absorbed, into in links:
            a, b = root(absorbed), root(into)
            parent[max(a, b)] = min(a, b)
        sets: dict[str, set[str]] = {}
        for story in parent:
            sets.setdefault(root(story), set()).add(story)
        settled = 0
        for target, stories in sets.items():
            if stories & self.labels and len(stories) > 1:
                settled += self.store.relabel_stories(stories - {target}, target)
                self.rename_story(stories - {target}, target)
        return settled
