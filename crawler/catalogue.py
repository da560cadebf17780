"""Every outlet newscrawl knows, read without Scrapy: the modules of spiders/ and newscrawl.toml.

A module of SPIDER_MODULES declares `OUTLET` (crawler/outlet.py), and `PAGE_CLASS` when its
pages need a page object of their own (spiders/akhbarona.py); `[outlets.NAME]` in the file
declares more, or changes a module's sections. The spider loader (crawler/spiderloader.py)
makes a spider of each; commands that only read (`newscrawl outlets`, the scheduler's checks)
stop here, and never import the crawling stack.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler.checks import TableReader
from crawler.config import TABLES, config_path, load_config
from crawler.outlet import Outlet
from crawler.outlet_config import configure_outlets
from crawler.settings import SPIDER_MODULES
from crawler.topics import check_topics


@dataclass(frozen=True)
class ModuleOutlet:
    """An outlet declared by a module of spiders/."""

    outlet: Outlet
    module: str  # its dotted name
    page_class: type | None = None  # crawler.extraction.ArticlePage when None

    @property
    def file(self) -> str:
        return self.module.replace(".", "/") + ".py"


def module_outlets(packages: Iterable[str] = SPIDER_MODULES) -> dict[str, ModuleOutlet]:
    """The outlets the modules of these packages declare, by spider name (a module without
    OUTLET, such as a template family's, declares none)."""
    found = {}
    for package in packages:
        modules = [importlib.import_module(package)]
        if hasattr(modules[0], "__path__"):
            modules += [importlib.import_module(f"{package}.{info.name}")
                        for info in pkgutil.iter_modules(modules[0].__path__)]
        for module in modules:
            outlet = getattr(module, "OUTLET", None)
            if isinstance(outlet, Outlet):
                found[outlet.key] = ModuleOutlet(outlet, module.__name__,
                                                 getattr(module, "PAGE_CLASS", None))
    return found


@dataclass(frozen=True)
class Configuration:
    """The crawler's part of newscrawl.toml, checked."""

    label: str  # the file, as messages name it
    outlets: dict[str, Outlet]  # every spider's outlet as configured, by spider name
    declared_in: dict[str, str]  # spider name -> its module's file, or the TOML file
    changed: frozenset[str] = frozenset()  # module spiders whose sections the file changes
    topics: dict[str, Any] = field(default_factory=dict)  # [topics.<name>], typed


def check_configuration(raw: dict[str, Any], label: str,
                        modules: Mapping[str, ModuleOutlet]) -> Configuration:
    """The parsed TOML checked against the spider modules (a ConfigError names file and key)."""
    reader = TableReader(label)
    reader.unknown(raw, TABLES, "")
    builtin = {name: declared.outlet for name, declared in modules.items()}
    declared, changed = configure_outlets(raw.get("outlets", {}), builtin, reader)
    declared_in = {name: m.file for name, m in modules.items()} | dict.fromkeys(declared, label)
    return Configuration(label, builtin | changed | declared, declared_in, frozenset(changed),
                         check_topics(raw.get("topics", {}), reader))


def read_configuration(path: str | Path | None = None, *,
                       modules: Mapping[str, ModuleOutlet] | None = None) -> Configuration:
    """The configuration file in force (`path`, else NEWSCRAWL_CONFIG, else ./newscrawl.toml;
    none: the spider modules alone), checked against `modules` (default: spiders/)."""
    found = config_path(path)
    label = str(found) if found else "configuration"
    return check_configuration(load_config(found), label,
                               module_outlets() if modules is None else modules)
