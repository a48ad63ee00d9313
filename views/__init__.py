"""Views: the analysis made visible as offline HTML pages (templates in ``templates/``)."""
