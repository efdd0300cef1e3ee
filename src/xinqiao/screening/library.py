"""The scale library: the built-in definitions plus those a school adds to `<data dir>/scales/`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from xinqiao.screening.definitions import ScaleDefinition, ScaleDefinitionError, load_definition

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


def scale_files(directories: list[Path] | None = None) -> list[Path]:
    if directories is None:
        directories = [BUILT_IN_DIR, school_scales_dir()]
    return [path for d in directories if d.is_dir() for path in sorted(d.glob("*.yaml"))]


def load_library(directories: list[Path] | None = None) -> tuple[ScaleLibrary, list[str]]:
    """Every definition that loads, and one message per file that does not."""
    library, errors = ScaleLibrary(), []
    for path in scale_files(directories):
        try:
            library.add(path, load_definition(path))
        except ScaleDefinitionError as error:
            errors.append(str(error))
    return library, errors
