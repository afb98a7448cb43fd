"""The command line: the demo runs, bad input gives one line and a non-zero exit."""

import subprocess
import sys

from click.testing import CliRunner

from npl_xl.cli import main


def test_demo_prints_every_core_model():
    result = CliRunner().invoke(main, ["demo"])
    assert result.exit_code == 0, result.output
    for word in ("Merton", "KMV", "Diversity score", "Alternative diversity", "BET", "Ratings", "illustrative"):
        assert word in result.output
    assert "12.3954" in result.output          # Hull's asset value, printed to 4 decimals


def test_console_script_version():
    out = subprocess.run([sys.executable, "-m", "npl_xl.cli", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and "npl-xl" in out.stdout
