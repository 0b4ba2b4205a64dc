"""The registry's RSA signing key and the JWKS it publishes."""
import base64
import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from services.common.settings import get_settings


def ensure_private_key(path: Path) -> None:
    """Create a 2048-bit key at `path` when none exists (first start of a deployment)."""
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    path.write_bytes(pem)
    path.chmod(0o600)


def _b64(n: int) -> str:
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class SigningKey:
    def __init__(self, pem: bytes):
        self.pem = pem.decode()
        key = serialization.load_pem_private_key(pem, password=None)
        assert isinstance(key, rsa.RSAPrivateKey)
        numbers = key.public_key().public_numbers()
        self.kid = hashlib.sha256(_b64(numbers.n).encode()).hexdigest()[:16]
        self.jwk: dict[str, Any] = {"kty": "RSA", "use": "sig", "alg": "RS256", "kid": self.kid,
                                    "n": _b64(numbers.n), "e": _b64(numbers.e)}

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.jwk]}


@lru_cache
def get_signing_key() -> SigningKey:
    path = get_settings().jwt_private_key_file
    ensure_private_key(path)
    return SigningKey(path.read_bytes())
