"""What a runner reads: the text summary, the JSON document and the HTML report of an analysis."""

from runtwitch.render.html_report import to_html, write_report
from runtwitch.render.text import summary_text, to_json

__all__ = ["summary_text", "to_html", "to_json", "write_report"]
