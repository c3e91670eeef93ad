"""Every hook of the live plugin manager (the host's and the CRM's own) is typed, has a typed caller,
is documented in docs/hooks.md with its exact signature and an example, and has a test named after it."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest

from host_stub.hooks import HostHooks
from host_stub.plugins import PluginRegistry

ROOT = Path(__file__).resolve().parent.parent
#: Arguments documented once for every hook, at the top of docs/hooks.md.
COMMON_ARGUMENTS = {"host", "session"}


def live_hookspecs() -> list[tuple[str, object]]:
    """``(name, spec function)`` of every specified hook once discovery has loaded the modules."""
    registry = PluginRegistry()
    registry.discover()
    callers = [getattr(registry.pm.hook, name) for name in dir(registry.pm.hook) if not name.startswith("_")]
    return sorted((caller.name, caller.spec.function) for caller in callers if caller.has_spec())


HOOKS = live_hookspecs()
IDS = [name for name, _ in HOOKS]


def typed_signature(name: str, function) -> str:
    signature = inspect.signature(function)
    arguments = ", ".join(f"{p.name}: {p.annotation}" for p in signature.parameters.values())
    return f"{name}({arguments}) -> {signature.return_annotation}"


def doc_sections() -> dict[str, str]:
    text = (ROOT / "docs" / "hooks.md").read_text(encoding="utf-8")
    parts = re.split(r"^### ", text, flags=re.M)[1:]
    return {part.split("\n", 1)[0].strip(): part for part in parts}


def named_test_functions() -> set[str]:
    """Names of the test functions of every test module but this one (a comment or string does not count)."""
    names = set()
    for path in (ROOT / "tests").rglob("test_*.py"):
        if path.name == Path(__file__).name:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test"):
                names.add(node.name)
    return names



def test_the_live_plugin_manager_has_the_hosts_and_the_crms_hooks():
    assert {"customer_created", "menu_items", "crm_prospects_converted"} <= set(IDS)


@pytest.mark.parametrize(("name", "function"), HOOKS, ids=IDS)
def test_hook_has_a_docstring_and_every_argument_and_its_result_typed(name, function):
    signature = inspect.signature(function)
    assert (function.__doc__ or "").strip(), f"the hookspec {name} needs a docstring"
    untyped = [p.name for p in signature.parameters.values() if p.annotation is inspect.Parameter.empty]
    assert untyped == [], f"untyped arguments of {name}"
    assert signature.return_annotation is not inspect.Signature.empty, f"{name} needs a return annotation"


@pytest.mark.parametrize(("name", "function"), HOOKS, ids=IDS)
def test_hook_is_documented_with_its_exact_signature_its_arguments_and_an_example(name, function):
    heading = f"{name}({', '.join(inspect.signature(function).parameters)})"
    sections = doc_sections()
    assert heading in sections, f"docs/hooks.md needs a section '### {heading}'"
    section = sections[heading]
    assert f"`{typed_signature(name, function)}`" in section, f"the section for {name} needs its typed signature"
    for argument in set(inspect.signature(function).parameters) - COMMON_ARGUMENTS:
        assert f"`{argument}`" in section.split("```", 1)[0], f"the section for {name} should explain `{argument}`"
    assert "```python" in section, f"the section for {name} needs an example"
    assert f"def {name}(" in section, f"the example for {name} should implement it"


@pytest.mark.parametrize(("name", "function"), HOOKS, ids=IDS)
def test_hook_has_a_test_named_after_it(name, function):
    assert any(name in test for test in named_test_functions()), f"no test function is named after the hook {name}"


@pytest.mark.parametrize(("name", "function"), HOOKS, ids=IDS)
def test_hook_has_a_typed_caller_with_the_same_arguments(name, function):
    """``host.hooks.<name>`` for the host's hooks (``cli_commands`` on the registry), ``crm_module.hooks`` for
    the CRM's."""
    import crm_module.hooks

    spec = set(inspect.signature(function).parameters)
    if function.__module__ == "crm_module.hookspecs":
        caller = inspect.signature(getattr(crm_module.hooks, name))
        assert list(caller.parameters) == list(inspect.signature(function).parameters)
        return
    caller = inspect.signature(getattr(HostHooks, name, None) or getattr(PluginRegistry, name))
    arguments = set(caller.parameters) - {"self"}
    assert spec - {"host"} <= arguments, f"the caller of {name} misses arguments"
    assert arguments - spec <= {"session"}, f"the caller of {name} takes arguments the hook does not have"
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in caller.parameters.values() if p.name != "self")


def test_documentation_has_no_section_for_a_hook_that_does_not_exist():
    documented = {heading.split("(")[0] for heading in doc_sections() if "(" in heading}
    assert documented - set(IDS) == set()
