"""PURE: the Financials section of the context (the Communication Centre's "Bills, Financial Transactions,
Payments, Used Vouchers, Wallets"), for a given day: per account the items still owed with their days past due, the
aging buckets, what is past due and in dispute, the latest payments, the promises to pay with their state, the
wallets and the used vouchers (never their secret code), the credit memos asked for against each item; credit hold
and dunning at the top.

`today` is passed in (the router's UTC date), so the boundaries of every bucket are tested with fixed dates; the
rules themselves are `service.receivables`', shared with the index documents.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal

from service import receivables
from service.contacts.schemas import ARItemRead, VoucherRead, WalletRead
from service.context.schemas import (
    AccountFinancials,
    Aging,
    CreditMemoRequestRead,
    CurrencyAmount,
    Financials,
    OpenItem,
    PromiseRead,
)
from service.models import ARAccount, ARItem, CreditMemoRequest, Promise
from service.models.enums import ARItemType, VoucherStatus

# A long account is paged: the oldest items owed first (what a collector works first), the newest payments first.
OPEN_ITEMS_SHOWN = 100
PAYMENTS_SHOWN = 10
WALLETS_SHOWN = 20
USED_VOUCHERS_SHOWN = 10
CREDIT_MEMO_REQUESTS_SHOWN = 20

CreditMemos = Mapping[int, Sequence[CreditMemoRequest]]
PROMISES_SHOWN = 20


def financials(accounts: Sequence[ARAccount], *, today: date, credit_memos: CreditMemos | None = None) -> Financials:
    """`credit_memos`: the credit memo requests by item id, oldest first (`service.context.service` reads them)."""
    requested = credit_memos or {}
    shown = [_account(account, today, requested) for account in accounts]
    return Financials(
        as_of=today,
        credit_hold=any(a.credit_hold for a in accounts),
        dunning_excluded=any(a.dunning_excluded for a in accounts),
        total_past_due=_by_currency((a.currency, a.past_due_amount) for a in shown),
        total_in_dispute=_by_currency((a.currency, a.disputed_amount) for a in shown),
        accounts=shown,
    )


def _account(account: ARAccount, today: date, credit_memos: CreditMemos) -> AccountFinancials:
    items: list[ARItem] = list(account.items)
    requests = {item.id: _requests(item, credit_memos) for item in items}
    every = sorted((r for rows in requests.values() for r in rows), key=lambda r: r.requested_at, reverse=True)
    owed = sorted(
        (i for i in items if receivables.is_owed(i)),
        key=lambda i: (i.due_on is None, i.due_on or today, i.number),
    )
    aging = dict.fromkeys((name for name, _, _ in receivables.BUCKETS), receivables.ZERO)
    for item in owed:
        name = receivables.bucket(receivables.days_past_due(item, today))
        aging[name] += item.open_amount
    payments = sorted(
        (i for i in items if i.item_type == ARItemType.PAYMENT),
        key=lambda i: (i.issued_on or date.min, i.id or 0),
        reverse=True,
    )
    used = sorted(
        (v for v in account.vouchers if v.status == VoucherStatus.USED),
        key=lambda v: (v.used_on or date.min, v.id or 0),
        reverse=True,
    )
    return AccountFinancials(
        number=account.number,
        name=account.name,
        currency=account.currency,
        balance=account.balance,
        status=account.status,
        credit_hold=account.credit_hold,
        dunning_excluded=account.dunning_excluded,
        collector=account.collector,
        past_due_amount=receivables.past_due_amount(items, today),
        disputed_amount=receivables.disputed_amount(items),
        in_dispute=receivables.in_dispute(items),
        aging=Aging.model_validate(aging),
        open_items=[_open_item(i, today, requests[i.id]) for i in owed[:OPEN_ITEMS_SHOWN]],
        open_items_total=len(owed),
        latest_payments=[ARItemRead.model_validate(p) for p in payments[:PAYMENTS_SHOWN]],
        payments_total=len(payments),
        wallets=[WalletRead.model_validate(w) for w in account.wallets[:WALLETS_SHOWN]],
        wallets_total=len(account.wallets),
        used_vouchers=[VoucherRead.model_validate(v) for v in used[:USED_VOUCHERS_SHOWN]],
        used_vouchers_total=len(used),
        credit_memo_requests=every[:CREDIT_MEMO_REQUESTS_SHOWN],
        promises=[_promise(p, items, today) for p in _newest_first(account.promises)[:PROMISES_SHOWN]],
        promises_total=len(account.promises),
    )


def _newest_first(promises: Sequence[Promise]) -> list[Promise]:
    return sorted(promises, key=lambda p: (p.created_at, p.id or 0), reverse=True)


def _promise(promise: Promise, items: Sequence[ARItem], today: date) -> PromiseRead:
    state = receivables.promise_state(promise, items, today)
    return PromiseRead(
        id=promise.id,
        communication_id=promise.communication_id,
        amount=promise.amount,
        currency=promise.currency,
        promised_on=promise.promised_on,
        state=state.value,
        created_by=promise.created_by,
        created_at=promise.created_at,
    )


def _requests(item: ARItem, credit_memos: CreditMemos) -> list[CreditMemoRequestRead]:
    return [
        CreditMemoRequestRead(
            item=item.number,
            amount=r.amount,
            requested_by=r.requested_by,
            requested_at=r.requested_at,
            communication_id=r.communication_id,
        )
        for r in credit_memos.get(item.id, ())
    ]


def _open_item(item: ARItem, today: date, requests: list[CreditMemoRequestRead]) -> OpenItem:
    days = receivables.days_past_due(item, today)
    read = ARItemRead.model_validate(item)
    return OpenItem(
        **read.model_dump(),
        days_past_due=days,
        bucket=receivables.bucket(days),
        past_due=days > 0,
        credit_memo_requests=requests,
    )


def _by_currency(amounts: Iterable[tuple[str, Decimal]]) -> list[CurrencyAmount]:
    """Accounts in several currencies are not added up across them."""
    totals: dict[str, Decimal] = {}
    for currency, amount in amounts:
        totals[currency] = totals.get(currency, receivables.ZERO) + amount
    return [CurrencyAmount(currency=c, amount=a) for c, a in sorted(totals.items())]
