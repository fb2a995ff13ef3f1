"""What the system refused, in the user's language (issue 9): never strerror's English."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from clustbudget.i18n import render
from clustbudget.i18n.oserrors import os_reason
from clustbudget.loading import read

from .conftest import EXAMPLE

NAMES = ["ENOENT", "EACCES", "EISDIR", "ENOSPC", "EROFS", "ENOTDIR", "ELOOP", "ENAMETOOLONG", "EMFILE", "EIO"]


@pytest.mark.parametrize("name", NAMES)
def test_each_errno_is_worded_through_the_catalogue(name):
    code = getattr(errno, name)
    exc = OSError(code, os.strerror(code), "x.yaml")
    english, italian = render(os_reason(exc), "en"), render(os_reason(exc), "it")
    assert english != os.strerror(code)  # our words, not the C library's
    assert italian != english
    assert os.strerror(code) not in italian


def test_an_unknown_errno_keeps_the_systems_words_with_its_name():
    exc = OSError(errno.ECONNRESET, "Connection reset by peer")
    assert render(os_reason(exc), "it") == "ECONNRESET: Connection reset by peer"


def test_unreadable_file_is_a_finding_in_italian(tmp_path, monkeypatch):
    target = tmp_path / "b.yaml"
    target.write_text("clustbudget: 1\n")

    def refuse(self: Path) -> bytes:
        raise PermissionError(errno.EACCES, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", refuse)
    loaded = read(target, "b.yaml")
    [f] = loaded.findings
    assert f.code == "CB001"
    assert render(f.message, "it") == "impossibile leggere il file: permesso negato"
    assert render(f.message, "en") == "cannot read the file: permission denied"


def test_a_full_disk_while_exporting_is_said_in_italian(tmp_path, monkeypatch):
    from clustbudget import pipeline, xlsx

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(xlsx, "export_budget", full)
    plan = pipeline.plan_export(EXAMPLE, output=tmp_path / "b.xlsx")
    with pytest.raises(pipeline.Refused) as refused:
        pipeline.write_export(plan)
    italian = render(refused.value.message, "it")
    assert italian.endswith("b.xlsx: impossibile scrivere il file: spazio esaurito sul disco")
    assert "No space left" not in render(refused.value.message, "it")


def test_a_symlink_loop_is_a_finding_not_an_internal_error(cli, tmp_path):
    loop = tmp_path / "loop.yaml"
    loop.symlink_to(loop)
    r = cli("validate", loop, "--lang", "it")
    assert r.returncode == 2, r.stdout + r.stderr
    assert "CB001" in r.stdout and "troppi collegamenti simbolici" in r.stdout, r.stdout + r.stderr
    assert "Traceback" not in r.stderr and "errore interno" not in r.stderr


def test_a_path_through_a_file_and_a_name_too_long(cli, tmp_path):
    (tmp_path / "f.yaml").write_text("x: 1\n")
    r = cli("validate", tmp_path / "f.yaml" / "b.yaml", "--lang", "it")
    assert r.returncode == 2
    assert "una parte del percorso non è una cartella" in r.stdout, r.stdout + r.stderr
    long = tmp_path / ("a" * 300 + ".yaml")
    r = cli("validate", long, "--lang", "it")
    assert r.returncode == 2, r.stdout + r.stderr
    assert "il nome del file è troppo lungo" in r.stdout + r.stderr
    assert "File name too long" not in r.stdout + r.stderr
    assert len((r.stdout + r.stderr).strip().splitlines()) <= 2


def test_every_workbook_writer_words_a_full_disk_in_the_language(tmp_path, monkeypatch):
    """The variation and portfolio workbooks were refused with the system's English strerror."""
    from clustbudget import pipeline, portfolio, xlsx

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(xlsx, "export_variation", full)
    monkeypatch.setattr(xlsx, "_write", full)
    old = EXAMPLE.with_name(EXAMPLE.stem + ".V1.yaml")
    variation = pipeline.compared_budgets(old, EXAMPLE)
    calls = [
        lambda: pipeline.write_variation(variation, tmp_path / "v.xlsx"),
        lambda: portfolio.write_workbook(portfolio.portfolio([EXAMPLE]), tmp_path / "s.xlsx"),
    ]
    for call in calls:
        with pytest.raises(pipeline.Refused) as refused:
            call()
        assert render(refused.value.message, "it").endswith(
            ".xlsx: impossibile scrivere il file: spazio esaurito sul disco"
        )
        assert render(refused.value.message, "en").endswith(
            ".xlsx: cannot be written: no space left on the disk"
        )
        assert refused.value.code == 2


def test_an_existing_target_is_refused_before_anything_is_written(tmp_path):
    from clustbudget import pipeline

    target = tmp_path / "b.xlsx"
    target.write_bytes(b"mine")
    with pytest.raises(pipeline.Refused) as refused:
        pipeline.plan_export(EXAMPLE, output=target)
    assert "--force" in render(refused.value.message, "en")
    with pytest.raises(pipeline.Refused) as refused:
        pipeline.plan_export(EXAMPLE, output=tmp_path / "b.ods")
    assert render(refused.value.message, "en").endswith("b.ods: the workbook's name must end in .xlsx")
    assert target.read_bytes() == b"mine"
