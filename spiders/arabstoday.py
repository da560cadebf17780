"""arabstoday.net (العرب اليوم): the group's pan-Arab flagship in Beirut; this is the Arabic
edition (the English one, under `/en/`, is not crawled: its paths do not match the article
pattern). Its site feed is `/ar/rss`.

Arabs Today template (see arabstoday_family). The site's local time is Asia/Beirut, but the
template prints every time in GMT (and its JSON-LD and meta in UTC), so the timezone is UTC: a bare
time on the page is a GMT time, never a local one. Sections use the group's ids (group_sections).
"""

from __future__ import annotations

from crawler.outlet import Section
from spiders.arabstoday_family import arabstoday_outlet, group_sections

OUTLET = arabstoday_outlet(
    key="arabstoday",
    title="العرب اليوم",
    domain="arabstoday.net",
    timezone="UTC",
    sections=group_sections(latest=Section(label="آخر الأخبار", feeds=("/ar/rss",))),
)
