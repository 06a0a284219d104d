"""`wellness suggestions evaluate`: the simulated clinic from the command line."""

from __future__ import annotations

import pytest
from click.testing import CliRunner, Result

from tests.conftest import TEST_NOW
from wellness.cli import main
from wellness.cli.common import CliState
from wellness.lib.clock import FixedClock
from wellness.suggestions.engine import ENGINE_VERSION


def run(*args: str) -> Result:
    return CliRunner().invoke(
        main, list(args), catch_exceptions=False, obj=CliState(FixedClock(TEST_NOW))
    )


def test_evaluate_prints_every_policy_and_a_verdict_per_target() -> None:
    result = run(
        "suggestions",
        "evaluate",
        *("--patients", "8", "--days", "5", "--seeds", "1", "--heterogeneity", "high"),
        "--sweep-calls",
        "20",
    )
    assert result.exit_code == 0, result.output
    assert "8 patients x 5 days x 1 seeds, high heterogeneity" in result.output
    for row in ("random (safe set)", "most popular", "rules only", "pooled Thompson"):
        assert row in result.output
    assert "this engine" in result.output
    assert "oracle" in result.output
    assert "Hostile inputs: 20 calls" in result.output
    verdicts = [line for line in result.output.splitlines() if line[:4] in {"PASS", "MISS", "n/a "}]
    assert any("0 safety violations" in line for line in verdicts)
    assert any("judged at medium heterogeneity" in line for line in verdicts)


@pytest.mark.parametrize(
    ("option", "header"),
    [
        (("--differ-by", "guidance"), "medium heterogeneity (patients differ by guidance, not by"),
        (("--catalog", "demo"), "4 suggestions a list, the demo catalog ("),
    ],
)
def test_evaluate_runs_other_clinics(option: tuple[str, str], header: str) -> None:
    result = run(
        "suggestions",
        "evaluate",
        *("--patients", "6", "--days", "4", "--seeds", "1", *option),
        *("--sweep-calls", "0"),
    )
    assert result.exit_code == 0, result.output
    assert header in result.output
    assert "this engine" in result.output


def test_evaluate_refuses_bad_options_naming_them() -> None:
    for args, named in (
        (("--patients", "0"), "--patients"),
        (("--heterogeneity", "extreme"), "--heterogeneity"),
        (("--differ-by", "mood"), "--differ-by"),
        (("--seeds", "three"), "--seeds"),
        (("--days", "366"), "--days"),
        (("--catalog", "library"), "--catalog"),
    ):
        result = CliRunner().invoke(main, ["suggestions", "evaluate", *args])
        assert result.exit_code == 2
        assert named in result.output


def test_the_group_is_listed_in_the_command_help() -> None:
    result = run("--help")
    assert result.exit_code == 0
    assert "suggestions" in result.output
    assert "evaluate" in run("suggestions", "--help").output


def test_report_on_a_clinic_without_logs_says_there_is_nothing_to_estimate(
    environment: dict[str, str],
) -> None:
    result = CliRunner().invoke(
        main,
        ["suggestions", "report"],
        env=environment,
        catch_exceptions=False,
        obj=CliState(FixedClock(TEST_NOW)),
    )
    assert result.exit_code == 0, result.output
    assert "Suggestion lists logged: 0 (none)" in result.output
    assert "No rated practice followed a logged list yet" in result.output
    assert ENGINE_VERSION in result.output
    assert "rules-1" in result.output
