"""What Scrapy gets from newscrawl.toml: the spiders, and the topic rules.

The spiders are the modules of SPIDER_MODULES (spiders/) plus the outlets `[outlets.NAME]`
declares (crawler/outlet_config.py); a module spider whose sections the file changes is loaded
as a subclass carrying the changed outlet. Scrapy builds `OutletSpiderLoader`
(SPIDER_LOADER_CLASS) and runs `ConfigurationAddon` (ADDONS) whenever a crawl is set up, for
`scrapy crawl` and `newscrawl crawl` alike, so the file (NEWSCRAWL_CONFIG, else
./newscrawl.toml) is read then, never when a module is imported. Reading it checks the whole of
what the crawler uses: the top-level tables, `[outlets…]` and `[topics…]`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scrapy.settings import BaseSettings, Settings
from scrapy.spiderloader import SpiderLoader

from crawler.checks import TableReader
from crawler.config import TABLES, config_path, load_config
from crawler.outlet import Outlet
from crawler.outlet_config import configure_outlets
from crawler.settings import SPIDER_MODULES
from crawler.spider import NewsSpider
from crawler.topics import check_topics


@dataclass(frozen=True)
class Configuration:
    """The crawler's part of newscrawl.toml, checked."""

    label: str  # the file, as messages name it
    outlets: dict[str, Outlet]  # every spider's outlet as configured, by spider name
    declared_in: dict[str, str]  # spider name -> its module's file, or the TOML file
    changed: frozenset[str] = frozenset()  # module spiders whose sections the file changes
    topics: dict[str, Any] = field(default_factory=dict)  # [topics.<name>], typed


def module_spiders(settings: BaseSettings | None = None) -> dict[str, type[NewsSpider]]:
    """The spider classes of SPIDER_MODULES, by name (Scrapy's own loader finds them)."""
    loader = SpiderLoader(settings or Settings({"SPIDER_MODULES": SPIDER_MODULES}))
    found = {name: loader.load(name) for name in loader.list()}
    return {name: cls for name, cls in found.items() if issubclass(cls, NewsSpider)}


def check_configuration(raw: dict[str, Any], label: str,
                        modules: dict[str, type[NewsSpider]]) -> Configuration:
    """The parsed TOML checked against the spider modules (a ConfigError names file and key)."""
    reader = TableReader(label)
    reader.unknown(raw, TABLES, "")
    declared, changed = configure_outlets(
        raw.get("outlets", {}), {name: cls.outlet for name, cls in modules.items()}, reader)
    outlets = {name: cls.outlet for name, cls in modules.items()} | changed | declared
    declared_in = {name: cls.__module__.replace(".", "/") + ".py"
                   for name, cls in modules.items()} | dict.fromkeys(declared, label)
    return Configuration(label, outlets, declared_in, frozenset(changed),
                         check_topics(raw.get("topics", {}), reader))


def read_configuration(path: str | Path | None = None, *,
                       modules: dict[str, type[NewsSpider]] | None = None) -> Configuration:
    """The configuration file in force (`path`, else NEWSCRAWL_CONFIG, else ./newscrawl.toml;
    none: the spider modules alone), checked against `modules` (default: spiders/)."""
    found = config_path(path)
    label = str(found) if found else "configuration"
    return check_configuration(load_config(found), label,
                               module_spiders() if modules is None else modules)


class OutletSpiderLoader(SpiderLoader):
    """Scrapy's loader, plus the outlets newscrawl.toml declares or changes."""

    def __init__(self, settings: BaseSettings):
        super().__init__(settings)
        modules = {name: cls for name, cls in self._spiders.items()
                   if issubclass(cls, NewsSpider)}
        self.configuration = read_configuration(modules=modules)
        for name in sorted(self.configuration.outlets):
            if name in self.configuration.changed:
                self._spiders[name] = configured_spider(self._spiders[name],
                                                        self.configuration.outlets[name])
            elif name not in self._spiders:
                self._spiders[name] = declared_spider(self.configuration.outlets[name])

    def declared_in(self, name: str) -> str:
        """Where the spider's outlet is declared: its module's file, or the TOML file."""
        return self.configuration.declared_in[name]


def declared_spider(outlet: Outlet) -> type[NewsSpider]:
    """The spider of an outlet declared in the configuration: NewsSpider over its data."""
    class_name = "".join(p.capitalize() for p in outlet.key.replace("-", "_").split("_"))
    return type(f"{class_name}Spider", (NewsSpider,), {
        "name": outlet.key, "outlet": outlet, "__module__": __name__,
        "__doc__": f"{outlet.title}: declared in newscrawl.toml.",
    })


def configured_spider(cls: type[NewsSpider], outlet: Outlet) -> type[NewsSpider]:
    """A module spider with the sections the configuration gives it."""
    return type(cls.__name__, (cls,), {"outlet": outlet, "__module__": cls.__module__})


class ConfigurationAddon:
    """Puts the file's topic rules into the settings of every crawl (NEWSCRAWL_TOPICS; a
    `-s NEWSCRAWL_TOPICS=...` on the command line still wins)."""

    def update_settings(self, settings: Settings) -> None:
        configuration = read_configuration(modules=module_spiders(settings))
        settings.set("NEWSCRAWL_TOPICS", configuration.topics, priority="addon")
