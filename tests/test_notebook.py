"""The example notebook runs from top to bottom (so it never rots) and shows the rich displays and charts."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def test_example_notebook_executes(tmp_path: Path) -> None:
    nb = nbformat.read(ROOT / "examples" / "season.ipynb", as_version=4)
    client = NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(ROOT / "examples")}})
    client.execute()
    outputs = {c.source: c.get("outputs", []) for c in nb.cells if c.cell_type == "code"}
    everything = [o for outs in outputs.values() for o in outs]
    assert not [o for o in everything if o.get("output_type") == "error"]
    (ROOT / "examples" / "season-report.html").unlink(missing_ok=True)

    def shown(source: str, kind: str) -> str:
        return "".join(o.get("data", {}).get(kind, "") for o in outputs[source])

    # the rich displays: the report's summary cards, an activity's card
    assert "Most likely cause" in shown("result", "text/html") and "Red flags" in shown("result", "text/html")
    assert "Most likely cause" in shown(next(s for s in outputs if s.startswith("ex  #")), "text/html")
    assert "records kept" in shown("act", "text/html")
    # the charts, through the public plotting functions
    for call in ("plot.season(result)", "plot.patterns(result)"):
        assert shown(next(s for s in outputs if s.endswith(call)), "image/png"), call
    assert shown(next(s for s in outputs if "plot.episode(result, ref)" in s), "image/png")
