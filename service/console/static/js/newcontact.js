// Logging a new person or company before any contact is selected (the Communication Centre's "Log person
// information" and "Log company information"), and the "new caller" form of a screen pop that found nobody.
// Saving first asks GET /api/contacts/similar: the likely existing customers are shown with a choice to open one
// instead; saving again, unchanged, creates the contact (POST /api/contacts).

import { api, ApiError } from "./api.js";
import { byId, h, humanize, marked } from "./dom.js";
import { FieldErrors } from "./errors.js";

const TITLES = { person: "Log person information", company: "Log company information" };
const FIELD_LABELS = { phone: "Phone", email: "Email", name: "Name" };

function text(form, name) {
  return form.elements.namedItem(name).value.trim();
}

export class NewContactDialog {
  constructor({ me, onOpen, onCreated }) {
    this.dialog = byId("contact-dialog");
    this.form = byId("contact-form");
    this.errors = new FieldErrors(this.form, byId("contact-error"));
    this.me = me;
    this.onOpen = onOpen;
    this.onCreated = onCreated;
    this.kind = "person";
    this.checked = null;
    this.asking = 0;
    byId("contact-cancel").addEventListener("click", () => this.dialog.close());
    this.form.addEventListener("input", () => this.changed());
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
    // An agent bound to a unit creates contacts in it; one bound to none names it.
    byId("contact-unit-field").hidden = Boolean(me.business_unit);
  }

  open({ kind = "person", title = null, phone = "" } = {}) {
    this.kind = kind;
    this.form.reset();
    this.errors.clear();
    this.changed();
    byId("contact-title").textContent = title ?? TITLES[kind];
    for (const field of this.form.querySelectorAll("[data-for-kind]")) field.hidden = field.dataset.forKind !== kind;
    byId("contact-phone").value = phone;
    this.dialog.showModal();
    byId(kind === "person" ? "contact-first-name" : "contact-company-name").focus();
  }

  // Any change asks the check again: the customers shown were found for what was typed before.
  changed() {
    this.checked = null;
    this.asking += 1;
    byId("similar").hidden = true;
    byId("similar-list").replaceChildren();
    byId("contact-save").textContent = "Check and save";
  }

  values() {
    const name =
      this.kind === "person" ? [text(this.form, "first_name"), text(this.form, "last_name")].filter(Boolean).join(" ") : text(this.form, "company_name");
    return { name, phone: text(this.form, "phone"), email: text(this.form, "email") };
  }

  body() {
    const { phone, email } = this.values();
    const data = { kind: this.kind };
    if (this.kind === "person") {
      for (const name of ["first_name", "last_name"]) if (text(this.form, name)) data[name] = text(this.form, name);
    } else data.company_name = text(this.form, "company_name");
    if (phone) data.phones = [{ type: this.kind === "person" ? "mobile" : "work", number: phone, is_primary: true }];
    if (email) data.emails = [{ type: this.kind === "person" ? "personal" : "work", address: email, is_primary: true }];
    if (!this.me.business_unit && text(this.form, "business_unit")) data.business_unit = text(this.form, "business_unit");
    return data;
  }

  async submit() {
    this.errors.clear();
    const values = this.values();
    if (!values.name) {
      const path = this.kind === "person" ? "last_name" : "company_name";
      const message = this.kind === "person" ? "Give a first or a last name." : "Give the company name.";
      this.errors.show([{ loc: ["body", path], msg: message }])?.focus();
      return;
    }
    const button = byId("contact-save");
    button.disabled = true;
    try {
      const signature = JSON.stringify(this.body());
      if (this.checked === signature) await this.create();
      else await this.check(values, signature);
    } catch (failure) {
      const control = failure instanceof ApiError && failure.status === 422 ? this.errors.show(failure.detail) : null;
      if (!control) this.errors.formError.textContent = failure.message;
      control?.focus();
    } finally {
      button.disabled = false;
    }
  }

  async check(values, signature) {
    const asking = ++this.asking;
    const query = new URLSearchParams(Object.entries(values).filter(([, value]) => value));
    let found;
    try {
      found = await api("GET", `/api/contacts/similar?${query}`);
    } catch (failure) {
      // A phone the check cannot read is the form's phone error, said where the agent typed it.
      if (failure instanceof ApiError && failure.status === 422 && typeof failure.detail === "string") {
        const [where, ...rest] = failure.detail.split(": ");
        const path = { phone: "phones", email: "emails", name: this.kind === "person" ? "last_name" : "company_name" }[where];
        if (path) throw new ApiError(422, [{ loc: ["body", path], msg: rest.join(": ") }]);
      }
      throw failure;
    }
    if (asking !== this.asking) return;
    if (!found.items.length) {
      await this.create();
      return;
    }
    this.checked = signature;
    this.showSimilar(found);
  }

  showSimilar(found) {
    const list = byId("similar-list");
    list.replaceChildren(
      ...found.items.map((item) =>
        h(
          "li",
          { dataset: { contactId: item.contact_id } },
          h(
            "div",
            { class: "result-head" },
            h("span", { class: "result-name" }, item.display_name || `Contact ${item.contact_id}`),
            h("button", { type: "button", "aria-label": `Open ${item.display_name}`, onclick: () => this.open_(item.contact_id) }, "Open"),
          ),
          h("div", { class: "result-meta" }, [humanize(item.kind), item.business_unit, item.primary_phone, item.primary_email].filter(Boolean).join(" · ")),
          h(
            "ul",
            { class: "highlights", "aria-label": "Matched" },
            item.highlights.map((hit) =>
              h("li", {}, h("span", { class: "highlight-field" }, `${FIELD_LABELS[hit.field] ?? humanize(hit.field)}: `), marked(hit.value, hit.spans), hit.fuzzy ? h("span", { class: "badge" }, "close match") : null),
            ),
          ),
        ),
      ),
    );
    byId("similar-title").textContent = found.total === 1 ? "1 likely existing customer" : `${found.total} likely existing customers`;
    byId("similar").hidden = false;
    byId("contact-save").textContent = "Save as a new contact";
    byId("similar-title").focus();
  }

  open_(contactId) {
    this.dialog.close();
    this.onOpen(contactId);
  }

  async create() {
    const created = await api("POST", "/api/contacts", { body: this.body() });
    this.dialog.close();
    await this.onCreated(created);
  }
}
