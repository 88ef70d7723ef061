"""The key that encrypts credentials at rest (Fernet), from FLOWLANG_SECRET_KEY or a 0600 key file."""

from __future__ import annotations

import os
import stat

from cryptography.fernet import Fernet, InvalidToken

from flowlang.host.settings import Settings

GENERATE = 'python3 -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'


class VaultError(Exception):
    """The key is missing, unreadable, malformed or wrong (the message says which, never the key)."""


class Vault:
    """Encrypts and decrypts credential values; one per server process."""

    def __init__(self, key: bytes, origin: str) -> None:
        try:
            self._fernet = Fernet(key)
        except (ValueError, TypeError):
            raise VaultError(f"{origin} is not a Fernet key (32 url-safe base64 bytes); make one with "
                             f"{GENERATE}") from None
        self.origin = origin

    def encrypt(self, value: str) -> str:
        return self._fernet.encrypt(value.encode("utf-8")).decode("ascii")

    def decrypt(self, ciphertext: str, name: str) -> str:
        try:
            return self._fernet.decrypt(ciphertext.encode("ascii")).decode("utf-8")
        except InvalidToken:
            raise VaultError(f"credential {name} cannot be decrypted with the key of {self.origin} "
                             "(was the key changed? store the credential again)") from None


def open_vault(settings: Settings) -> Vault:
    """The vault of FLOWLANG_SECRET_KEY when set, else of the key file (created 0600 when missing)."""
    if settings.secret_key:
        return Vault(settings.secret_key.encode("ascii", "replace"), "FLOWLANG_SECRET_KEY")
    path = settings.resolved_key_file
    try:
        os.makedirs(os.path.dirname(os.path.abspath(path)), mode=0o700, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return Vault(_read_key(path), f"the key file {path}")
    except OSError as exc:
        raise VaultError(f"cannot create the key file {path}: {exc.strerror}") from None
    with os.fdopen(fd, "wb") as handle:
        handle.write(Fernet.generate_key() + b"\n")
    return Vault(_read_key(path), f"the key file {path}")


def _read_key(path: str) -> bytes:
    try:
        mode = os.stat(path).st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise VaultError(f"the key file {path} can be read by others (mode {stat.S_IMODE(mode):04o}): "
                             f"chmod 600 {path}")
        with open(path, "rb") as handle:
            return handle.read().strip()
    except OSError as exc:
        raise VaultError(f"cannot read the key file {path}: {exc.strerror}") from None
