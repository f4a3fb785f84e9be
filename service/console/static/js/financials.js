// The Financials section as a collector reads it (the context's `financials`): credit hold and dunning at the top,
// then per account what is past due and in dispute, the aging, the items owed (those past due marked in words, not
// by colour alone), the latest payments, the promises to pay with their state in words, the wallets and the used
// vouchers with "Retrieve Voucher Secret Code".
//
// Each item is one row, `tr[data-item="<number>"]`, so a row can carry more (its own buttons) without changing here.

import { api, ApiError } from "./api.js";
import { announce, definitionList, formatDate, formatDateTime, formatMoney, h, humanize } from "./dom.js";

export const RETRIEVE_VOUCHER_SECRET = "retrieve_voucher_secret_code";
const PLACE_IN_DISPUTE = "place_in_dispute";
// What a customer can dispute: what they are billed (Receivables' debit items), not a payment or a credit.
const DISPUTABLE = new Set(["invoice", "debit_memo", "chargeback"]);
const AGING = [
  ["current", "Current"],
  ["1-30", "1-30 days"],
  ["31-60", "31-60 days"],
  ["61-90", "61-90 days"],
  ["over_90", "Over 90 days"],
];
// Rows drawn at first and added by each "Show more": long accounts stay readable, the oldest items owed first.
const PAGE = { items: 20, payments: 5, promises: 5, wallets: 5, vouchers: 5 };
// A promise's state (the API's, for the day of the answer) as the collector reads it.
const PROMISE_STATES = {
  pending: ["Pending", "Not yet due, not yet paid", "badge"],
  kept: ["Kept", "Paid by its date", "badge badge-closed"],
  broken: ["Broken", "Its date passed without the payment", "badge badge-hold"],
};
const REFUSED = { 403: "Not allowed", 404: "Not found", 422: "Cannot tell which voucher", 503: "Unavailable" };

function totals(amounts) {
  return amounts.map((t) => formatMoney(t.amount, t.currency)).join(" · ") || formatMoney(0);
}

function holdBadge(onHold) {
  return onHold ? h("span", { class: "badge badge-hold" }, "On hold") : "No";
}

// A table of `records`, one row each (`row(record)` gives its attributes and cells), the first `size` shown and
// "Show more" adding the next ones; `more` says what the answer left out (the API sends at most so many).
function pagedTable(caption, headers, records, { row, size, emptyText, more = null }) {
  if (!records.length) return h("p", { class: "empty" }, emptyText);
  const rows = records.map((record, index) => {
    const { props = {}, cells } = row(record);
    return h("tr", { ...props, hidden: index >= size }, cells.map((cell) => h("td", {}, cell)));
  });
  const note = more ? h("p", { class: "hint" }, more) : null;
  const shown = () => rows.filter((r) => !r.hidden).length;
  const button = h("button", { type: "button", class: "show-more" });
  const label = () => {
    const next = Math.min(size, rows.length - shown());
    button.textContent = `Show ${next} more ${caption.toLowerCase()} (${shown()} of ${rows.length} shown)`;
  };
  button.addEventListener("click", () => {
    const first = shown();
    rows.slice(first, first + size).forEach((r) => {
      r.hidden = false;
    });
    if (shown() === rows.length) button.remove();
    else label();
    rows[first].setAttribute("tabindex", "-1");
    rows[first].focus();
  });
  const table = h(
    "table",
    { class: "financials-table" },
    h("caption", { class: "visually-hidden" }, caption),
    h("thead", {}, h("tr", {}, headers.map((header) => h("th", { scope: "col" }, header)))),
    h("tbody", {}, rows),
  );
  if (rows.length <= size) return [table, note];
  label();
  return [table, button, note];
}

function beyond(shown, total, what) {
  return total > shown ? `The ${shown} ${what} of ${total} are listed here; the others are in the CRM.` : null;
}

// Place in dispute from the item's own row: the log dialog opens prefilled with the item (its number as the
// transaction reference, its open amount), so the dispute names the invoice it disputes.
function disputeButton(item, onDispute) {
  const label = item.status === "in_dispute" ? "Change dispute" : "Place in dispute";
  return h("button", { type: "button", class: "dispute-item", "aria-label": `${label}: ${item.number}`, onclick: () => onDispute(item) }, label);
}

function itemRow(onDispute) {
  return (item) => itemCells(item, onDispute);
}

function itemCells(item, onDispute) {
  const marker = item.past_due
    ? h("span", { class: "badge badge-hold past-due-marker", dataset: { pastDue: "true" } }, `${item.days_past_due} ${item.days_past_due === 1 ? "day" : "days"} past due`)
    : h("span", { class: "not-due" }, "Not due");
  return {
    props: { class: item.past_due ? "item past-due" : "item", dataset: { item: item.number } },
    cells: [
      humanize(item.type),
      item.number,
      formatDate(item.issued_on),
      formatDate(item.due_on),
      marker,
      formatMoney(item.open_amount, item.currency),
      humanize(item.status),
      Number(item.disputed_amount) ? formatMoney(item.disputed_amount, item.currency) : "",
      ...(onDispute ? [DISPUTABLE.has(item.type) ? disputeButton(item, onDispute) : ""] : []),
    ],
  };
}

function promiseRow(p) {
  const [word, meaning, badge] = PROMISE_STATES[p.state] ?? [humanize(p.state), "", "badge"];
  return {
    props: { class: `promise promise-${p.state}`, dataset: { promise: String(p.id), state: p.state } },
    cells: [
      formatMoney(p.amount, p.currency),
      formatDate(p.promised_on),
      h("span", { class: `${badge} promise-state`, title: meaning }, word),
      meaning,
      `${formatDateTime(p.created_at)} by ${p.created_by}`,
    ],
  };
}

// The code is asked for on each click and drawn in place only while shown: Hide (or leaving the contact) takes
// it out of the page, and it goes nowhere else (no storage, no log, no announcement holding it).
function voucherSecret(contactId, account, voucher) {
  const slot = h("div", { class: "voucher-secret" });
  const ask = () => {
    const button = h(
      "button",
      { type: "button", class: "retrieve-secret", "aria-label": `Retrieve Voucher Secret Code of voucher ${voucher.number}` },
      "Retrieve Voucher Secret Code",
    );
    button.addEventListener("click", () => retrieve(button));
    slot.replaceChildren(button);
    return button;
  };
  const retrieve = async (button) => {
    button.disabled = true;
    slot.querySelector(".field-error")?.remove();
    const path = `/api/contacts/${encodeURIComponent(contactId)}/vouchers/${encodeURIComponent(voucher.number)}/secret?account=${encodeURIComponent(account.number)}`;
    let answer;
    try {
      answer = await api("POST", path);
    } catch (failure) {
      button.disabled = false;
      const why = failure instanceof ApiError && REFUSED[failure.status] ? `${REFUSED[failure.status]}: ${failure.message}` : failure.message;
      slot.append(h("p", { class: "field-error", role: "alert" }, why));
      return;
    }
    const hide = h("button", { type: "button", class: "hide-secret", "aria-label": `Hide the secret code of voucher ${voucher.number}` }, "Hide");
    hide.addEventListener("click", () => {
      ask().focus();
      announce(`Secret code of voucher ${voucher.number} hidden`);
    });
    slot.replaceChildren(h("span", { class: "secret-code" }, "Secret code: ", h("code", { dataset: { secret: voucher.number } }, answer.secret)), " ", hide);
    hide.focus();
    announce(`Secret code of voucher ${voucher.number} shown; Hide removes it`);
  };
  ask();
  return slot;
}

function voucherRow(contactId, account, canRetrieve) {
  return (voucher) => {
    let secret = h("span", { class: "empty" }, "No code stored");
    if (voucher.has_secret) secret = canRetrieve ? voucherSecret(contactId, account, voucher) : "Stored";
    return {
      props: { dataset: { voucher: voucher.number } },
      cells: [voucher.number, formatMoney(voucher.value, voucher.currency), formatDate(voucher.used_on), voucher.subscription_number ?? "", secret],
    };
  };
}

function accountFinancials(a, { contactId, canRetrieve, onDispute }) {
  const dispute = onDispute ? (item) => onDispute(item, a.number) : null;
  const shownItems = a.open_items.length;
  return h(
    "article",
    { class: "financials-account", dataset: { account: a.number }, "aria-labelledby": `financials-${a.number}` },
    h("h4", { id: `financials-${a.number}` }, `${a.number} · ${a.name}`),
    definitionList([
      ["Balance", formatMoney(a.balance, a.currency)],
      ["Status", humanize(a.status)],
      ["Credit hold", holdBadge(a.credit_hold)],
      ["Dunning", a.dunning_excluded ? "Excluded" : "Included"],
      ["Collector", a.collector],
      ["Past due", Number(a.past_due_amount) ? h("strong", { class: "past-due-total" }, formatMoney(a.past_due_amount, a.currency)) : formatMoney(0, a.currency)],
      ["In dispute", formatMoney(a.disputed_amount, a.currency)],
    ]),
    h("h5", {}, "Aging"),
    h(
      "table",
      { class: "aging" },
      h("caption", { class: "visually-hidden" }, `Aging of ${a.number}`),
      h("thead", {}, h("tr", {}, AGING.map(([key, label]) => h("th", { scope: "col", dataset: { bucket: key } }, label)))),
      h("tbody", {}, h("tr", {}, AGING.map(([key]) => h("td", { dataset: { bucket: key }, class: key !== "current" && Number(a.aging[key]) ? "past-due" : null }, formatMoney(a.aging[key], a.currency))))),
    ),
    h("h5", {}, `Items owed (${a.open_items_total})`),
    pagedTable("Items owed", ["Type", "Number", "Issued", "Due", "Days past due", "Open", "Status", "Disputed", ...(dispute ? ["Dispute"] : [])], a.open_items, {
      row: itemRow(dispute),
      size: PAGE.items,
      emptyText: "Nothing owed.",
      more: beyond(shownItems, a.open_items_total, "oldest items owed"),
    }),
    h("h5", {}, "Latest payments"),
    pagedTable("Payments", ["Number", "Date", "Amount", "Status"], a.latest_payments, {
      row: (p) => ({ props: { dataset: { item: p.number } }, cells: [p.number, formatDate(p.issued_on), formatMoney(p.amount, p.currency), humanize(p.status)] }),
      size: PAGE.payments,
      emptyText: "No payments.",
      more: beyond(a.latest_payments.length, a.payments_total, "latest payments"),
    }),
    h("h5", {}, "Promises to pay"),
    pagedTable("Promises", ["Amount", "Promised for", "State", "Meaning", "Made"], a.promises ?? [], {
      row: promiseRow,
      size: PAGE.promises,
      emptyText: "No promises to pay.",
      more: beyond((a.promises ?? []).length, a.promises_total ?? 0, "latest promises"),
    }),
    h("h5", {}, "Wallets"),
    pagedTable("Wallets", ["Number", "Balance"], a.wallets, {
      row: (w) => ({ props: { dataset: { wallet: w.number } }, cells: [w.number, formatMoney(w.balance, w.currency)] }),
      size: PAGE.wallets,
      emptyText: "No wallets.",
      more: beyond(a.wallets.length, a.wallets_total, "wallets"),
    }),
    h("h5", {}, "Used vouchers"),
    pagedTable("Used vouchers", ["Number", "Value", "Used on", "Subscription", "Secret code"], a.used_vouchers, {
      row: voucherRow(contactId, a, canRetrieve),
      size: PAGE.vouchers,
      emptyText: "No used vouchers.",
      more: beyond(a.used_vouchers.length, a.used_vouchers_total, "latest used vouchers"),
    }),
  );
}

// `actions` are the context's: the secret button is drawn only when the active definition enables it (the API
// refuses anyway).
export function financials(f, { contactId, actions, onDispute = null }) {
  const excluded = f.accounts.filter((a) => a.dunning_excluded).map((a) => a.number);
  const top = h(
    "div",
    { class: f.credit_hold ? "financials-top financials-hold" : "financials-top" },
    definitionList([
      ["As of", formatDate(f.as_of)],
      ["Credit hold", holdBadge(f.credit_hold)],
      ["Dunning", excluded.length ? `Excluded: ${excluded.join(", ")}` : "Included"],
      ["Total past due", totals(f.total_past_due)],
      ["Total in dispute", totals(f.total_in_dispute)],
    ]),
  );
  const canRetrieve = actions.includes(RETRIEVE_VOUCHER_SECRET);
  const dispute = actions.includes(PLACE_IN_DISPUTE) ? onDispute : null;
  if (!f.accounts.length) return [top, h("p", { class: "empty" }, "No accounts.")];
  return [top, ...f.accounts.map((a) => accountFinancials(a, { contactId, canRetrieve, onDispute: dispute }))];
}
