"""One module per outlet (or template family): each declares OUTLET, and PAGE_CLASS when its
pages need a page object of their own; the spider loader makes its spider (SPIDER_MODULES)."""
