"""The scale library: the built-in definitions plus those a school adds to `<data dir>/scales/`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from xinqiao.screening.definitions import (
    ScaleDefinition,
    ScaleDefinitionError,
    Wording,
    load_definition,
)

BUILT_IN_DIR = Path(__file__).parent / "scales"


def school_scales_dir() -> Path:
    from django.conf import settings

    return settings.DATA_DIR / "scales"


@dataclass
class ScaleLibrary:
    definitions: dict[tuple[str, str], ScaleDefinition] = field(default_factory=dict)
    files: dict[tuple[str, str], Path] = field(default_factory=dict)

    def get(self, scale_id: str, version: str) -> ScaleDefinition:
        return self.definitions[(scale_id, version)]

    def add(self, path: Path, definition: ScaleDefinition) -> None:
        if definition.key in self.definitions:
            raise ScaleDefinitionError(
                path,
                None,
                f"scale {definition.id!r} version {definition.version!r} is already defined "
                f"in {self.files[definition.key]}; give this file another version",
            )
        self.definitions[definition.key] = definition
        self.files[definition.key] = path


DEMO_WORDINGS_DIR = Path(__file__).parent / "demo_wordings"


def scale_directories() -> list[Path]:
    """Built-in definitions, the school's folder, and any the settings add (the tests add the
    demo wordings; the demo school copies them into its own folder as a school would)."""
    from django.conf import settings

    extra = [Path(d) for d in getattr(settings, "SCREENING_EXTRA_SCALE_DIRS", ())]
    return [BUILT_IN_DIR, school_scales_dir(), *extra]


def scale_files(directories: list[Path] | None = None) -> list[Path]:
    if directories is None:
        directories = scale_directories()
    return [path for d in directories if d.is_dir() for path in sorted(d.glob("*.yaml"))]


def load_library(directories: list[Path] | None = None) -> tuple[ScaleLibrary, list[str]]:
    """Every definition that loads, with the wording files added, and one message per file
    that does not load."""
    library, errors, wordings = ScaleLibrary(), [], []
    for path in scale_files(directories):
        try:
            loaded = load_definition(path)
            if isinstance(loaded, Wording):
                wordings.append((path, loaded))
            else:
                library.add(path, loaded)
        except ScaleDefinitionError as error:
            errors.append(str(error))
    for path, wording in wordings:
        key = (wording.wording_for, wording.version)
        if key not in library.definitions:
            errors.append(f"{path}: wording_for: no scale {key[0]!r} version {key[1]!r}")
            continue
        try:
            library.definitions[key] = library.definitions[key].with_wording(wording)
        except ValueError as error:
            errors.append(f"{path}: {error}")
    return library, errors


_cache: dict = {}


def current_library() -> ScaleLibrary:
    """The deployment's library, loaded again only when a file changes (every answer saved
    and every submit needs its scale: reading the YAML each time would cost more than them)."""
    files = scale_files()
    signature = tuple((str(p), p.stat().st_mtime_ns) for p in files)
    if _cache.get("signature") != signature:
        _cache["library"], _cache["errors"] = load_library()
        _cache["signature"] = signature
    return _cache["library"]
