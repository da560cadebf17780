"""What Scrapy gets from spiders/ and newscrawl.toml: the spiders, and the topic rules.

Every outlet (crawler/catalogue.py: the modules of SPIDER_MODULES and the outlets `[outlets.NAME]`
declares) becomes a NewsSpider over its data, made here; a module may still define a NewsSpider
subclass of its own when the site needs code beyond a page object, and a module spider whose
sections the file changes is loaded as a subclass carrying the changed outlet. Scrapy builds
`OutletSpiderLoader` (SPIDER_LOADER_CLASS) and runs `ConfigurationAddon` (ADDONS) whenever a
crawl is set up, for `scrapy crawl` and `newscrawl crawl` alike, so the file (NEWSCRAWL_CONFIG,
else ./newscrawl.toml) is read then, never when a module is imported. Reading it checks the
whole of what the crawler uses: the top-level tables, `[outlets…]` and `[topics…]`.
"""

from __future__ import annotations

from scrapy.settings import BaseSettings, Settings
from scrapy.spiderloader import SpiderLoader

from crawler.catalogue import ModuleOutlet, module_outlets, read_configuration
from crawler.outlet import Outlet
from crawler.spider import NewsSpider


class OutletSpiderLoader(SpiderLoader):
    """Scrapy's loader (a module's own spider class), plus a spider for every other outlet
    of the modules and of newscrawl.toml."""

    def __init__(self, settings: BaseSettings):
        super().__init__(settings)
        modules = module_outlets(settings.getlist("SPIDER_MODULES"))
        self.configuration = read_configuration(modules=modules)
        for name in sorted(self.configuration.outlets):
            outlet = self.configuration.outlets[name]
            if name in self._spiders:  # the module's own class
                if name in self.configuration.changed:
                    self._spiders[name] = configured_spider(self._spiders[name], outlet)
            elif name in modules:
                self._spiders[name] = module_spider(modules[name], outlet)
            else:
                self._spiders[name] = declared_spider(outlet)

    def declared_in(self, name: str) -> str:
        """Where the spider's outlet is declared: its module's file, or the TOML file."""
        return self.configuration.declared_in[name]


def declared_spider(outlet: Outlet, module: str = __name__, doc: str = "",
                    **attributes: object) -> type[NewsSpider]:
    """The spider of an outlet declared as data: NewsSpider over it."""
    class_name = "".join(p.capitalize() for p in outlet.key.replace("-", "_").split("_"))
    return type(f"{class_name}Spider", (NewsSpider,), {
        "name": outlet.key, "outlet": outlet, "__module__": module,
        "__doc__": doc or f"{outlet.title}: declared in newscrawl.toml.", **attributes,
    })


def module_spider(declared: ModuleOutlet, outlet: Outlet | None = None) -> type[NewsSpider]:
    """The spider of a module's outlet (`outlet`: as the configuration changed it)."""
    page = {"page_class": declared.page_class} if declared.page_class else {}
    return declared_spider(outlet or declared.outlet, declared.module,
                           f"{declared.outlet.title}: declared in {declared.file}.", **page)


def configured_spider(cls: type[NewsSpider], outlet: Outlet) -> type[NewsSpider]:
    """A module spider with the sections the configuration gives it."""
    return type(cls.__name__, (cls,), {"outlet": outlet, "__module__": cls.__module__})


class ConfigurationAddon:
    """Puts the file's topic rules into the settings of every crawl (NEWSCRAWL_TOPICS; a
    `-s NEWSCRAWL_TOPICS=...` on the command line still wins)."""

    def update_settings(self, settings: Settings) -> None:
        configuration = read_configuration(
            modules=module_outlets(settings.getlist("SPIDER_MODULES")))
        settings.set("NEWSCRAWL_TOPICS", configuration.topics, priority="addon")
