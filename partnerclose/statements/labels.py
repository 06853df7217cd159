"""What each key figure (K1) is called: one vocabulary for every output.

The statement template (`templates/build_statement_templates.py` writes these labels
into it), the statement's scorecard, the close pack's `key_figures` table and the
desktop app all name a figure from here, so that a user never sees one figure under
two names.
"""

from __future__ import annotations

from collections.abc import Mapping

KEY_FIGURE_LABELS: Mapping[str, str] = {
    "revenue": "Revenue won",
    "ytd_revenue": "Revenue, fiscal year to date",
    "deals_won": "Deals won",
    "deals_lost": "Deals lost",
    "win_rate": "Win rate",
    "avg_deal_size": "Average deal size",
    "days_to_close": "Days to close",
    "pipeline": "Open pipeline",
    "net_revenue": "Net revenue",
    "utilization": "Capacity utilization",
    "remaining_capacity": "Remaining capacity",
    "savings": "Savings vs standalone",
    "mdf_roi": "Co-marketing ROI",
    "margin_share": "Revenue share of gross profit",
}


def key_figure_label(metric: str) -> str:
    """How a key figure or scorecard metric is named (a metric with no label: its name
    in words, `partner_nps` as `partner nps`)."""
    return KEY_FIGURE_LABELS.get(metric, metric.replace("_", " "))
