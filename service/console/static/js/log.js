// Logging a new communication from the context (POST /api/communications), in a modal dialog.
// The interaction date defaults to now and the contact person and phone to the selected contact (ERP seed).

import { api, ApiError } from "./api.js";
import { byId } from "./dom.js";
import { FieldErrors } from "./errors.js";

const PROMISE = "promise_to_pay";

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
  const action = field("action").value;
  const amount = field("action_amount").value;
  const referenceId = optional(field("reference_id").value);
  const reference = referenceId ? { qualifier: field("reference_qualifier").value, reference_id: referenceId } : null;
  data.references = reference ? [reference] : [];
  if (action === PROMISE) {
    // A promise carries its date and names its account (or an item of it) by the reference: sent as an action.
    data.actions = [{ action, amount: amount === "" ? null : amount, promised_on: field("promised_on").value || null, reference }];
    return data;
  }
  if (action) data.action = action;
  if (action === "partial_dispute" && amount !== "") data.action_amount = amount;
  return data;
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

  showAmount() {
    const action = byId("log-action").value;
    byId("log-amount-field").hidden = action !== "partial_dispute" && action !== PROMISE;
    byId("log-amount-label").textContent = action === PROMISE ? "Amount promised" : "Amount in dispute";
    byId("log-promised-field").hidden = action !== PROMISE;
  }

  open(context, { action = null } = {}) {
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
