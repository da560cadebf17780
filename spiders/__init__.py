"""One module per outlet (or template family). Scrapy finds the spiders here (SPIDER_MODULES)."""
