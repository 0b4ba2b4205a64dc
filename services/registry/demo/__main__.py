"""`python -m services.registry.demo`: load the demo inventory (harmless when already loaded)."""
import argparse
import json
from pathlib import Path

from sqlmodel import Session

from services.common.db import get_engine
from services.registry.demo.loader import DEFAULT_PASSWORD, load


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--password", default=DEFAULT_PASSWORD, help="password of every demo user")
    parser.add_argument("--site-url", default="http://127.0.1.{n}:8090/",
                        help="homepage URL template of the demo sites; {n} numbers the sites from 1")
    parser.add_argument("--farm-manifest", type=Path,
                        help="manifest of the test-site farm: demo sites take its URLs, codes and columns")
    args = parser.parse_args()
    manifest = json.loads(args.farm_manifest.read_text(encoding="utf-8")) if args.farm_manifest else None
    with Session(get_engine()) as session:
        created = load(session, password=args.password, site_url=args.site_url, farm_manifest=manifest)
    print("demo data loaded" if created else "demo data already present")


if __name__ == "__main__":
    main()
