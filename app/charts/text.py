"""Data text as every chart shows it: literally. Apart from style.py so that the table writers, which
share the chart rows (app/charts/rows.py), load no plotly."""

from __future__ import annotations

import html


def plain(text: object) -> str:
    """Data text (a project's name, code, unit, category, status) as a chart shows it, literally: plotly
    reads a small HTML subset (<a href>, <b>, <br>, <span style>…) in every label, legend, tick and hover,
    so < > & are written as entities, which it shows as the characters themselves."""
    return html.escape(str(text), quote=False)
