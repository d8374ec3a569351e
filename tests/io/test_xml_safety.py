"""Hostile and malformed XML: refused quickly with the typed error."""

from __future__ import annotations

import time

import pytest

import runtwitch
from runtwitch.io.xml import UnsafeXMLError

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<gpx version="1.1"><trk><name>&lol9;</name><trkseg>
<trkpt lat="1" lon="1"><time>2020-01-01T10:00:00Z</time></trkpt></trkseg></trk></gpx>
"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE foo [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<TrainingCenterDatabase><Activities><Activity Sport="Running"><Id>&xxe;</Id>
</Activity></Activities></TrainingCenterDatabase>
"""


@pytest.mark.parametrize(("name", "data"), [("bomb.gpx", BILLION_LAUGHS), ("xxe.tcx", EXTERNAL_ENTITY)])
def test_entity_tricks_are_refused_quickly(tmp_path, name: str, data: bytes) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / name
    path.write_bytes(data)
    t0 = time.perf_counter()
    with pytest.raises(UnsafeXMLError) as info:
        runtwitch.read_activity(path)
    assert time.perf_counter() - t0 < 1.0
    assert isinstance(info.value, runtwitch.ParseError)
    assert str(path) in str(info.value)


def test_malformed_xml_gives_line_and_column(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "broken.gpx"
    path.write_bytes(b'<?xml version="1.0"?>\n<gpx version="1.1">\n<trk><trkseg>\n<trkpt lat="1"\n')
    with pytest.raises(runtwitch.ParseError) as info:
        runtwitch.read_gpx(path)
    assert info.value.line is not None and info.value.column is not None
    assert "line" in str(info.value)


def test_wrong_root_element(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "notes.tcx"
    path.write_bytes(b"<notes><note>hello</note></notes>")
    with pytest.raises(runtwitch.ParseError, match="TrainingCenterDatabase"):
        runtwitch.read_activity(path)


def test_sniffing_without_suffix(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "export.xml"
    path.write_bytes(b'<?xml version="1.0"?><gpx version="1.1"><trk><trkseg>'
                     b'<trkpt lat="45.5" lon="-73.6"><time>2020-01-01T10:00:00Z</time></trkpt>'
                     b'<trkpt lat="45.5" lon="-73.6"><time>2020-01-01T10:00:05Z</time></trkpt>'
                     b"</trkseg></trk></gpx>")
    act = runtwitch.read_activity(path)
    assert act.meta.format == "gpx" and act.report.rows == 2
