"""The encryption of a backup archive, with the `cryptography` library's primitives only.

A passphrase gives a key pair: scrypt(passphrase, salt) is an X25519 private key, and only its public half (with
the salt) is kept in the database, so that the server can encrypt its nightly backups without ever holding the
passphrase; whoever restores types it. Each archive gets a fresh ephemeral key pair: X25519 agreement with the
passphrase's public key, then HKDF-SHA256, gives the archive's AES-256-GCM key.

The content is sealed in chunks of 1 MiB (the STREAM construction): chunk i is encrypted under a nonce made of
its number and a last-chunk flag, with the archive's header as associated data, so that a chunk changed, moved,
dropped or cut off at the end is detected, and an archive of any size is never held in memory whole."""
import base64
import json
import os
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

MAGIC = b"HRSN-BACKUP\x00v1\n"
CHUNK = 1024 * 1024
SCRYPT = {"n": 2 ** 17, "r": 8, "p": 1}      # about 128 MiB of memory and half a second per guess
RAW = serialization.Encoding.Raw, serialization.PublicFormat.Raw


class Refused(Exception):
    """An archive that cannot be opened or used; `code` says why (see durable.messages)."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(code if not detail else f"{code}: {detail}")
        self.code, self.detail = code, detail


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _private(passphrase: str, kdf: dict) -> X25519PrivateKey:
    seed = Scrypt(salt=base64.b64decode(kdf["salt"]), length=32, n=kdf["n"], r=kdf["r"], p=kdf["p"]).derive(
        passphrase.encode())
    return X25519PrivateKey.from_private_bytes(seed)


def new_key(passphrase: str, n: int | None = None) -> dict:
    """The public half of a passphrase's key pair, as the database keeps it (no secret in it)."""
    kdf = {**SCRYPT, "salt": _b64(os.urandom(16))}
    if n:
        kdf["n"] = n
    public = _private(passphrase, kdf).public_key().public_bytes(*RAW)
    return {"kdf": kdf, "public": _b64(public)}


def matches(passphrase: str, key: dict) -> bool:
    return _private(passphrase, key["kdf"]).public_key().public_bytes(*RAW) == base64.b64decode(key["public"])


def _aead(shared: bytes, ephemeral: bytes, recipient: bytes) -> AESGCM:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=ephemeral + recipient, info=b"hrsn backup v1").derive(shared)
    return AESGCM(key)


def _nonce(index: int, last: bool) -> bytes:
    return index.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


def seal(source, target, key: dict) -> None:
    """Encrypt the open file `source` into the open file `target` for the holder of the key's passphrase."""
    recipient = base64.b64decode(key["public"])
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = ephemeral.public_key().public_bytes(*RAW)
    aead = _aead(ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient)), ephemeral_public, recipient)
    header = json.dumps({"format": 1, "kdf": key["kdf"], "recipient": key["public"],
                         "ephemeral": _b64(ephemeral_public), "chunk": CHUNK}, sort_keys=True).encode()
    aad = MAGIC + header
    target.write(MAGIC + struct.pack(">I", len(header)) + header)
    index, chunk = 0, source.read(CHUNK)
    while True:
        following = source.read(CHUNK)
        last = not following
        sealed = aead.encrypt(_nonce(index, last), chunk, aad)
        target.write(struct.pack(">I", len(sealed)) + sealed)
        if last:
            return
        index, chunk = index + 1, following


def read_header(source) -> tuple[dict, bytes]:
    magic = source.read(len(MAGIC))
    if magic != MAGIC:
        raise Refused("not-archive")
    raw_length = source.read(4)
    if len(raw_length) < 4:
        raise Refused("truncated")
    (length,) = struct.unpack(">I", raw_length)
    if length > 65536:
        raise Refused("damaged", "header")
    header = source.read(length)
    if len(header) < length:
        raise Refused("truncated")
    try:
        parsed = json.loads(header)
        if parsed.get("format") != 1:
            raise Refused("newer", "archive format")
        return parsed, MAGIC + header
    except (ValueError, AttributeError):
        raise Refused("damaged", "header") from None


def unseal(source, target, passphrase: str) -> None:
    """Decrypt an archive into `target`; Refused (wrong passphrase, truncated, damaged) before or while writing."""
    header, aad = read_header(source)
    try:
        private = _private(passphrase, header["kdf"])
        recipient = base64.b64decode(header["recipient"])
        ephemeral = base64.b64decode(header["ephemeral"])
    except (KeyError, TypeError, ValueError):
        raise Refused("damaged", "header") from None
    if private.public_key().public_bytes(*RAW) != recipient:
        raise Refused("passphrase")
    aead = _aead(private.exchange(X25519PublicKey.from_public_bytes(ephemeral)), ephemeral, recipient)
    limit = int(header.get("chunk", CHUNK)) + 16
    index = 0
    while True:
        raw_length = source.read(4)
        if len(raw_length) < 4:
            raise Refused("truncated")
        (length,) = struct.unpack(">I", raw_length)
        if length > limit:
            raise Refused("damaged", f"chunk {index}")
        sealed = source.read(length)
        if len(sealed) < length:
            raise Refused("truncated")
        try:
            target.write(aead.decrypt(_nonce(index, False), sealed, aad))
        except InvalidTag:
            try:
                target.write(aead.decrypt(_nonce(index, True), sealed, aad))
            except InvalidTag:
                raise Refused("damaged", f"chunk {index}") from None
            if source.read(1):
                raise Refused("damaged", "data after the end")
            return
        index += 1
