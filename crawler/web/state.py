"""What every route of the dashboard shares, made once when the application starts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import Request

from crawler.store import Store
from crawler.web.access import Access
from crawler.web.overview import Overview


@dataclass
class Dashboard:
    """What every route needs, made once at start."""

    store: Store
    access: Access
    schedule: Any = None  # scheduler.config.ScheduleConfig, when a schedule file was found
    outlets: list[dict[str, Any]] = field(default_factory=list)  # `newscrawl outlets --format json`
    overview: Overview | None = None

    def __post_init__(self) -> None:
        self.overview = self.overview or Overview(self.store, self.schedule, self.outlets)


def dashboard(request: Request) -> Dashboard:
    return request.app.state.dashboard
