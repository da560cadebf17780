"""Scrapy's own commands, as newscrawl's scrapy.cfg project sees them (COMMANDS_MODULE)."""
