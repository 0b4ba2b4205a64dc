"""`python -m services.registry.demo`: load the demo inventory (harmless when already loaded)."""
import argparse

from sqlmodel import Session

from services.common.db import get_engine
from services.registry.demo.loader import DEFAULT_PASSWORD, load


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--password", default=DEFAULT_PASSWORD, help="password of every demo user")
    parser.add_argument("--site-url", default="http://127.0.1.{n}:8090/",
                        help="homepage URL template of the demo sites; {n} numbers the sites from 1")
    args = parser.parse_args()
    with Session(get_engine()) as session:
        created = load(session, password=args.password, site_url=args.site_url)
    print("demo data loaded" if created else "demo data already present")


if __name__ == "__main__":
    main()
