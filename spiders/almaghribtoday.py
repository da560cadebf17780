"""almaghribtoday.net (المغرب اليوم): Moroccan news of the Arabs Today Group, times in GMT.

The site has no "security" section: arrests and police news are filed under
"في الأخبار أيضا" (/36), so `security` crawls that listing. Every section's URLs can be
overridden from newscrawl.toml (`[outlets.almaghribtoday.sections.security]`).
"""

from __future__ import annotations

from spiders.arabstoday_family import arabstoday_outlet, section

OUTLET = arabstoday_outlet(
    key="almaghribtoday",
    title="المغرب اليوم",
    domain="almaghribtoday.net",
    timezone="UTC",
    sections={
        "security": section("أمن وحوادث", "36", "في-الأخبار-أيضا"),
        "politics": section("السياسة", "451", "أخبار-السياسة-والسياسيين"),
        "economy": section("الاقتصاد", "504", "أخبار-الاقتصاد"),
        "sports": section("الرياضة", "417", "أخبار-الرياضة"),
        "latest": section("أخبار عاجلة", "1187", "أخبار-عاجلة", feeds=("/home/rss.xml",)),
    },
)
