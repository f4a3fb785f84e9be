"""Voucher secret codes: encrypted with Fernet under the configured keys, readable back, rotatable."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr, ValidationError

from service.contacts.secrets import VoucherCipher
from service.errors import Unavailable
from service.settings import Settings

CODE = "VX-7731-secret"


def test_stored_form_is_not_the_code_and_decrypts_back() -> None:
    cipher = VoucherCipher(SecretStr(Fernet.generate_key().decode()))
    stored = cipher.encrypt(CODE)
    assert CODE not in stored
    assert cipher.decrypt(stored) == CODE


def test_old_key_still_decrypts_after_a_new_one_is_put_first_and_rotation_moves_the_code() -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    stored = VoucherCipher(SecretStr(old)).encrypt(CODE)
    both = VoucherCipher(SecretStr(f"{new},{old}"))
    assert both.decrypt(stored) == CODE
    rotated = both.rotate(stored)
    assert VoucherCipher(SecretStr(new)).decrypt(rotated) == CODE
    with pytest.raises(Unavailable, match="no longer in CONTACT_LOOKUP_VOUCHER_SECRET_KEYS"):
        VoucherCipher(SecretStr(new)).decrypt(stored)


def test_without_a_key_storing_and_reading_are_503_naming_the_setting() -> None:
    cipher = VoucherCipher(SecretStr(""))
    with pytest.raises(Unavailable, match="CONTACT_LOOKUP_VOUCHER_SECRET_KEYS is not set") as stored:
        cipher.encrypt(CODE)
    assert stored.value.status_code == 503
    with pytest.raises(Unavailable, match="cannot be read"):
        cipher.decrypt("anything")


def test_a_key_that_is_no_fernet_key_is_refused_at_startup_without_showing_it() -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(voucher_secret_keys=SecretStr(f"{Fernet.generate_key().decode()},not-a-key-at-all"))
    assert "key 2 is no Fernet key" in str(refused.value)
    assert "not-a-key-at-all" not in str(refused.value)
