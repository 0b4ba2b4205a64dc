from tests.checker.inspections.harness import checker, checker_env, tokens, worker, world  # noqa: F401
