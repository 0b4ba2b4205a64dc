"""The demo inventory records seed 004's accounts as the notice found them (issue 16, item 13): an account
without any interaction function has no interaction channel on record, so the check can fail it."""
from sqlmodel import select

from services.registry.accounts.models import Account
from services.registry.demo import data


def test_accounts_without_interaction_have_no_channel_on_record(demo_loaded, session):
    silent = {n for n, codes in data.SEED_ACCOUNT_PROBLEMS.items() if "account_no_interaction" in codes}
    assert silent == {"渭南市城市管理执法局", "渭南水务", "卤阳湖开发区 行政审批服务中心", "渭南地方志", "韩城公安"}
    for name, platform, _, _ in data.NAMED_ACCOUNTS:
        row = session.exec(select(Account).where(Account.registered_name == name,
                                                 Account.platform == platform)).first()
        assert row is not None, name
        assert row.platform_id == data.platform_id(platform, name)
        assert (row.interaction_url is None) == (name in silent), name
