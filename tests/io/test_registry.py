"""The importer registry: built-ins, ad-hoc importers and entry-point plugins."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

import runtwitch
from runtwitch.io import registry

ROOT = Path(__file__).resolve().parents[2]
CSV = (
    "time,hr,speed_kmh,distance_km\n"
    "2026-05-01T06:30:00Z,112,0.0,0.000\n"
    "2026-05-01T06:30:05Z,0,9.8,0.013\n"
    "2026-05-01T06:30:10Z,121,10.1,0.027\n"
    "2026-05-01T06:30:10Z,122,10.1,0.027\n"
)


def _example_module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("simplecsv_importer",
                                                  ROOT / "examples" / "simplecsv_importer.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["simplecsv_importer"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def csv_importer():  # type: ignore[no-untyped-def]
    imp = _example_module().SimpleCsvImporter()
    yield imp
    runtwitch.unregister(imp.name)


def test_builtin_importers_are_listed() -> None:
    names = {imp.name for imp in runtwitch.importers()}
    assert {"fit", "gpx", "tcx"} <= names


def test_importer_passed_directly(tmp_path, csv_importer) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "run.txt"
    path.write_text(CSV)
    act = runtwitch.read_activity(path, importer=csv_importer)
    assert act.meta.format == "simplecsv"
    assert act.report.source_records == 4
    assert act.report.dropped == {"duplicate_timestamp": 1}
    assert act.report.repaired == {"heart_rate_zero": 1}
    assert act.records["speed_mps"].iloc[1] == pytest.approx(9.8 / 3.6)


def test_registered_importer_by_suffix_and_by_sniffing(tmp_path, csv_importer) -> None:  # type: ignore[no-untyped-def]
    runtwitch.register(csv_importer)
    by_suffix = tmp_path / "run.rtcsv"
    by_suffix.write_text(CSV)
    assert runtwitch.read_activity(by_suffix).meta.format == "simplecsv"
    by_content = tmp_path / "export.dat"
    by_content.write_text(CSV)
    assert runtwitch.read_activity(by_content).meta.format == "simplecsv"
    with pytest.raises(ValueError, match="already registered"):
        runtwitch.register(csv_importer)


def test_register_rejects_non_importers() -> None:
    with pytest.raises(TypeError, match="not an importer"):
        runtwitch.register(object())  # type: ignore[arg-type]


class _EP:
    def __init__(self, name: str, target: object) -> None:
        self.name, self.value, self._target = name, f"fake:{name}", target

    def load(self) -> object:
        if isinstance(self._target, Exception):
            raise self._target
        return self._target


def test_entry_point_plugins_load_and_a_broken_one_only_warns(monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    good = _example_module().SimpleCsvImporter
    eps = [_EP("simplecsv", good), _EP("broken", ImportError("no module named 'missing_dep'"))]
    monkeypatch.setattr(registry, "entry_points", lambda group: eps)
    monkeypatch.setattr(registry, "_plugins_loaded", False)
    try:
        with pytest.warns(runtwitch.RuntwitchWarning, match="broken"):
            names = {imp.name for imp in runtwitch.importers()}
        assert "simplecsv" in names and "broken" not in names
        path = tmp_path / "run.rtcsv"
        path.write_text(CSV)
        assert runtwitch.read_activity(path).report.rows == 3
    finally:
        runtwitch.unregister("simplecsv")


def test_unknown_format(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "notes.txt"
    path.write_text("just some notes")
    with pytest.raises(runtwitch.UnknownFormatError, match="unknown activity format"):
        runtwitch.read_activity(path)


def test_the_example_plugin_imports_only_public_names() -> None:
    """The extension surface is public: the example, like docs/extending.md, reaches nothing private."""
    import ast

    source = (ROOT / "examples" / "simplecsv_importer.py").read_text(encoding="utf-8")
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module != "__future__":
            names = [node.module or "", *(a.name for a in node.names)]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        assert not any(part.startswith("_") for n in names for part in n.split(".")), ast.unparse(node)
    doc = (ROOT / "docs" / "extending.md").read_text(encoding="utf-8")
    assert "._" not in doc.replace("__", "")


def test_the_example_plugin_honours_errors(tmp_path, csv_importer) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "run.rtcsv"
    path.write_text(CSV.replace(",121,", ",abc,"))
    with pytest.warns(runtwitch.DataQualityWarning):
        assert csv_importer.read(path).report.source_records == 4
    with pytest.raises(runtwitch.CorruptFileError, match="line 4"):
        csv_importer.read(path, errors="raise")
    with pytest.raises(ValueError, match="errors must be"):
        csv_importer.read(path, errors="bogus")


def test_plugins_are_read_once_and_again_on_refresh(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    calls = []

    def fake_entry_points(group: str) -> list[_EP]:
        calls.append(group)
        return [_EP("simplecsv", _example_module().SimpleCsvImporter)]

    monkeypatch.setattr(registry, "entry_points", fake_entry_points)
    monkeypatch.setattr(registry, "_plugins_loaded", False)
    try:
        runtwitch.importers()
        runtwitch.importers()
        assert calls == ["runtwitch.importers"]
        runtwitch.unregister("simplecsv")
        assert "simplecsv" in {i.name for i in runtwitch.importers(refresh=True)}
        assert len(calls) == 2
        assert runtwitch.importer_named("fit").name == "fit"
    finally:
        runtwitch.unregister("simplecsv")
