"""libyatoday.net (ليبيا اليوم): the group's Libyan site.

Arabs Today template (see arabstoday_family). The site's local time is Africa/Tripoli, but the
template prints every time in GMT (and its JSON-LD and meta in UTC), so the timezone is UTC: a bare
time on the page is a GMT time, never a local one. Sections use the group's ids (group_sections).
"""

from __future__ import annotations

from spiders.arabstoday_family import arabstoday_outlet, group_sections

OUTLET = arabstoday_outlet(
    key="libyatoday",
    title="ليبيا اليوم",
    domain="libyatoday.net",
    timezone="UTC",
    sections=group_sections(),
)
