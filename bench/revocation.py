"""Cost of the shared revocation check per request (services/common/revocation.py).

Run: GOVWATCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres \
     GOVWATCH_REDIS_URL=redis://127.0.0.1:6379/9 .venv/bin/python bench/revocation.py [-n 5000]
Verifies the same RS256 token n times: signature only; signature + revocation from the in-process cache
(what almost every request costs); signature + a Redis GET every time (cache disabled: the cost once per
subject every cache period). Reads only: nothing is written to Redis.
"""
import argparse
import statistics
import time

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jose import jwt

from services.common import revocation
from services.common.auth import ALGORITHM, JwksVerifier
from services.common.settings import get_settings
from services.registry.auth.keys import SigningKey


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=5000)
    n = parser.parse_args().n
    pem = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    key = SigningKey(pem)
    now = int(time.time())
    token = jwt.encode({"iss": get_settings().jwt_issuer, "sub": "user:424242", "org_id": 1, "org_path": "/1/",
                        "role": "viewer", "ver": 0, "iat": now, "exp": now + 3600, "jti": "bench"},
                       key.pem, algorithm=ALGORITHM, headers={"kid": key.kid})
    revocation.namespace()  # the one database lookup per process, not measured

    def per_call(verifier: JwksVerifier, cache_seconds: float) -> float:
        revocation.get_revocation_settings().revocation_cache_seconds = cache_seconds
        revocation.clear_cache()
        verifier.verify(token)  # warm (JWKS, connection)
        rounds = []
        for _ in range(5):
            started = time.perf_counter()
            for _ in range(n // 5):
                verifier.verify(token)
            rounds.append((time.perf_counter() - started) / (n // 5))
        return statistics.median(rounds) * 1e6

    plain = per_call(JwksVerifier(key.jwks), 2.0)
    cached = per_call(JwksVerifier(key.jwks, check_revocation=True), 2.0)
    uncached = per_call(JwksVerifier(key.jwks, check_revocation=True), 0.0)
    print(f"{n} verifications each (median of 5 rounds), µs per request:")
    print(f"  signature only                      {plain:8.1f}")
    print(f"  + revocation, in-process cache      {cached:8.1f}   (+{cached - plain:.1f})")
    print(f"  + revocation, Redis GET every time  {uncached:8.1f}   (+{uncached - plain:.1f})")
    for label, seconds in (("the check alone, cached", 2.0), ("the check alone, Redis GET", 0.0)):
        revocation.get_revocation_settings().revocation_cache_seconds = seconds
        revocation.clear_cache()
        revocation.check("user:424242", 0)
        started = time.perf_counter()
        for _ in range(n):
            revocation.check("user:424242", 0)
        print(f"  {label:<35} {(time.perf_counter() - started) / n * 1e6:8.2f}")


if __name__ == "__main__":
    main()
