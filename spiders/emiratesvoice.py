"""emiratesvoice.com (صوت الإمارات): the group's Emirati site (linked from almaghribtoday's 2018
footer).

Arabs Today template (see arabstoday_family). The site's local time is Asia/Dubai, but the template
prints every time in GMT (and its JSON-LD and meta in UTC), so the timezone is UTC: a bare time on
the page is a GMT time, never a local one. Sections use the group's ids (group_sections).
"""

from __future__ import annotations

from spiders.arabstoday_family import arabstoday_outlet, group_sections

OUTLET = arabstoday_outlet(
    key="emiratesvoice",
    title="صوت الإمارات",
    domain="emiratesvoice.com",
    timezone="UTC",
    sections=group_sections(),
)
