"""The findings table: verdicts follow the intervals, the gap's peak is found per method."""

import pytest

from unlearnflow.findings import findings_table, verdict


def test_verdict_follows_the_interval():
    assert verdict(0.25, 0.40, (0.24, 0.41)) == "yes"
    assert verdict(0.10, 0.20, (0.24, 0.41)) == "no"
    assert verdict(0.20, 0.30, (0.24, 0.41)) == "open"
    assert verdict(None, None, (0.24, 0.41)) == "--"


def sweep_row(lr, gap, low, high):
    point = f"unlearn/ga/lr~{lr}_epochs~3"
    return {
        "point": point,
        "unlearned": True,
        "method": "ga",
        "lr": lr,
        "retain_gap_rouge_l": gap,
        "retain_gap_rouge_l_ci_low": low,
        "retain_gap_rouge_l_ci_high": high,
    }


def quantize_row(scheme, recovery, point="unlearn/ga/lr~0.002_epochs~3"):
    return {
        "scheme": scheme,
        "point": point,
        "recovery_forget_rouge_l": recovery,
        "recovery_forget_prob": None,
    }


def test_gap_peak_at_medium_intensity_and_recovery_across_points():
    sweep = [
        sweep_row(0.002, -0.10, -0.2, 0.0),
        sweep_row(0.004, -0.30, -0.38, -0.26),  # the peak, in the middle of the grid
        sweep_row(0.008, -0.05, -0.1, 0.0),
    ]
    quantize = [quantize_row("rtn-int4", 0.2, "a"), quantize_row("rtn-int4", 0.4, "b")]
    table = findings_table(sweep, quantize, [], 0.95).reset_index()
    peak = table[table["finding"].str.startswith("retain gap size")].iloc[0]
    assert peak["finding"] == "retain gap size at its peak (medium intensity)"
    assert peak["subject"] == "ga lr=0.004 epochs=3"
    assert (peak["value"], peak["value low"], peak["value high"]) == pytest.approx(
        (0.3, 0.26, 0.38)
    )
    assert peak["verdict"] == "yes"
    recovery = table[table["finding"] == "recovery under quantization (forget rouge l)"].iloc[0]
    assert recovery["value"] == pytest.approx(0.3) and recovery["value low"] < 0.2


def test_four_bit_recovery_is_held_against_the_same_familys_eight_bit():
    """Zhang et al.'s claim, per point: rtn-int4 against rtn-int8, bnb-nf4 against
    bnb-int8; a point without a recovery under either scheme is left out."""
    recoveries = {
        "rtn-int8": [0.0, 0.1, 0.05, None],
        "rtn-int4": [0.3, 0.5, 0.4, 0.9],
        "bnb-int8": [0.1, 0.0, 0.1, 0.0],
        "bnb-nf4": [0.1, 0.05, 0.0, 0.0],
    }
    quantize = [
        quantize_row(scheme, value, point)
        for scheme, values in recoveries.items()
        for point, value in zip("abcd", values, strict=True)
    ]
    table = findings_table([], quantize, [], 0.95).reset_index()
    rows = table[table["finding"] == "4-bit minus 8-bit recovery (forget rouge l)"]
    rtn, bnb = rows.iloc[0], rows.iloc[1]
    assert rtn["subject"] == "rtn-int4 − rtn-int8, mean of 3 sweep points"
    assert rtn["value"] == pytest.approx(((0.3 - 0.0) + (0.5 - 0.1) + (0.4 - 0.05)) / 3)
    assert rtn["verdict"] == "yes"
    assert bnb["subject"] == "bnb-nf4 − bnb-int8, mean of 4 sweep points"
    assert bnb["verdict"] == "open"  # -0.0125 with an interval across 0
