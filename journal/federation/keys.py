"""Ed25519 key pairs for links between journals (one pair per link and side).

A private key stays in the journal that made it (PEM text in the link record);
the public key travels to the other side once, at pairing, as the 32 raw bytes
in URL-safe base64 (43 characters), easy to check and to compare by eye.
"""

from __future__ import annotations

import base64
import binascii

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

PUBLIC_KEY_CHARS = 43


def new_private_key() -> str:
    """Return a fresh private key as unencrypted PKCS#8 PEM text."""
    key = Ed25519PrivateKey.generate()
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode("ascii")


def load_private_key(pem: str) -> Ed25519PrivateKey:
    """Return the private key kept as PEM text."""
    key = serialization.load_pem_private_key(pem.encode("ascii"), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("not an Ed25519 private key")
    return key


def public_key_text(private_pem: str) -> str:
    """Return the public half of a private key, as sent to the other side."""
    raw = load_private_key(private_pem).public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def load_public_key(text: str) -> Ed25519PublicKey:
    """Return the public key sent by the other side.

    :raise ValueError: it is not 32 bytes of URL-safe base64.
    """
    if not isinstance(text, str) or len(text) != PUBLIC_KEY_CHARS:
        raise ValueError("not a public key")
    try:
        raw = base64.urlsafe_b64decode(text + "=")
    except (binascii.Error, ValueError) as error:
        raise ValueError("not a public key") from error
    return Ed25519PublicKey.from_public_bytes(raw)


def is_public_key(text) -> bool:
    """Return whether ``text`` is a public key in the form :func:`load_public_key` reads."""
    try:
        load_public_key(text)
    except ValueError:
        return False
    return True
