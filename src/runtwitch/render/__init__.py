"""What a runner reads: the text summary, the JSON document and the HTML report of an analysis.

All three lay out the same episode view-model (``view``); the HTML report's
charts (``charts``) are drawn without pyplot, so importing or using this
package never changes matplotlib's backend or pyplot's state.
"""

from runtwitch.render.html_report import to_html, write_report
from runtwitch.render.json_report import to_json
from runtwitch.render.text import summary_text
from runtwitch.render.view import EpisodeView, episode_views

__all__ = ["EpisodeView", "episode_views", "summary_text", "to_html", "to_json", "write_report"]
