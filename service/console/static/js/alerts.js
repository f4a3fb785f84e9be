// The admins' alert list (GET /api/communications/alerts): the communications an agent logged with the Alert call
// action in the admin's business units, newest first, each opening its contact or the communication itself.

import { api } from "./api.js";
import { formatDateTime, h, humanize } from "./dom.js";

const LIMIT = 50;

export class Alerts {
  constructor({ panel, openContact, openCommunication }) {
    this.openContact = openContact;
    this.openCommunication = openCommunication;
    this.loading = 0;
    this.status = h("p", { class: "results-status", role: "status", id: "alerts-status" });
    this.list = h("ul", { class: "results alerts", "aria-labelledby": "alerts-title" });
    panel.append(
      h("h2", { id: "alerts-title", class: "results-title" }, "Alerts"),
      h("p", { class: "hint" }, "Calls logged with the Alert action in your business units, newest first."),
      this.status,
      this.list,
    );
  }

  async load() {
    const ticket = ++this.loading;
    this.status.textContent = "Loading…";
    let page;
    try {
      page = await api("GET", `/api/communications/alerts?limit=${LIMIT}`);
    } catch (failure) {
      if (ticket === this.loading) this.status.textContent = failure.message;
      return;
    }
    if (ticket !== this.loading) return;
    this.list.replaceChildren(...page.items.map((item) => this.row(item)));
    const count = page.items.length;
    this.status.textContent = count ? `${count === 1 ? "1 alert" : `${count} alerts`}, newest first` : "No alerts.";
  }

  row(item) {
    const name = item.display_name ?? item.contact_display_name ?? `Contact ${item.contact_id}`;
    return h(
      "li",
      { class: "alert-item", dataset: { communicationId: item.communication_id, contactId: item.contact_id } },
      h(
        "div",
        { class: "result-head" },
        h("button", { type: "button", class: "link-button result-name", onclick: () => this.openContact(item.contact_id) }, name),
        h("span", { class: "result-meta" }, formatDateTime(item.interaction_at)),
      ),
      h("div", { class: "result-topic" }, item.topic ?? ""),
      h("div", { class: "result-meta" }, [humanize(item.status), item.created_by ? `by ${item.created_by}` : null].filter(Boolean).join(" · ")),
      item.notes ? h("p", { class: "alert-notes" }, item.notes) : null,
      h("div", { class: "follow-up-buttons" }, h("button", { type: "button", onclick: () => this.openCommunication(item.communication_id, { contactName: name }) }, "Details")),
    );
  }
}
