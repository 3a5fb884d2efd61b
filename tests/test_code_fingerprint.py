"""Code fingerprints from import closures: what a job runs, and only that."""

from pathlib import Path

import pytest

from unlearnflow.code_fingerprint import PackageCode
from unlearnflow.data.backends import BACKENDS, make_backend
from unlearnflow.methods import METHODS

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ROOT / "scripts"
REAL = PackageCode(ROOT / "src" / "unlearnflow")


def closure(script, *implementations, code=REAL):
    scripts = SCRIPTS if code is REAL else code.package_dir.parent
    files = code.closure(scripts / script, implementations)
    return {str(path.relative_to(code.package_dir)) for path in files}


def write(root: Path, files: dict[str, str]) -> PackageCode:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return PackageCode(root / "unlearnflow")


@pytest.fixture
def package(tmp_path):
    """A scratch package: an entry script, a chain of imports three deep (absolute,
    relative, lazy, `from package import module`), a registry and a data folder."""
    return write(
        tmp_path,
        {
            "script.py": "from unlearnflow.top import run\n",
            "unlearnflow/__init__.py": "",
            "unlearnflow/top.py": "from .sub import middle\n",
            "unlearnflow/sub/__init__.py": "",
            "unlearnflow/sub/middle.py": (
                "from pathlib import Path\nTEXTS = Path(__file__).parent / 'texts'\n"
                "def f():\n    from ..deep import leaf\n"
            ),
            "unlearnflow/sub/texts/a.txt": "a prompt",
            "unlearnflow/deep/__init__.py": "",
            "unlearnflow/deep/leaf.py": "import json\nfrom unlearnflow import plugins\n",
            "unlearnflow/plugins/__init__.py": "from . import one, two\n",
            "unlearnflow/plugins/one.py": "from unlearnflow.deep import leaf\n",
            "unlearnflow/plugins/two.py": "",
            "unlearnflow/unused.py": "",
        },
    )


def test_closure_follows_every_kind_of_import_and_declared_data(package, monkeypatch):
    monkeypatch.setattr("unlearnflow.code_fingerprint.REGISTRIES", {"unlearnflow.plugins"})
    files = closure("script.py", code=package)
    expected = {
        "__init__.py",
        "top.py",
        "sub/__init__.py",
        "sub/middle.py",
        "sub/texts",
        "deep/__init__.py",
        "deep/leaf.py",
    }
    assert files == expected
    assert closure("script.py", "unlearnflow.plugins.one", code=package) == expected | {
        "plugins/one.py"
    }


def test_fingerprint_changes_with_a_deep_file_and_its_data_only(package, monkeypatch):
    monkeypatch.setattr("unlearnflow.code_fingerprint.REGISTRIES", {"unlearnflow.plugins"})
    root = package.package_dir
    script = root.parent / "script.py"

    def fingerprint():  # a fresh graph, as each DAG build makes one
        return PackageCode(root).fingerprint(script, ("unlearnflow.plugins.one",))

    before = fingerprint()
    for untouched in ("unused.py", "plugins/two.py", "plugins/__init__.py"):
        (root / untouched).write_text("# an edit\n")
        assert fingerprint() == before, untouched
    (root / "sub" / "__pycache__").mkdir()
    (root / "sub" / "__pycache__" / "middle.pyc").write_bytes(b"compiled")
    assert fingerprint() == before
    for edited in ("deep/leaf.py", "sub/texts/a.txt", "plugins/one.py"):
        (root / edited).write_text((root / edited).read_text() + "\n# an edit\n")
        assert fingerprint() != before, edited
        before = fingerprint()


def test_a_sweep_point_runs_its_own_method_and_what_it_imports():
    sure = closure("unlearn.py", METHODS["sure"].__module__)
    assert {"methods/sure.py", "methods/saliency.py", "methods/gd.py", "methods/base.py"} <= sure
    assert {"unlearn.py", "train.py", "scoring.py", "token_logprobs.py"} <= sure
    assert "methods/__init__.py" not in sure  # the registry: adding a method re-runs nothing
    gd = closure("unlearn.py", METHODS["gd"].__module__)
    assert "methods/ga.py" not in gd and "methods/npo.py" not in gd


def test_evaluation_runs_metrics_and_quantization_but_no_training_loop():
    files = closure("evaluate.py")
    assert {"metrics/leakage.py", "metrics/rouge.py", "prompt_pass.py", "quantize.py"} <= files
    assert "train.py" not in files and not any(f.startswith("methods/") for f in files)


def test_generation_runs_its_backend_and_its_prompts():
    template = closure("generate_qa.py", BACKENDS["template"][0])
    assert "data/template.py" in template and "data/llm_client.py" not in template
    assert "data/backends.py" not in template
    openai = closure("generate_qa.py", BACKENDS["openai"][0])
    assert {"data/llm_backend.py", "data/llm_client.py", "data/prompts"} <= openai


def test_an_unknown_backend_is_named():
    with pytest.raises(ValueError, match="generation.backend: unknown backend 'nope'"):
        make_backend({"name": "nope", "seed": 0})
