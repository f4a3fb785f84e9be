// Logging a new communication from the context (POST /api/communications), in a modal dialog.
// The interaction date defaults to now and the contact person and phone to the selected contact (ERP seed).

import { api, ApiError } from "./api.js";
import { byId } from "./dom.js";
import { FieldErrors } from "./errors.js";
import { chooser, codeOptions } from "./vocabulary.js";

// Call actions with an amount (its label), on an item (named by a transaction reference) or on an account.
const AMOUNT_LABELS = { partial_dispute: "Amount in dispute", promise_to_pay: "Amount promised", credit_memo: "Credit memo amount" };
const ON_ITEM = new Set(["partial_dispute", "credit_memo"]);
const ON_ACCOUNT = new Set(["exclude_from_dunning", "include_in_dunning", "promise_to_pay"]);


function localNow() {
  const now = new Date();
  now.setSeconds(0, 0);
  return new Date(now.getTime() - now.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
}

function optional(value) {
  const text = value.trim();
  return text ? text : null;
}

function body(form, contactId) {
  const field = (name) => form.elements.namedItem(name);
  const data = {
    contact_id: contactId,
    topic: field("topic").value.trim(),
    direction: field("direction").value,
    channel: field("channel").value,
    status: field("status").value,
    internal: field("internal").checked,
    keywords: field("keywords").value.split(",").map((k) => k.trim()).filter(Boolean),
  };
  const interaction = field("interaction_at").value;
  if (interaction) data.interaction_at = new Date(interaction).toISOString();
  const optionalFields = ["follow_up_on", "customer_response", "notes", "contact_person", "contact_phone"];
  for (const name of optionalFields) {
    const value = optional(field(name).value);
    if (value !== null) data[name] = value;
  }
  const referenceId = optional(field("reference_id").value);
  const reference = referenceId ? { qualifier: field("reference_qualifier").value, reference_id: referenceId } : null;
  data.references = reference ? [reference] : [];
  const action = field("action").value;
  if (action) data.actions = [callAction(action, form, reference)];
  return data;
}

// The one call action of the dialog, with what its effect needs: an amount, a date, the item (the reference, a
// transaction number) or the account (Oracle's call actions; the API applies the effect with the communication).
function callAction(action, form, reference) {
  const field = (name) => form.elements.namedItem(name);
  const item = { action };
  const amount = field("action_amount").value;
  if (AMOUNT_LABELS[action] && amount !== "") item.amount = amount;
  if (action === "promise_to_pay" && field("promised_on").value) item.promised_on = field("promised_on").value;
  if (ON_ITEM.has(action) && reference?.qualifier === "transaction") item.reference = reference;
  const account = field("account").value;
  if (ON_ACCOUNT.has(action) && account) item.reference = { qualifier: "account", reference_id: account };
  return item;
}

export class LogDialog {
  constructor({ onLogged }) {
    this.dialog = byId("log-dialog");
    this.form = byId("log-form");
    this.errors = new FieldErrors(this.form, byId("log-error"));
    this.onLogged = onLogged;
    this.contact = null;
    this.returnFocus = null;
    const action = byId("log-action");
    action.addEventListener("change", () => this.showAmount());
    byId("log-cancel").addEventListener("click", () => this.close());
    this.dialog.addEventListener("close", () => this.returnFocus?.focus());
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
  }

  // The active definition's lists: topic and customer response chosen from them, additional actions offered.
  useDefinition(definition) {
    const topic = byId("log-topic");
    topic.replaceWith(chooser(topic, definition.topics, "", { none: "Choose a topic" }));
    const response = byId("log-response");
    response.replaceWith(chooser(response, definition.customer_responses, "", { none: "None" }));
    const additional = definition.additional_actions ?? [];
    if (additional.length) byId("log-action").append(...codeOptions(additional, ""));
  }

  showAmount() {
    const action = byId("log-action").value;
    byId("log-amount-field").hidden = !AMOUNT_LABELS[action];
    byId("log-amount-label").textContent = AMOUNT_LABELS[action] ?? "Amount";
    byId("log-amount-hint").hidden = action !== "partial_dispute";
    byId("log-promised-field").hidden = action !== "promise_to_pay";
    byId("log-account-field").hidden = !ON_ACCOUNT.has(action) || byId("log-account").options.length < 2;
  }

  // The accounts the call may be about; with one, it is the one the API takes, and the choice is not shown.
  setAccounts(context, account) {
    const numbers = (context.accounts_receivable ?? context.financials?.accounts ?? []).map((a) => a.number);
    byId("log-account").replaceChildren(...numbers.map((number) => new Option(number, number, false, number === account)));
  }

  // `item` prefills a call about one AR item (disputing it from its row): its number as the transaction
  // reference, its open amount, its account.
  open(context, { action = null, item = null, account = null } = {}) {
    const contact = context.contact;
    this.contact = contact;
    this.returnFocus = document.activeElement;
    this.form.reset();
    this.errors.clear();
    byId("log-for").textContent = `For ${contact.display_name}`;
    byId("log-interaction").value = localNow();
    byId("log-action").value = action ?? "";
    byId("log-person").value = contact.display_name ?? "";
    const phones = context.phones ?? [];
    byId("log-phone").value = (phones.find((p) => p.is_primary) ?? phones[0])?.number ?? "";
    this.setAccounts(context, account);
    if (item) {
      byId("log-topic").value = `Dispute of ${item.number}`;
      byId("log-ref-qualifier").value = "transaction";
      byId("log-ref-id").value = item.number;
      byId("log-amount").value = item.open_amount;
    }
    this.showAmount();
    this.dialog.showModal();
    byId("log-topic").focus();
  }

  close() {
    this.dialog.close();
  }

  async submit() {
    this.errors.clear();
    const data = body(this.form, this.contact.id);
    if (!data.topic) {
      this.errors.show([{ loc: ["body", "topic"], msg: "A topic is required." }]);
      byId("log-topic").focus();
      return;
    }
    const button = this.form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const created = await api("POST", "/api/communications", { body: data });
      this.returnFocus = null;
      this.dialog.close();
      await this.onLogged(created);
    } catch (failure) {
      const control = failure instanceof ApiError && failure.status === 422 ? this.errors.show(failure.detail) : null;
      if (!control) this.errors.formError.textContent = failure.message;
      (control ?? byId("log-topic")).focus();
    } finally {
      button.disabled = false;
    }
  }
}
