"""NER backends behind one small protocol (see :mod:`.base`)."""
