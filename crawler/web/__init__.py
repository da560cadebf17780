"""The dashboard behind `newscrawl web`: pages and a JSON API over the same database.

app.py assembles it (FastAPI, Jinja2 templates, static files); access.py decides who may read
and who may start a crawl; reading.py holds the queries of each view; overview.py keeps the
overview's figures; filters.py reads the query strings; pages.py and api.py are the routes.
"""
