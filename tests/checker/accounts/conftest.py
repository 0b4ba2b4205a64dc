"""Account checks against the platform simulator.

The simulator starts when this conftest is imported (collection), and GOVWATCH_PLATFORM_FEEDS points
at it, so every checker worker this pytest process starts (the inspections harness copies os.environ)
reads accounts from it. The harness's test accounts are served too: ct-county clean, ct-edu renamed.
"""
import json
import os

from tests.checker.inspections.harness import checker, checker_env, tokens, worker, world  # noqa: F401
from tests.fixtures.platforms import PlatformSimulator

SIM = PlatformSimulator(
    256, timeout_delay=3.0,
    extra={"ct-county": ("weibo", "检查测试县发布", "clean"),
           "ct-edu": ("weibo", "测试县教育", "account_renamed_unfiled"),
           "ct-neighbour": ("weibo", "邻县发布", "clean")},
    demo=True,  # the registry demo's failing accounts of seed 004 (test_demo_accounts.py)
).start()
# Tight limits: a hung feed is given up after 1 s per attempt, two attempts.
FEEDS = SIM.feeds(timeout=1.0, retries=2, backoff=0.05, link_timeout=2.0)
os.environ["GOVWATCH_PLATFORM_FEEDS"] = json.dumps(FEEDS)
os.environ["GOVWATCH_ALLOW_PRIVATE_TARGETS"] = "1"
