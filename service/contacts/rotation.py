"""Voucher secret codes re-encrypted under the first key of CONTACT_LOOKUP_VOUCHER_SECRET_KEYS, so that an old key
can leave the setting (`contact-lookup vouchers rotate-keys`).

Batches by id, each its own short transaction; a code is swapped only if it is still the ciphertext read, so a
code an agent sets meanwhile (already under the first key) is never overwritten. Codes the first key opens are
left as they are, so a second run after an interruption only finishes the rest. A code no listed key opens is
counted and left: dropping the key that made it would lose it, and the command says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine

from service.contacts import repository
from service.contacts.secrets import NO_VOUCHER_KEY, VoucherCipher
from service.db.session import build_sessionmaker
from service.errors import Unavailable


@dataclass(slots=True)
class RotationReport:
    rotated: int = 0
    current: int = 0
    changed_meanwhile: int = 0
    unreadable: list[int] = field(default_factory=list)


def rotate_voucher_codes(engine: Engine, cipher: VoucherCipher, *, batch: int = 500) -> RotationReport:
    """Every stored code under the first key; without a key, a 503-style error naming the setting."""
    if not cipher.ready:
        raise Unavailable(f"voucher secret codes cannot be re-encrypted: {NO_VOUCHER_KEY}")
    report = RotationReport()
    sessions = build_sessionmaker(engine)
    after = 0
    while True:
        with sessions.begin() as session:
            codes = repository.voucher_codes_after(session, after, batch)
            for voucher_id, stored in codes:
                if cipher.is_current(stored):
                    report.current += 1
                    continue
                try:
                    rotated = cipher.rotate(stored)
                except Unavailable:
                    report.unreadable.append(voucher_id)
                    continue
                if repository.replace_voucher_code(session, voucher_id, stored, rotated):
                    report.rotated += 1
                else:
                    report.changed_meanwhile += 1
        if len(codes) < batch:
            return report
        after = codes[-1][0]
