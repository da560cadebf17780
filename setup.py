"""Lets scrapyd-client build the project's egg (`newscrawl nodes deploy`); metadata is in
pyproject.toml."""

from setuptools import setup

setup()
