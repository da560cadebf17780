"""casablancatoday.com (الدار البيضاء اليوم): Casablanca news of the group; it republishes
almaghribtoday's agency copy (the same text under another outlet), which the dedupe stage must
see as one story.

Arabs Today template (see arabstoday_family). The site's local time is Africa/Casablanca, but the
template prints every time in GMT (and its JSON-LD and meta in UTC), so the timezone is UTC: a bare
time on the page is a GMT time, never a local one. Sections use the group's ids (group_sections).
"""

from __future__ import annotations

from spiders.arabstoday_family import arabstoday_outlet, group_sections

OUTLET = arabstoday_outlet(
    key="casablancatoday",
    title="الدار البيضاء اليوم",
    domain="casablancatoday.com",
    timezone="UTC",
    sections=group_sections(),
)
