"""The spaCy pipeline: tokenization, NER backends, domain rules, aliases and relations."""
