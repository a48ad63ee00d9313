"""One CLI grammar: the program's options anywhere on the line."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from incident_kg.cli import main

from ..conftest import SAMPLES

CLI = [sys.executable, "-m", "incident_kg.cli"]


def test_quiet_and_verbose_may_follow_the_command(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    loud = subprocess.run(  # a process of its own: logging is configured once per process
        [*CLI, "build", str(SAMPLES / "s01-chuo-staff-phone.txt"), "--store", store, "-v"],
        capture_output=True,
        text=True,
    )
    assert loud.returncode == 0, loud.stderr
    assert "INFO incident_kg.graph.build: loaded s01-chuo-staff-phone.txt" in loud.stderr
    quiet = CliRunner().invoke(main, ["info", "-q", "--store", store])
    assert quiet.exit_code == 0 and "reports" in quiet.stdout


def test_nothing_after_a_double_dash_is_taken_for_an_option(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["extract", "--", "-q"])
    assert result.exit_code != 0
    assert "-q" in result.stderr  # read as the name of a report, not as --quiet


# -- the same option for the same thing, walked through every command's options ----------


def _commands(
    group: click.Group = main, path: tuple[str, ...] = ()
) -> Iterator[tuple[str, click.Command]]:
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from _commands(command, (*path, name))
        else:
            yield " ".join((*path, name)), command


def _options(command: click.Command) -> dict[str, click.Option]:
    """The visible options of a command, by each of their names."""
    return {
        name: p
        for p in command.params
        if isinstance(p, click.Option) and not p.hidden
        for name in p.opts
    }


RDF_SYNTAXES = ["turtle", "ntriples", "nquads", "trig", "jsonld"]


def test_an_rdf_syntax_is_always_rdf_format_with_the_same_choices() -> None:
    found = {}
    for path, command in _commands():
        option = _options(command).get("--rdf-format")
        if option is not None:
            assert isinstance(option.type, click.Choice)
            found[path] = list(option.type.choices)
        formats = _options(command).get("--format")
        if formats is not None:
            assert isinstance(formats.type, click.Choice)
            assert not set(formats.type.choices) & set(RDF_SYNTAXES), path
    assert set(found) >= {"export", "import", "validate"}
    assert found.pop("export") == [*RDF_SYNTAXES, "wadm"]  # and the evidence as annotations
    assert all(choices == RDF_SYNTAXES for choices in found.values())


def test_the_export_formats_are_the_writers_the_export_has() -> None:
    from incident_kg.export.formats import FORMATS
    from incident_kg.export.formats import RDF_SYNTAXES as READABLE

    option = _options(main.commands["export"])["--rdf-format"]
    assert isinstance(option.type, click.Choice)
    assert list(option.type.choices) == list(FORMATS) and list(READABLE) == RDF_SYNTAXES


def test_format_always_offers_a_table_for_people_and_json_for_programs() -> None:
    for path, command in _commands():
        option = _options(command).get("--format")
        if option is not None:
            assert isinstance(option.type, click.Choice)
            assert {"table", "json"} <= set(option.type.choices), path
            assert option.default in ("table", "json"), path


def test_every_command_on_a_store_takes_store_and_every_writer_wait() -> None:
    writers = {"build", "reason", "import", "imports", "reports remove"}
    for path, command in _commands():
        options = _options(command)
        if path in writers:
            assert "--store" in options and "--wait" in options, path


def test_format_never_names_an_rdf_syntax(tmp_path: Path) -> None:
    """Regression (newcomer walk-through): `export --format json` was read as an RDF syntax
    (a hidden old spelling) and refused json; --format is what a command prints."""
    store = str(tmp_path / "store")
    built = CliRunner().invoke(
        main, ["build", str(SAMPLES / "s01-chuo-staff-phone.txt"), "--store", store, "-q"]
    )
    assert built.exit_code == 0, built.output
    old = CliRunner().invoke(main, ["export", "--store", store, "--format", "ntriples"])
    assert old.exit_code == 2 and "--rdf-format" in old.stderr
    new = CliRunner().invoke(main, ["export", "--store", store, "--rdf-format", "ntriples"])
    assert new.exit_code == 0 and new.stdout.startswith("<")


def test_every_listing_of_records_also_writes_csv() -> None:
    listings = {"query", "imports", "reports list", "review", "lexicon suggest"}
    listings |= {path for path, _ in _commands() if path.startswith("analyze ")}
    for path, command in _commands():
        if path in listings:
            option = _options(command)["--format"]
            assert isinstance(option.type, click.Choice)
            assert "csv" in option.type.choices, path


def test_a_command_that_writes_files_names_them_with_o_output() -> None:
    for path in ("export", "view"):
        option = _options(main.commands[path])["--output"]
        assert "-o" in option.opts, path
    assert "--out" not in _options(main.commands["view"])  # the old name: hidden, still read


def test_lang_is_one_option_with_one_default_everywhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INCIDENT_KG_LANG", raising=False)
    langs = {path: _options(c)["--lang"] for path, c in _commands() if "--lang" in _options(c)}
    assert {"view", "import", "validate", "analyze shared-causes"} <= set(langs)
    for path, option in langs.items():
        assert isinstance(option.type, click.Choice) and set(option.type.choices) == {"ja", "en"}
        assert option.get_default(click.Context(click.Command(path))) == "en", path
    monkeypatch.setenv("INCIDENT_KG_LANG", "ja")
    assert all(o.get_default(click.Context(click.Command(p))) == "ja" for p, o in langs.items())


def test_every_ranked_listing_takes_top(seeds_store_path: Path) -> None:
    ranked = ("shared-causes", "cooccurrence", "similar", "recommend", "effectiveness")
    for name in ranked:
        assert "--top" in _options(main.commands["analyze"].commands[name]), name  # type: ignore[attr-defined]
    result = CliRunner().invoke(
        main,
        [
            "analyze",
            "cooccurrence",
            "--store",
            str(seeds_store_path),
            "--top",
            "2",
            "--format",
            "csv",
        ],
    )
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == 1 + 2


def _on_a_terminal(args: list[str], rows: int = 24, cols: int = 80) -> str:
    """What a command writes to stderr when stderr is a terminal, as a person sees."""
    import fcntl
    import os
    import struct
    import termios

    leader, follower = os.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    proc = subprocess.Popen([*CLI, *args], stdout=subprocess.DEVNULL, stderr=follower)
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        seen += chunk
    proc.wait(timeout=120)
    os.close(leader)
    return seen.decode("utf-8", "replace")


def test_analysis_shows_its_progress_on_a_terminal_and_not_with_quiet(
    seeds_store_path: Path,
) -> None:
    """Issue 20: progress bars on analysis and views, none with -q."""
    args = ["analyze", "shared-causes", "--store", str(seeds_store_path)]
    assert "analyze:" in _on_a_terminal(args) and "reports" in _on_a_terminal(args)
    assert "analyze:" not in _on_a_terminal([*args, "-q"])


def test_a_terminal_that_reports_no_size_still_shows_progress(tmp_path: Path) -> None:
    """Regression (newcomer walk-through, under `script`): a pseudo-terminal of size 0 × 0
    made every progress bar invisible."""
    report = str(SAMPLES / "s01-chuo-staff-phone.txt")
    seen = _on_a_terminal(["build", report, "--store", str(tmp_path / "s")], rows=0, cols=0)
    assert "build:" in seen and "1/1" in seen


def test_query_takes_top_and_lists_its_questions_as_csv(seeds_store_path: Path) -> None:
    """Regression (second walk-through): `query … --top 3` was refused and `query --list
    --format csv` printed a table."""
    store = ["--store", str(seeds_store_path), "--format", "csv"]
    top = CliRunner().invoke(main, ["query", "shared-root-causes", "--top", "2", *store])
    whole = CliRunner().invoke(main, ["query", "shared-root-causes", *store])
    assert top.exit_code == whole.exit_code == 0, top.output
    assert top.stdout.splitlines() == whole.stdout.splitlines()[:3]  # header, two rows
    listed = CliRunner().invoke(main, ["query", "--list", "--format", "csv"])
    assert listed.stdout.splitlines()[0] == "name,title,parameters"
