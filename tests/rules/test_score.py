"""The personal estimate a factor weighs with: the runner's history never raises a factor the
studies argue against unless it shows a clear effect."""

from __future__ import annotations

import math

from runtwitch.rules.score import (
    NULL_LITERATURE_GRADES,
    contribution,
    personal_from_counts,
    used_log_rr,
)

#: The prior of "a fluid loss of 2-3 % of body mass" for twitches (weak evidence: RR 1.05, SD 0.5).
PRIOR, SIGMA = math.log(1.05), 0.5


def test_a_null_history_never_raises_a_weak_factor() -> None:
    """The sample season's first episode (3.2 % body-mass loss): the runner's history of 2-3 % losses,
    1 episode after 4 such runs against 12 after 53 others ("about 1.2x, 0.6-2.4", no effect), raised
    the factor above the literature's RR 1.05 and made 'Heat and fluid loss' the headline."""
    assert "weak" in NULL_LITERATURE_GRADES
    none = personal_from_counts(0, 0, 0, 0, PRIOR, SIGMA)  # no history: the literature
    null = personal_from_counts(4, 1, 53, 12, PRIOR, SIGMA)
    assert null.log_rr > PRIOR and null.low < 0 < null.high  # the estimate moved up, the interval spans 1
    u = 0.8
    without = contribution(u, used_log_rr(none, none.log_rr, "weak"))
    with_history = contribution(u, used_log_rr(null, none.log_rr, "weak"))
    assert with_history <= without
    # a history at the runner's own base rate lowers it
    flat = personal_from_counts(10, 2, 50, 10, PRIOR, SIGMA)
    assert contribution(u, used_log_rr(flat, none.log_rr, "weak")) < without
    # a clear history (its interval above no effect) still raises it
    clear = personal_from_counts(20, 15, 40, 2, PRIOR, SIGMA)
    assert clear.low > 0 and used_log_rr(clear, none.log_rr, "weak") == clear.log_rr > PRIOR
    # factors nobody studied (expert opinion) keep the runner's estimate: their history is all there is
    assert used_log_rr(null, none.log_rr, "expert opinion") == null.log_rr
