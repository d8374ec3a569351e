"""The athlete profile (``athlete.toml``) and estimates of what it leaves out."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any, Literal

import numpy as np
import pandas as pd

from runtwitch.errors import ParseError, UnknownTimeZoneError, unreadable
from runtwitch.model.activity import Activity, code_digest
from runtwitch.model.timezone import resolve_tz
from runtwitch.paths import expand_path

Sex = Literal["female", "male"]

#: Width of the rolling median used to find a sustained heart-rate peak [s];
#: a single spike (a strap artefact) cannot set the maximum.
MAX_HR_WINDOW_S = 30
#: Activities with heart rate needed before max HR is estimated from the data.
MIN_ACTIVITIES_FOR_MAX_HR = 5
#: Threshold heart rate estimated as this fraction of maximum heart rate when
#: not given (lactate threshold is typically 85-92 % of HRmax in runners).
THRESHOLD_FRACTION_OF_MAX = 0.88
#: Resting heart rate assumed when not given [bpm] (a typical trained adult).
DEFAULT_RESTING_HR = 60.0
#: Plausible range of each number of ``athlete.toml``; a value outside is a typo, refused with its key.
PROFILE_RANGES: dict[str, tuple[float, float]] = {
    "birth_year": (1900, 2100),
    "body_mass_kg": (20.0, 300.0),
    "max_hr": (100.0, 250.0),
    "resting_hr": (25.0, 120.0),
    "threshold_hr": (80.0, 240.0),
}


@dataclass(frozen=True)
class Athlete:
    """A runner's profile. Everything is optional; ``athlete.toml`` must name the time zone.

    Attributes
    ----------
    tz
        IANA time zone of the runner's home (diary times are local to it), or
        None when unknown (the ``timezone`` key of ``athlete.toml``).
    sex
        ``"female"`` or ``"male"``: selects the Banister TRIMP constants.
    birth_year
        Year of birth.
    body_mass_kg
        Body mass [kg].
    max_hr, resting_hr, threshold_hr
        Maximum, resting and (lactate) threshold heart rate [bpm].
    provenance
        For each field: ``"given"``, ``"estimated: <how>"`` or ``"assumed: <value>"``.
    """

    tz: str | None = None
    sex: Sex | None = None
    birth_year: int | None = None
    body_mass_kg: float | None = None
    max_hr: float | None = None
    resting_hr: float | None = None
    threshold_hr: float | None = None
    provenance: dict[str, str] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        resolve_tz(self.tz)
        if self.sex not in (None, "female", "male"):
            raise ValueError(f"sex must be 'female', 'male' or left out, not {self.sex!r}")
        if not self.provenance:
            given = {f.name: "given" for f in fields(self)
                     if f.name not in ("tz", "provenance") and getattr(self, f.name) is not None}
            object.__setattr__(self, "provenance", given)

    @classmethod
    def from_toml(cls, path: str | os.PathLike[str]) -> Athlete:
        """Load ``athlete.toml`` (keys: timezone, sex, birth_year, body_mass_kg,
        max_hr, resting_hr, threshold_hr); ``timezone`` is required and becomes :attr:`tz`.

        Raises
        ------
        MissingFileError, UnreadableFileError
            The file does not exist or cannot be read.
        ParseError
            Not TOML, a missing ``timezone``, an unknown key or a bad value.
        UnknownTimeZoneError
            ``timezone`` is not an IANA time zone name.
        """
        name = os.fspath(path)
        try:
            with open(expand_path(path), "rb") as fh:
                data: dict[str, Any] = tomllib.load(fh)
        except OSError as exc:
            raise unreadable(name, exc) from exc
        except tomllib.TOMLDecodeError as exc:
            raise ParseError(name, f"not valid TOML: {exc}") from exc
        except UnicodeDecodeError as exc:  # an image or a file saved in another encoding
            raise ParseError(name, "not a TOML text file: TOML is UTF-8 text (a profile such as "
                                   "timezone = \"Europe/Paris\")", offset=exc.start) from exc
        known = (PROFILE_FIELDS - {"tz"}) | {"timezone"}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ParseError(name, f"unknown keys {unknown}; expected some of {sorted(known)}")
        if "timezone" not in data:
            raise ParseError(name, "missing 'timezone' (an IANA name such as 'Europe/Paris')")
        for key, (low, high) in PROFILE_RANGES.items():
            v = data.get(key)
            number = isinstance(v, (int, float)) and not isinstance(v, bool)
            if v is not None and not (number and low <= v <= high):
                raise ParseError(name, f"{key} = {v!r}: expected a number from {low:g} to {high:g} (or leave "
                                 "it out to have it estimated)")
        values = {("tz" if k == "timezone" else k): v for k, v in data.items()}
        try:
            return cls(**values)
        except UnknownTimeZoneError as exc:
            raise UnknownTimeZoneError(exc.tz, name) from exc
        except (TypeError, ValueError) as exc:
            raise ParseError(name, str(exc)) from exc

    def resolved(
        self, activities: Sequence[Activity] = (), diary_context: pd.DataFrame | None = None
    ) -> Athlete:
        """Fill missing values from the data where that is sound, recording how.

        - ``max_hr``: the highest 30-s rolling median heart rate over all
          activities (so a one-sample spike cannot set it), when at least 5
          activities have heart rate;
        - ``threshold_hr``: 88 % of ``max_hr``;
        - ``resting_hr``: assumed 60 bpm;
        - ``body_mass_kg``: the median of the diary's ``weight_before_kg``.
        """
        prov = dict(self.provenance)
        values: dict[str, Any] = {}
        if self.max_hr is None:
            est = estimate_max_hr(activities)
            if est is not None:
                values["max_hr"] = est
                prov["max_hr"] = f"estimated: highest {MAX_HR_WINDOW_S}-s rolling median over the activities"
        max_hr = values.get("max_hr", self.max_hr)
        if self.threshold_hr is None and max_hr is not None:
            values["threshold_hr"] = round(THRESHOLD_FRACTION_OF_MAX * max_hr, 1)
            prov["threshold_hr"] = f"estimated: {THRESHOLD_FRACTION_OF_MAX:.0%} of max_hr"
        if self.resting_hr is None:
            values["resting_hr"] = DEFAULT_RESTING_HR
            prov["resting_hr"] = f"assumed: {DEFAULT_RESTING_HR:g} bpm"
        if self.body_mass_kg is None and diary_context is not None and "weight_before_kg" in diary_context:
            w = pd.to_numeric(diary_context["weight_before_kg"], errors="coerce").dropna()
            if len(w):
                values["body_mass_kg"] = float(w.median())
                prov["body_mass_kg"] = "estimated: median of diary weight_before_kg"
        return replace(self, **values, provenance=prov)


def _sustained_peak(act: Activity) -> dict[str, float | None]:
    """The highest 30-s rolling median heart rate of one activity [bpm], None without enough."""
    rec = act.records
    if "heart_rate_bpm" not in rec or rec["heart_rate_bpm"].notna().sum() < MAX_HR_WINDOW_S:
        return {"peak": None}
    hr = rec["heart_rate_bpm"].dropna()
    rolled = hr.rolling(f"{MAX_HR_WINDOW_S}s", min_periods=max(3, MAX_HR_WINDOW_S // 10)).median()
    return {"peak": float(rolled.max()) if rolled.notna().any() else None}


def estimate_max_hr(activities: Sequence[Activity]) -> float | None:
    """Highest sustained heart rate: the max of a 30-s rolling median per activity [bpm]."""
    # each activity's peak is kept beside its cache entry: a warm analysis reads no records
    name = f"sustained-hr-peak-{code_digest(__name__)}"
    found = (act.derived(name, _sustained_peak)["peak"] for act in activities)
    peaks = [p for p in found if p is not None]
    if len(peaks) < MIN_ACTIVITIES_FOR_MAX_HR:
        return None
    return float(np.round(max(peaks), 1))


#: The fields of a profile, as :class:`Athlete` names them (``provenance`` aside).
PROFILE_FIELDS = frozenset(f.name for f in fields(Athlete)) - {"provenance"}
