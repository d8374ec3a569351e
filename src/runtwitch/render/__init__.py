"""What a runner reads: the text summary, the JSON document and the HTML report of an analysis.

All three lay out the same episode view-model (``view``); the HTML report's
charts (``charts``) are drawn without pyplot, so importing or using this
package never changes matplotlib's backend or pyplot's state. The summary at
the top of the HTML report (and of a notebook's rich display) is one
:class:`SummaryRow` per episode (:func:`summary_rows`); :func:`verdict` turns a
cause's score into "likely", "possible" or "unlikely".
"""

from runtwitch.render.html_report import to_html, write_report
from runtwitch.render.json_report import to_json
from runtwitch.render.text import summary_text
from runtwitch.render.view import EpisodeView, SummaryRow, episode_views, summary_rows, verdict

__all__ = [
    "EpisodeView",
    "SummaryRow",
    "episode_views",
    "summary_rows",
    "summary_text",
    "to_html",
    "to_json",
    "verdict",
    "write_report",
]
