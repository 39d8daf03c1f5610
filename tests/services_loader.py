"""``scripts/services.py`` loaded by path (scripts/ is not a package), for conftest.py and the test helpers.

One loader and one module name, so the fixtures' services and the reliability tests' ``wait_healthy`` are the
same module object.
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

from cartwise.settings import REPO_ROOT

MODULE_NAME = "cartwise_scripts_services"  # bench/load.py loads it under this name too


def services_module() -> ModuleType:
    """``scripts/services.py``: ChromaServer, PostgresCluster, RedisServer, wait_healthy."""
    if MODULE_NAME in sys.modules:
        return sys.modules[MODULE_NAME]
    spec = importlib.util.spec_from_file_location(MODULE_NAME, REPO_ROOT / "scripts" / "services.py")
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {REPO_ROOT / 'scripts' / 'services.py'}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module
