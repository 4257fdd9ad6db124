"""Reading article files into clean, traceable :class:`~healthnews_nlp.models.Article` records."""
