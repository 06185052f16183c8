"""Mailbox passwords at rest: Fernet-encrypted with a key derived from SECRET_KEY.

Deriving the key (HKDF, its own label) keeps the web process and every worker
machine in agreement without another file to copy, and a database copy alone
does not give the passwords away. SECRET_KEY_FALLBACKS still decrypt, so the
key can be rotated; passwords are re-encrypted with the new key when saved.
"""

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


class SecretUnreadable(Exception):
    """The stored secret was encrypted with a key this installation no longer has."""


def _fernet(secret_key: str) -> Fernet:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"touchbase.outreach.mailbox-password")
    return Fernet(base64.urlsafe_b64encode(hkdf.derive(secret_key.encode())))


def _keys() -> MultiFernet:
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet(k) for k in keys])


def encrypt(plaintext: str) -> str:
    return _keys().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _keys().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise SecretUnreadable("The mailbox password cannot be read with this SECRET_KEY "
                               "(was the key changed?); enter the password again.") from exc
