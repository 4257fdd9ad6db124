"""Learned components: small linear models trained offline (``make train``), run with numpy."""
