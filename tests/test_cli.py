"""The command line: the demo runs, bad input gives one line and a non-zero exit."""

import subprocess
import sys

from click.testing import CliRunner

from npl_xl.cli import main


def test_demo_prints_every_core_model():
    result = CliRunner().invoke(main, ["demo"])
    assert result.exit_code == 0, result.output
    for word in (
        "Merton",
        "KMV",
        "Diversity score",
        "Alternative diversity",
        "BET",
        "Ratings",
        "illustrative",
    ):
        assert word in result.output
    assert "12.3954" in result.output  # Hull's asset value, printed to 4 decimals


def test_console_script_version():
    out = subprocess.run(
        [sys.executable, "-m", "npl_xl.cli", "--version"], capture_output=True, text=True
    )
    assert out.returncode == 0 and "npl-xl" in out.stdout


def test_deal_command_on_examples_and_files(tmp_path):
    runner = CliRunner()
    for name in ("credit_card", "mortgage"):
        out = runner.invoke(main, ["deal", "--example", name])
        assert out.exit_code == 0 and "break-even" in out.output and "Senior" in out.output
    bad = tmp_path / "bad.json"
    bad.write_text(
        '{"name": "x", "tranches": [{"name": "A", "balance": 1, "coupon": 3.3, "seniority": 1}]}'
    )
    out = runner.invoke(main, ["deal", str(bad)])
    assert out.exit_code == 1
    assert out.output.strip().splitlines() == [
        "npl-xl: error: tranches[0].coupon: 3.3 looks like a percent; "
        "give decimals (0.033 for 3.3 %)"
    ]
    assert runner.invoke(main, ["deal"]).exit_code != 0
