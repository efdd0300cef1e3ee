"""The architecture checks tests/test_architecture.py runs, each also run on a fixture that breaks it.

- every concrete model with a school or an encrypted field declares who sees it;
- no view or API module fetches a protected model except through the kernel.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.db import models

from xinqiao.core.access import ProtectedModel, declares_visibility
from xinqiao.core.fields import EncryptedTextField

# Queryset methods that read rows: on ``Model.objects`` of a protected model they bypass
# ``for_user`` unless the chain passes through it.
READING_METHODS = frozenset(
    {
        "all",
        "get",
        "filter",
        "exclude",
        "first",
        "last",
        "values",
        "values_list",
        "count",
        "exists",
        "in_bulk",
        "iterator",
        "aggregate",
        "get_or_create",
        "raw",
        "distinct",
    }
)


def needs_declaration(model: type[models.Model]) -> bool:
    fields = model._meta.concrete_fields
    has_school = any(field.name == "school" and field.is_relation for field in fields)
    has_secret = any(isinstance(field, EncryptedTextField) for field in fields)
    return has_school or has_secret


def undeclared_models(candidates: Iterable[type[models.Model]] | None = None) -> list[str]:
    """Labels of concrete models that have a school or confidential text and no declaration."""
    if candidates is None:
        candidates = [
            model for model in apps.get_models() if model.__module__.startswith("xinqiao.")
        ]
    return sorted(
        model._meta.label
        for model in candidates
        if not model._meta.abstract and needs_declaration(model) and not declares_visibility(model)
    )


def protected_model_names() -> frozenset[str]:
    return frozenset(
        model.__name__
        for model in apps.get_models()
        if issubclass(model, ProtectedModel) and model.__module__.startswith("xinqiao.")
    )


@dataclass(frozen=True)
class Bypass:
    path: str
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.what}"


def _chain(node: ast.AST) -> tuple[str | None, list[str]]:
    """(root name, method names called along the chain) of ``Model.objects.a().b()``."""
    methods: list[str] = []
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            methods.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Name):
            return node.id, list(reversed(methods))
        else:
            return None, list(reversed(methods))


def bypasses_in_source(source: str, path: str, protected: frozenset[str]) -> list[Bypass]:
    """Fetches of protected models that do not go through the kernel."""
    found: list[Bypass] = []
    tree = ast.parse(source)
    parents: dict[ast.AST, ast.AST] = {}
    for parent in ast.walk(tree):
        for child in ast.iter_child_nodes(parent):
            parents[child] = parent
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _chain(node.func) == ("get_object_or_404", []):
            root = _chain(node.args[0])[0] if node.args else None
            if root in protected:
                found.append(Bypass(path, node.lineno, f"get_object_or_404({root} ...)"))
        if (
            isinstance(node, ast.Attribute)
            and node.attr == "objects"
            and isinstance(node.value, ast.Name)
            and node.value.id in protected
        ):
            top = node
            while isinstance(parents.get(top), ast.Attribute | ast.Call) and (
                not isinstance(parents[top], ast.Call) or parents[top].func is top
            ):
                top = parents[top]
            methods = _chain(top)[1]
            if "for_user" in methods:
                continue
            reading = [m for m in methods if m in READING_METHODS]
            if reading:
                what = f"{node.value.id}.objects.{'.'.join(methods[1:])}"
                found.append(Bypass(path, node.lineno, what))
    return found


def view_and_api_modules(root: Path) -> list[Path]:
    """Modules that answer requests: views (modules or packages, areas included) and APIs."""
    found = []
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).parts
        if "migrations" in parts or "management" in parts:
            continue
        named = path.name in {"views.py", "api.py"} or path.name.startswith(("views_", "api_"))
        if named or "views" in parts[:-1]:
            found.append(path)
    return found


def kernel_bypasses(root: Path) -> list[Bypass]:
    protected = protected_model_names()
    found: list[Bypass] = []
    for path in view_and_api_modules(root):
        if path == root / "api.py":
            continue  # the API's composition root holds no endpoint of its own
        found += bypasses_in_source(path.read_text(encoding="utf-8"), str(path), protected)
    return found
