"""Issue 11: the access kernel and the layers hold, and each check fails on what breaks it."""

from __future__ import annotations

import sys
from pathlib import Path

from importlinter.cli import lint_imports

from tests.architecture import bypasses_in_source, kernel_bypasses, undeclared_models
from xinqiao.core.access import ProtectedModel

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "src" / "xinqiao"
FIXTURES = Path(__file__).resolve().parent / "architecture_fixtures"


def test_every_model_with_a_school_or_confidential_text_declares_who_sees_it():
    assert undeclared_models() == []


def test_a_model_without_a_declaration_fails_the_check():
    from tests.testapp.models import SecretNote, SecretNoteComment, UndeclaredNote

    assert undeclared_models([SecretNote, SecretNoteComment, UndeclaredNote]) == [
        "testapp.UndeclaredNote"
    ]


def test_no_view_or_api_module_fetches_a_protected_model_around_the_kernel():
    found = kernel_bypasses(SOURCE)
    assert not found, "fetch these through the app's access.py:\n" + "\n".join(map(str, found))


def test_the_kernel_check_finds_every_bypass_in_its_fixture():
    source = (FIXTURES / "bad_view.py").read_text(encoding="utf-8")
    found = bypasses_in_source(source, "bad_view.py", frozenset({"Case", "SessionRecord"}))
    assert [(b.line, b.what) for b in found] == [
        (12, "get_object_or_404(Case ...)"),
        (13, "SessionRecord.objects.filter"),
        (14, "Case.objects.select_related.filter.first"),
    ]


def test_protected_models_are_all_the_school_and_confidential_ones():
    """A sanity check of the first test: the big domains are protected at all."""
    from xinqiao.cases.models import Case, SessionRecord
    from xinqiao.crisis.models import Alert
    from xinqiao.rooms.models import Intake

    assert all(issubclass(m, ProtectedModel) for m in (Case, SessionRecord, Alert, Intake))


def test_the_layers_hold(capsys):
    """core → people → crisis → rooms → cases (pyproject.toml, [tool.importlinter])."""
    code = lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True)
    assert code == 0, capsys.readouterr().out


def test_the_import_contract_fails_on_a_lower_layer_importing_a_higher_one(capsys, monkeypatch):
    monkeypatch.setattr(sys, "path", [str(FIXTURES), *sys.path])
    code = lint_imports(config_filename=str(FIXTURES / "layers_broken.toml"), no_cache=True)
    out = capsys.readouterr().out
    assert code == 1, out
    assert "xq_layers_fixture.low is not allowed to import xq_layers_fixture.high" in out
