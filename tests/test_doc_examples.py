"""The test modules shown in docs/ run as written, outside this repository's conftest.

A code block right after the line ``<!-- example: runs as a test file ... -->`` in docs/*.md is
written to a test file in an empty directory and run by pytest there, as a module author would
run it in their own repository (the host and the CRM installed, nothing else).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MARKER = re.compile(r"^<!-- example: runs as a test file.*?-->\n```python\n(.*?)^```", re.S | re.M)


def examples() -> list[tuple[str, str]]:
    return [(path.name, code) for path in sorted((ROOT / "docs").glob("*.md"))
            for code in MARKER.findall(path.read_text(encoding="utf-8"))]


def test_the_docs_show_a_test_module_that_builds_a_host_and_a_test_client():
    assert any("Host(" in code and "test_client()" in code for _, code in examples())


def test_every_test_module_shown_in_the_docs_passes_outside_this_repository(tmp_path):
    for index, (doc, code) in enumerate(examples()):
        (tmp_path / f"test_{Path(doc).stem}_{index}.py").write_text(code, encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if not key.startswith(("HOST_STUB_", "PYTEST_"))}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "error", "--rootdir", str(tmp_path),
         str(tmp_path)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert " passed" in result.stdout and "failed" not in result.stdout
