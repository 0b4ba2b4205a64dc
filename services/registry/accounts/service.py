"""Reading accounts (lifecycle changes go through filings)."""
from sqlmodel import Session

from services.common.auth import Principal
from services.registry.accounts.models import Account, AccountState, Platform
from services.registry.listing import order_by, paginate, scoped_query

SORTS = {"id", "registered_name", "platform", "platform_id", "created_at", "updated_at", "state"}


def account_query(session: Session, principal: Principal, *, q: str | None = None,
                  state: AccountState | None = None, platform: Platform | None = None,
                  org_id: int | None = None, host_org_id: int | None = None):
    return scoped_query(session, Account, principal, q=q, search=(Account.registered_name, Account.platform_id),
                        equals={Account.state: state, Account.platform: platform,
                                Account.host_org_id: host_org_id}, org_id=org_id)


def list_accounts(session: Session, principal: Principal, *, sort: str, limit: int, offset: int,
                  **filters) -> tuple[list[Account], int]:
    return paginate(session, account_query(session, principal, **filters), order_by(Account, sort, SORTS),
                    limit, offset)
