"""Code fingerprints: the package files a workflow job runs, found from its imports.

A rule's params carry the fingerprint of its script's import closure inside the
package (imports anywhere in a module, lazy ones included, and the parent packages
Python runs with them), plus the data folders a module reads beside itself
(`Path(__file__).parent / "prompts"`). An edit to any of those files re-runs the rule;
an edit anywhere else does not.

Registries name interchangeable implementations (the unlearning methods, the
generation backends). A job runs one of them, so a registry is neither followed nor
hashed: the job names the implementation it runs, whose own closure joins its print.
Adding a method to a registry then re-runs nothing that exists.
"""

from __future__ import annotations

import ast
import hashlib
from pathlib import Path

PACKAGE = "unlearnflow"
REGISTRIES = frozenset({"unlearnflow.methods", "unlearnflow.data.backends"})


class PackageCode:
    """The import graph of one copy of the package (the workflow's own `src/unlearnflow`).
    Fingerprints are kept once computed: the files do not change while a DAG is built."""

    def __init__(self, package_dir: Path):
        self.package_dir = Path(package_dir).resolve()
        self._fingerprints: dict[tuple[Path, tuple[str, ...]], str] = {}

    def module_file(self, module: str) -> Path | None:
        """The source file of a package module, or None for a module outside the package."""
        if module != PACKAGE and not module.startswith(PACKAGE + "."):
            return None
        path = self.package_dir.joinpath(*module.split(".")[1:])
        if path.is_dir():
            return path / "__init__.py"
        source = path.with_suffix(".py")
        return source if source.is_file() else None

    def module_name(self, file: Path) -> str | None:
        """The dotted name of a package file; None for a file outside (a script)."""
        if not file.resolve().is_relative_to(self.package_dir):
            return None
        relative = file.resolve().relative_to(self.package_dir).with_suffix("")
        parts = [PACKAGE, *relative.parts]
        return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)

    def dependencies(self, file: Path) -> tuple[set[str], set[Path]]:
        """The package modules one source file imports, and the data paths it reads."""
        tree = ast.parse(file.read_text(), filename=str(file))
        module = self.module_name(file) or ""
        is_package = file.name == "__init__.py"
        imported = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    imported.update(_with_parents(alias.name))
            elif isinstance(node, ast.ImportFrom):
                base = _absolute(node, module, is_package)
                imported.update(_with_parents(base))
                # `from package import name`: name may be a submodule
                imported.update(f"{base}.{alias.name}" for alias in node.names)
        modules = {name for name in imported if self.module_file(name) is not None}
        return modules, _data_paths(tree, file.parent)

    def closure(self, entry: Path, implementations: tuple[str, ...] = ()) -> list[Path]:
        """Every package file (and data path) that `entry` runs, sorted; registries are
        skipped, and `implementations` (module names) join as the registered parts it runs."""
        files: set[Path] = set()
        pending = [Path(entry)] + [self.module_file(name) for name in implementations]
        seen: set[Path] = set()
        while pending:
            file = pending.pop()
            if file in seen:
                continue
            seen.add(file)
            if self.module_name(file) is not None:
                files.add(file)
            modules, data = self.dependencies(file)
            files.update(data)
            pending += [self.module_file(m) for m in modules if m not in REGISTRIES]
        return sorted(files)

    def fingerprint(self, entry: Path, implementations: tuple[str, ...] = ()) -> str:
        """SHA-256 over the closure's files, each named by its path inside the package;
        a data folder counts with every file in it, Python's bytecode caches excluded."""
        key = (Path(entry), tuple(implementations))
        if key not in self._fingerprints:
            self._fingerprints[key] = self._digest(*key)
        return self._fingerprints[key]

    def _digest(self, entry: Path, implementations: tuple[str, ...]) -> str:
        digest = hashlib.sha256()
        for path in self.closure(entry, implementations):
            files = sorted(path.rglob("*")) if path.is_dir() else [path]
            for file in (f for f in files if f.is_file() and "__pycache__" not in f.parts):
                digest.update(str(file.relative_to(self.package_dir)).encode())
                digest.update(file.read_bytes())
        return digest.hexdigest()[:16]


def _absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    """The module an ImportFrom names, its dots resolved against `module`."""
    if not node.level:
        return node.module or ""
    anchor = module.split(".")
    anchor = anchor[: len(anchor) - node.level + (1 if is_package else 0)]
    return ".".join(anchor + ([node.module] if node.module else []))


def _with_parents(module: str) -> list[str]:
    """`a.b.c` and the packages Python imports before it: `a`, `a.b`."""
    parts = module.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


def _data_paths(tree: ast.AST, folder: Path) -> set[Path]:
    """Files or folders read as `Path(__file__).parent / "name"`."""
    paths = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.BinOp)
            and isinstance(node.op, ast.Div)
            and isinstance(node.right, ast.Constant)
            and isinstance(node.right.value, str)
            and ast.unparse(node.left) == "Path(__file__).parent"
        ):
            paths.add(folder / node.right.value)
    return paths
