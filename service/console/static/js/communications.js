// Finding communications (POST /api/communications/search) by the criteria the active definition enables for them:
// keyword, reference (qualifier and id, on one reference), transaction number, status, action, topic, date ranges.
// Each result opens the communication itself, with all its fields.

import { api, ApiError } from "./api.js";
import { formatDate, formatDateTime, h, humanize } from "./dom.js";
import { FieldErrors } from "./errors.js";

const RANGED = new Set(["amount", "number", "date"]);
// The qualifiers the Log dialog offers; the search takes any, so the list only saves typing.
const QUALIFIERS = ["invoice", "item", "transaction", "order"];

function criterion(field) {
  const id = `comm-search-${field.key}`;
  const slot = h("p", { class: "field-error", id: `${id}-error`, "data-error-for": `communications.${field.key}` });
  const common = { "data-path": `communications.${field.key}`, "aria-describedby": `${id}-error`, dataset: { key: field.key } };
  if (field.type === "enum" || field.type === "boolean" || field.key === "reference_qualifier") {
    const values = field.key === "reference_qualifier" ? QUALIFIERS : field.values;
    const choices = field.type === "boolean" ? [["true", "Yes"], ["false", "No"]] : values.map((v) => [v, humanize(v)]);
    return h(
      "div",
      { class: "field" },
      h("label", { for: id }, field.label),
      h("select", { id, ...common, dataset: { key: field.key, kind: field.type } }, h("option", { value: "" }, "Any"), choices.map(([v, text]) => h("option", { value: v }, text))),
      slot,
    );
  }
  if (RANGED.has(field.type)) {
    const type = field.type === "date" ? "date" : "number";
    return h(
      "fieldset",
      { class: "field range", ...common },
      h("legend", {}, field.label),
      h("label", { for: `${id}-min` }, "From"),
      h("input", { id: `${id}-min`, type, dataset: { key: field.key, bound: "min", kind: type } }),
      h("label", { for: `${id}-max` }, "To"),
      h("input", { id: `${id}-max`, type, dataset: { key: field.key, bound: "max", kind: type } }),
      slot,
    );
  }
  return h(
    "div",
    { class: "field" },
    h("label", { for: id }, field.label),
    h("input", { id, type: "text", autocomplete: "off", spellcheck: "false", ...common }),
    slot,
  );
}

function collect(form) {
  const criteria = {};
  for (const control of form.querySelectorAll("input[data-key], select[data-key]")) {
    const raw = control.value.trim();
    if (!raw) continue;
    const key = control.dataset.key;
    const kind = control.dataset.kind;
    if (control.dataset.bound) {
      criteria[key] = { ...(criteria[key] ?? {}), [control.dataset.bound]: kind === "number" ? Number(raw) : raw };
    } else if (kind === "boolean") criteria[key] = raw === "true";
    else criteria[key] = raw;
  }
  return criteria;
}

function row(item, onOpen) {
  const when = item.interaction_at ?? item.created_at;
  const references = (item.references ?? []).map((r) => `${humanize(r.qualifier)} ${r.reference_id}`).join(", ");
  return h(
    "li",
    { dataset: { communicationId: item.communication_id } },
    h(
      "button",
      { type: "button", class: "communication-hit", onclick: () => onOpen(item.communication_id, { contactName: item.contact_display_name }) },
      h(
        "span",
        { class: "result-head" },
        h("span", { class: "result-name" }, item.topic ?? ""),
        h("span", { class: `badge badge-${item.status ?? "open"}` }, humanize(item.status ?? "")),
      ),
      h("span", { class: "result-meta" }, [item.contact_display_name, formatDateTime(when), item.action ? humanize(item.action) : null, item.created_by].filter(Boolean).join(" · ")),
      references || item.follow_up_on
        ? h("span", { class: "result-meta" }, [references, item.follow_up_on ? `Follow-up ${formatDate(item.follow_up_on)}` : null].filter(Boolean).join(" · "))
        : null,
    ),
  );
}

export class CommunicationSearch {
  constructor({ panel, fields, openCommunication }) {
    this.openCommunication = openCommunication;
    this.searching = 0;
    this.next = null;
    this.request = null;
    this.form = h(
      "form",
      { class: "communication-search", "aria-label": "Find communications", novalidate: true },
      h("div", { class: "criteria" }, fields.map(criterion)),
      h("p", { class: "field-error", role: "alert", id: "comm-search-error" }),
      h("div", { class: "form-buttons" }, h("button", { type: "submit", class: "primary" }, "Find communications"), h("button", { type: "reset" }, "Clear")),
    );
    this.errors = new FieldErrors(this.form, this.form.querySelector("#comm-search-error"));
    this.status = h("p", { class: "results-status", role: "status" });
    this.list = h("ul", { class: "results communication-hits", "aria-label": "Communications found" });
    this.more = h("button", { type: "button", hidden: true }, "More communications");
    this.more.addEventListener("click", () => this.run({ append: true }));
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.request = collect(this.form);
      this.run();
    });
    this.form.addEventListener("reset", () => window.setTimeout(() => this.errors.clear()));
    panel.append(
      h("h2", { class: "results-title", id: "comm-search-title" }, "Find communications"),
      fields.length ? this.form : h("p", { class: "empty" }, "The active definition enables no communication criteria."),
      this.status,
      this.list,
      this.more,
    );
  }

  async run({ append = false } = {}) {
    const ticket = ++this.searching;
    this.errors.clear();
    if (!Object.keys(this.request).length) {
      this.errors.formError.textContent = "Fill in at least one criterion.";
      this.form.querySelector("input, select")?.focus();
      return;
    }
    const body = { criteria: this.request, ...(append && this.next ? { after: this.next } : {}) };
    this.status.textContent = "Searching…";
    let page;
    try {
      page = await api("POST", "/api/communications/search", { body });
    } catch (failure) {
      if (ticket !== this.searching) return;
      this.status.textContent = "";
      const control = failure instanceof ApiError && failure.status === 422 ? this.errors.show(failure.detail) : null;
      if (!control) this.errors.formError.textContent = failure.message;
      control?.focus?.();
      return;
    }
    if (ticket !== this.searching) return;
    if (!append) this.list.replaceChildren();
    const first = this.list.children.length;
    for (const item of page.items) this.list.append(row(item, this.openCommunication));
    this.next = page.next;
    this.more.hidden = !page.next;
    this.status.textContent = page.total === 1 ? "1 communication found, newest first" : `${page.total} communications found, newest first`;
    if (!page.total) this.status.textContent = "No communication matches.";
    this.list.children[first]?.querySelector("button")?.focus();
  }

  // Saved or deleted in its dialog: the row shows it at once (the engine follows within about two seconds).
  changed({ saved, deleted }) {
    const c = saved ?? deleted;
    const line = c && this.list.querySelector(`[data-communication-id="${c.id}"]`);
    if (!line) return;
    if (deleted) line.remove();
    else line.querySelector(".result-name").textContent = saved.topic;
  }
}
