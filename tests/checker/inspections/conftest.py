from tests.checker.inspections.harness import (  # noqa: F401
    checker, checker_env, quiet_worker, tokens, worker, world,
)
