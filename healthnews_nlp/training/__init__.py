"""Training the shipped models (``make train``); needs the ``train`` extra (scikit-learn, scipy, threadpoolctl).

Nothing here runs when the library extracts: the models it writes under
``healthnews_nlp/resources/models/`` are read with numpy alone.
"""
