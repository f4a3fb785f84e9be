// One communication in a modal dialog: every field (GET /api/communications/{id}); its author or an admin edits it
// (PATCH with If-Match, so a save over someone else's newer one is refused in words) and deletes it whatever its
// status (DELETE, as the French ERP seed allows).

import { api, ApiError } from "./api.js";
import { announce, definitionList, formatDate, formatDateTime, formatMoney, h, humanize, table } from "./dom.js";
import { FieldErrors } from "./errors.js";
import { actionOptions, chooser, labelOf } from "./vocabulary.js";

const DIRECTIONS = ["incoming", "outgoing"];
const CHANNELS = ["phone", "email", "portal", "letter"];
const STATUSES = ["open", "in_progress", "closed"];
const ACTIONS = ["alert", "call", "collection_action", "collection_follow_up", "credit_memo", "exclude_from_dunning", "include_in_dunning", "partial_dispute", "promise_to_pay"];
const QUALIFIERS = ["invoice", "item", "transaction", "order", "account"];
const PROMISE = "promise_to_pay";
const WITH_AMOUNT = ["partial_dispute", "credit_memo", PROMISE];

function localInput(iso) {
  if (!iso) return "";
  const value = new Date(iso);
  return new Date(value.getTime() - value.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
}

function optional(text) {
  const trimmed = String(text ?? "").trim();
  return trimmed ? trimmed : null;
}

// What the agent reads when the save lost the race: whose change won, and what to do about it.
export function staleText(failure) {
  const match = /at version (\d+), not (\d+)/.exec(failure.message);
  const versions = match ? ` (it is now at version ${match[1]}; you opened version ${match[2]})` : "";
  return `Not saved: someone else changed this communication after you opened it${versions}. Reload it to see their changes, then make yours again.`;
}

function amountLabel(action) {
  return { [PROMISE]: "Amount promised", credit_memo: "Credit memo amount" }[action] ?? "Amount in dispute";
}

function sameAmount(a, b) {
  return a === null || a === undefined ? b === null || b === undefined : b !== null && b !== undefined && Number(a) === Number(b);
}

function field(label, control, path, { span = false } = {}) {
  if (!control.id) control.id = `comm-edit-${path}`;
  control.dataset.path = path;
  return h(
    "div",
    { class: `field${span ? " span-2" : ""}` },
    h("label", { for: control.id }, label),
    control,
    h("p", { class: "field-error", "data-error-for": path }),
  );
}

function select(name, values, current, { none = null } = {}) {
  const options = values.map((value) => h("option", { value, selected: value === current }, humanize(value)));
  if (none) options.unshift(h("option", { value: "", selected: !current }, none));
  return h("select", { id: `comm-edit-${name}`, name }, options);
}

export class CommunicationDialog {
  constructor({ me, definition = {}, openContact, onChanged = () => {} }) {
    this.me = me;
    this.definition = definition;
    this.openContact = openContact;
    this.onChanged = onChanged;
    this.communication = null;
    this.contactName = "";
    this.returnFocus = null;
    this.title = h("h2", { id: "communication-title" }, "Communication");
    this.body = h("div", { class: "communication-body" });
    this.dialog = h(
      "dialog",
      { id: "communication-dialog", class: "log-dialog", "aria-labelledby": "communication-title" },
      this.title,
      this.body,
    );
    this.dialog.addEventListener("close", () => this.returnFocus?.focus());
    document.body.append(this.dialog);
  }

  mayChange(communication) {
    return this.me.role === "admin" || communication.created_by === this.me.name;
  }

  async open(communicationId, { contactName = "" } = {}) {
    this.returnFocus = document.activeElement;
    this.contactName = contactName;
    this.body.replaceChildren(h("p", { role: "status" }, "Loading…"));
    if (!this.dialog.open) this.dialog.showModal();
    try {
      this.communication = await api("GET", `/api/communications/${communicationId}`);
    } catch (failure) {
      this.body.replaceChildren(
        h("p", { class: "field-error", role: "alert" }, failure.message),
        h("div", { class: "form-buttons" }, h("button", { type: "button", onclick: () => this.dialog.close() }, "Close")),
      );
      return;
    }
    this.show();
  }

  show({ notice = "" } = {}) {
    const c = this.communication;
    this.title.textContent = c.topic;
    const references = table(
      "References",
      ["Qualifier", "Reference ID"],
      c.references.map((r) => [humanize(r.qualifier), r.reference_id]),
      { emptyText: "No references." },
    );
    const canChange = this.mayChange(c);
    this.body.replaceChildren(
      notice ? h("p", { class: "notice", role: "status" }, notice) : null,
      h("p", { class: "hint" }, `For ${this.contactName || `contact ${c.contact_id}`} · logged by ${c.created_by} on ${formatDateTime(c.created_at)}`),
      definitionList([
        ["Interaction date", formatDateTime(c.interaction_at)],
        ["Follow-up date", formatDate(c.follow_up_on)],
        ["Direction", humanize(c.direction)],
        ["Channel", humanize(c.channel)],
        ["Internal", c.internal ? "Yes" : "No"],
        ["Status", humanize(c.status)],
        ["Action", c.action ? labelOf(this.definition.additional_actions, c.action) : "None"],
        [amountLabel(c.action), c.action_amount !== null ? formatMoney(c.action_amount) : ""],
        ...(c.action === PROMISE ? [["Promised for", formatDate(c.actions[0]?.promised_on)]] : []),
        ["Customer response", c.customer_response ? labelOf(this.definition.customer_responses, c.customer_response, String) : ""],
        ["Keywords", c.keywords.join(", ")],
        ["Contact person", c.contact_person],
        ["Contact phone", c.contact_phone],
        ["External ID", c.external_id],
        ["Version", String(c.version)],
      ]),
      h("h3", {}, "References"),
      references,
      h("h3", {}, "Notes"),
      c.notes ? h("p", { class: "notes" }, c.notes) : h("p", { class: "empty" }, "No notes."),
      h(
        "div",
        { class: "form-buttons" },
        canChange ? h("button", { type: "button", class: "primary", onclick: () => this.edit() }, "Edit") : null,
        canChange ? h("button", { type: "button", onclick: () => this.confirmDelete() }, "Delete") : null,
        h("button", { type: "button", onclick: () => this.openItsContact() }, "Open contact"),
        h("button", { type: "button", onclick: () => this.dialog.close() }, "Close"),
      ),
      h("div", { class: "delete-confirm", hidden: true }),
      h("p", { class: "field-error", role: "alert", id: "communication-error" }),
    );
    this.body.querySelector("button")?.focus();
  }

  openItsContact() {
    this.returnFocus = null;
    this.dialog.close();
    this.openContact(this.communication.contact_id);
  }

  confirmDelete() {
    const box = this.body.querySelector(".delete-confirm");
    const keep = h("button", { type: "button", onclick: () => { box.hidden = true; } }, "Keep it");
    box.replaceChildren(
      h("p", {}, "Delete this communication for good? It is removed whatever its status."),
      h("div", { class: "form-buttons" }, h("button", { type: "button", class: "danger", onclick: () => this.remove() }, "Delete for good"), keep),
    );
    box.hidden = false;
    keep.focus();
  }

  async remove() {
    const c = this.communication;
    try {
      await api("DELETE", `/api/communications/${c.id}`, { headers: { "If-Match": `"${c.version}"` } });
    } catch (failure) {
      const text = failure instanceof ApiError && failure.status === 409 ? staleText(failure) : failure.message;
      this.body.querySelector("#communication-error").textContent = text;
      return;
    }
    this.dialog.close();
    announce("Communication deleted");
    this.onChanged({ deleted: c });
  }

  edit() {
    const c = this.communication;
    const amount = h("input", { name: "action_amount", type: "number", min: "0", step: "0.01", inputmode: "decimal", value: c.action_amount ?? "" });
    const action = h("select", { id: "comm-edit-action", name: "action" }, actionOptions(ACTIONS, this.definition.additional_actions, c.action));
    const d = this.definition;
    const topic = chooser(h("input", { name: "topic", maxlength: "100", required: true, value: c.topic }), d.topics, c.topic, { none: "Choose a topic" });
    const response = chooser(h("input", { name: "customer_response", maxlength: "64", value: c.customer_response ?? "" }), d.customer_responses, c.customer_response, { none: "None" });
    const promisedOn = h("input", { name: "promised_on", type: "date", value: c.action === PROMISE ? (c.actions[0]?.promised_on ?? "") : "" });
    const internal = h("input", { id: "comm-edit-internal", name: "internal", type: "checkbox", checked: c.internal, "data-path": "internal" });
    const referenceRows = h("div", { class: "reference-rows" });
    const addReference = (reference = { qualifier: "invoice", reference_id: "" }) => {
      const index = referenceRows.children.length;
      const qualifier = h("select", { "aria-label": `Reference ${index + 1} qualifier`, name: "ref-qualifier" }, QUALIFIERS.map((q) => h("option", { value: q, selected: q === reference.qualifier }, humanize(q))));
      const id = h("input", { "aria-label": `Reference ${index + 1} ID`, name: "ref-id", maxlength: "64", value: reference.reference_id, "data-path": "references" });
      const row = h("div", { class: "reference-row" }, qualifier, id);
      row.append(h("button", { type: "button", "aria-label": `Remove reference ${index + 1}`, onclick: () => row.remove() }, "Remove"));
      referenceRows.append(row);
    };
    c.references.forEach((reference) => addReference(reference));
    const form = h(
      "form",
      { class: "communication-edit", novalidate: true },
      h(
        "div",
        { class: "grid-2" },
        field("Topic", topic, "topic", { span: true }),
        field("Direction", select("direction", DIRECTIONS, c.direction), "direction"),
        field("Channel", select("channel", CHANNELS, c.channel), "channel"),
        field("Interaction date", h("input", { name: "interaction_at", type: "datetime-local", value: localInput(c.interaction_at) }), "interaction_at"),
        field("Follow-up date", h("input", { name: "follow_up_on", type: "date", value: c.follow_up_on ?? "" }), "follow_up_on"),
        field("Status", select("status", STATUSES, c.status), "status"),
        field("Action", action, "action"),
        field("Amount", amount, "actions.0.amount"),
        field("Promised for", promisedOn, "actions.0.promised_on"),
        field("Customer response", response, "customer_response"),
        h("div", { class: "field checkbox span-2" }, internal, h("label", { for: "comm-edit-internal" }, "Internal")),
        field("Keywords", h("input", { name: "keywords", value: c.keywords.join(", ") }), "keywords", { span: true }),
        h(
          "fieldset",
          { class: "span-2" },
          h("legend", {}, "References"),
          referenceRows,
          h("button", { type: "button", onclick: () => addReference() }, "Add reference"),
          h("p", { class: "field-error", "data-error-for": "references" }),
        ),
        field("Notes", h("textarea", { name: "notes", rows: "4" }, c.notes ?? ""), "notes", { span: true }),
        field("Contact person", h("input", { name: "contact_person", maxlength: "100", value: c.contact_person ?? "" }), "contact_person"),
        field("Contact phone", h("input", { name: "contact_phone", maxlength: "40", value: c.contact_phone ?? "" }), "contact_phone"),
      ),
      h("p", { class: "field-error", role: "alert", id: "communication-edit-error" }),
      h("div", { class: "stale-actions", hidden: true }, h("button", { type: "button", onclick: () => this.reload() }, "Reload the communication")),
      h(
        "div",
        { class: "form-buttons" },
        h("button", { type: "submit", class: "primary" }, "Save changes"),
        h("button", { type: "button", onclick: () => this.show() }, "Cancel"),
      ),
    );
    const showAmount = () => {
      amount.closest(".field").hidden = !WITH_AMOUNT.includes(action.value);
      amount.closest(".field").querySelector("label").textContent = amountLabel(action.value);
      promisedOn.closest(".field").hidden = action.value !== PROMISE;
    };
    action.addEventListener("change", showAmount);
    const errors = new FieldErrors(form, form.querySelector("#communication-edit-error"));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.save(form, errors);
    });
    this.title.textContent = `Edit: ${c.topic}`;
    this.body.replaceChildren(form);
    showAmount();
    form.elements.namedItem("topic").focus();
  }

  patchOf(form) {
    const c = this.communication;
    const value = (name) => form.elements.namedItem(name).value;
    const action = value("action") || null;
    const body = {
      topic: value("topic").trim(),
      direction: value("direction"),
      channel: value("channel"),
      status: value("status"),
      action,
      follow_up_on: value("follow_up_on") || null,
      customer_response: optional(value("customer_response")),
      internal: form.elements.namedItem("internal").checked,
      keywords: value("keywords").split(",").map((k) => k.trim()).filter(Boolean),
      notes: optional(value("notes")),
      contact_person: optional(value("contact_person")),
      contact_phone: optional(value("contact_phone")),
      references: [...form.querySelectorAll(".reference-row")]
        .map((row) => ({ qualifier: row.querySelector("select").value, reference_id: row.querySelector("input").value.trim() }))
        .filter((r) => r.reference_id),
    };
    const interaction = value("interaction_at");
    if (interaction && interaction !== localInput(c.interaction_at)) body.interaction_at = new Date(interaction).toISOString();
    const actions = this.editedActions(action, value("action_amount"), value("promised_on"));
    delete body.action;
    delete body.action_amount;
    if (actions) body.actions = actions;
    return body;
  }

  // The actions as edited, or null when the first one (the one the dialog shows) is as stored: the first action
  // changed in place keeps what the dialog does not show (its item or account reference), so changing a dispute's
  // amount changes that item's dispute; the others stay as they were.
  editedActions(action, amountValue, promisedValue) {
    const stored = this.communication.actions.map(({ action: name, amount, reference, promised_on }) => ({
      action: name,
      amount,
      reference: reference ? { qualifier: reference.qualifier, reference_id: reference.reference_id } : null,
      promised_on,
    }));
    if (!action) return stored.length ? [] : null;
    const amount = WITH_AMOUNT.includes(action) && amountValue !== "" ? amountValue : null;
    const promisedOn = action === PROMISE ? promisedValue || null : null;
    const first = stored[0];
    if (first?.action === action) {
      if (sameAmount(first.amount, amount) && (first.promised_on ?? null) === promisedOn) return null;
      return [{ ...first, amount, promised_on: promisedOn }, ...stored.slice(1)];
    }
    return [{ action, amount, reference: null, promised_on: promisedOn }, ...stored.slice(1)];
  }

  async save(form, errors) {
    errors.clear();
    form.querySelector(".stale-actions").hidden = true;
    const c = this.communication;
    const body = this.patchOf(form);
    if (!body.topic) {
      errors.show([{ loc: ["body", "topic"], msg: "A topic is required." }]);
      form.elements.namedItem("topic").focus();
      return;
    }
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      this.communication = await api("PATCH", `/api/communications/${c.id}`, { body, headers: { "If-Match": `"${c.version}"` } });
    } catch (failure) {
      if (failure instanceof ApiError && failure.status === 409) {
        errors.formError.textContent = staleText(failure);
        form.querySelector(".stale-actions").hidden = false;
        form.querySelector(".stale-actions button").focus();
      } else {
        const control = failure instanceof ApiError && failure.status === 422 ? errors.show(failure.detail) : null;
        if (!control) errors.formError.textContent = failure.message;
        (control ?? form.elements.namedItem("topic")).focus();
      }
      return;
    } finally {
      button.disabled = false;
    }
    this.show({ notice: "Changes saved." });
    announce("Communication saved");
    this.onChanged({ saved: this.communication });
  }

  async reload() {
    await this.open(this.communication.id, { contactName: this.contactName });
  }
}
