"""Every hook (the host's and the CRM's own) is documented in docs/hooks.md and has a test."""

import importlib
import inspect
import re
from pathlib import Path

import pytest

import host_stub.hookspecs

ROOT = Path(__file__).resolve().parent.parent
SPEC_MODULES = [host_stub.hookspecs, importlib.import_module("crm_module.hookspecs")] if importlib.util.find_spec(
    "crm_module.hookspecs") else [host_stub.hookspecs]


def hookspecs():
    for module in SPEC_MODULES:
        for name, function in vars(module).items():
            if inspect.isfunction(function) and hasattr(function, "host_stub_spec"):
                yield name, function


HOOKS = sorted(hookspecs(), key=lambda pair: pair[0])


def doc_sections() -> dict[str, str]:
    text = (ROOT / "docs" / "hooks.md").read_text(encoding="utf-8")
    parts = re.split(r"^### ", text, flags=re.M)[1:]
    return {part.split("\n", 1)[0].strip(): part for part in parts}


def test_every_hookspec_has_a_docstring():
    assert [name for name, function in HOOKS if not (function.__doc__ or "").strip()] == []


@pytest.mark.parametrize(("name", "function"), HOOKS, ids=[name for name, _ in HOOKS])
def test_hook_is_documented_with_its_exact_signature_and_an_example(name, function):
    signature = f"{name}({', '.join(inspect.signature(function).parameters)})"
    sections = doc_sections()
    assert signature in sections, f"docs/hooks.md needs a section '### {signature}'"
    assert "```python" in sections[signature], f"the section for {name} needs an example"
    assert f"def {name}(" in sections[signature], f"the example for {name} should implement it"


@pytest.mark.parametrize(("name", "function"), HOOKS, ids=[name for name, _ in HOOKS])
def test_hook_has_a_test(name, function):
    """A hook counts as tested when a test module other than this one names it."""
    sources = [p.read_text(encoding="utf-8") for p in (ROOT / "tests").rglob("test_*.py") if p.name != Path(__file__).name]
    assert any(name in source for source in sources), f"no test mentions the hook {name}"


def test_documentation_has_no_section_for_a_hook_that_does_not_exist():
    names = {name for name, _ in HOOKS}
    documented = {heading.split("(")[0] for heading in doc_sections() if "(" in heading}
    assert documented - names == set()
