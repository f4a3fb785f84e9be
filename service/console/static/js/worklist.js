// The agent's follow-ups (GET /api/communications/worklist): the due ones, oldest first, each opening its contact.
// Done closes one (the API refuses until an action or a note was logged on it, as Odoo does); Do it later moves its
// follow-up date, with Odoo's shortcuts one week, two weeks, one month and two months filling the date field.
//
// The list is read from the search engine, which follows the database within about two seconds: a follow-up just
// handled is left out of the answers that still hold it, so it does not come back on the screen meanwhile.

import { api, ApiError } from "./api.js";
import { announce, formatDate, h, humanize } from "./dom.js";

export const SHORTCUTS = [
  ["One week", { days: 7 }],
  ["Two weeks", { days: 14 }],
  ["One month", { months: 1 }],
  ["Two months", { months: 2 }],
];
const PAGE = 50;
const COUNT_EVERY_MS = 60_000;
const ENGINE_LAG_MS = 2500;

function isoDate(date) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

// The date `days` or `months` after `from` (the agent's today); a month later than 31 January is the last of February.
export function later(from, { days = 0, months = 0 }) {
  const date = new Date(from.getFullYear(), from.getMonth(), from.getDate() + days);
  if (months) {
    const day = date.getDate();
    date.setDate(1);
    date.setMonth(date.getMonth() + months);
    const last = new Date(date.getFullYear(), date.getMonth() + 1, 0).getDate();
    date.setDate(Math.min(day, last));
  }
  return isoDate(date);
}

function withoutWhere(message) {
  return message.replace(/^status: /, "");
}

export class FollowUps {
  constructor({ panel, badge, tab, openContact, openCommunication }) {
    this.panel = panel;
    this.badge = badge;
    this.tab = tab;
    this.openContact = openContact;
    this.openCommunication = openCommunication;
    this.handled = new Set();
    this.loading = 0;
    this.status = h("p", { class: "results-status", role: "status", id: "followups-status" });
    this.list = h("ul", { class: "results follow-ups", "aria-labelledby": "followups-title" });
    this.more = h("button", { type: "button", hidden: true }, "More follow-ups");
    this.next = null;
    this.more.addEventListener("click", () => this.load({ append: true }));
    panel.append(
      h("h2", { id: "followups-title", class: "results-title" }, "Your follow-ups due"),
      h("p", { class: "hint" }, "Oldest first. Done needs an action or a note logged on the communication; Do it later moves its follow-up date."),
      this.status,
      this.list,
      this.more,
    );
    window.setInterval(() => this.count(), COUNT_EVERY_MS);
  }

  setCount(total) {
    this.total = total;
    this.badge.textContent = String(total);
    this.badge.hidden = false;
    this.badge.classList.toggle("badge-due", total > 0);
  }

  // The answer's total, less the follow-ups handled here that the engine still lists.
  visible(page) {
    const listed = page.items.filter((item) => this.handled.has(item.communication_id)).length;
    if (!page.next) {
      for (const id of [...this.handled]) if (!page.items.some((item) => item.communication_id === id)) this.handled.delete(id);
    }
    return { items: page.items.filter((item) => !this.handled.has(item.communication_id)), total: Math.max(0, page.total - listed) };
  }

  async count() {
    try {
      const page = await api("GET", `/api/communications/worklist?size=${PAGE}`);
      this.setCount(this.visible(page).total);
    } catch {
      // the badge keeps its last count; the list says what failed when it is opened
    }
  }

  async load({ append = false } = {}) {
    const ticket = ++this.loading;
    if (!append) this.status.textContent = "Loading…";
    const after = append && this.next ? `&after=${encodeURIComponent(this.next)}` : "";
    let page;
    try {
      page = await api("GET", `/api/communications/worklist?size=${PAGE}${after}`);
    } catch (failure) {
      if (ticket === this.loading) this.status.textContent = failure.message;
      return;
    }
    if (ticket !== this.loading) return;
    const { items, total } = this.visible(page);
    if (!append) this.list.replaceChildren();
    for (const item of items) this.list.append(this.row(item));
    this.next = page.next;
    this.more.hidden = !page.next;
    this.setCount(total);
    this.describe();
  }

  describe() {
    const total = this.total;
    this.status.textContent = total ? `${total === 1 ? "1 follow-up" : `${total} follow-ups`} due, oldest first` : "No follow-ups due. Well done.";
  }

  row(item) {
    const error = h("p", { class: "field-error", role: "alert" });
    const laterBox = this.laterBox(item, error);
    const laterButton = h("button", { type: "button", "aria-expanded": "false" }, "Do it later");
    laterButton.addEventListener("click", () => {
      const open = laterBox.hidden;
      laterBox.hidden = !open;
      laterButton.setAttribute("aria-expanded", String(open));
      if (open) laterBox.querySelector("button")?.focus();
    });
    const done = h("button", { type: "button", class: "primary" }, "Done");
    done.addEventListener("click", () => this.done(item, { button: done, error }));
    return h(
      "li",
      { class: "follow-up", dataset: { communicationId: item.communication_id, contactId: item.contact_id } },
      h(
        "div",
        { class: "result-head" },
        h("button", { type: "button", class: "link-button result-name", onclick: () => this.openContact(item.contact_id) }, item.contact_display_name),
        h("span", { class: "badge badge-due" }, `Due ${formatDate(item.follow_up_on)}`),
      ),
      h("div", { class: "result-topic" }, item.topic ?? ""),
      h("div", { class: "result-meta" }, [humanize(item.status), humanize(item.channel), item.action ? humanize(item.action) : null].filter(Boolean).join(" · ")),
      h(
        "div",
        { class: "follow-up-buttons" },
        done,
        laterButton,
        h("button", { type: "button", onclick: () => this.openCommunication(item.communication_id, { contactName: item.contact_display_name }) }, "Details"),
      ),
      laterBox,
      error,
    );
  }

  laterBox(item, error) {
    const today = new Date();
    const dateId = `later-${item.communication_id}`;
    const date = h("input", { id: dateId, type: "date", min: later(today, { days: 1 }), required: true });
    const move = h("button", { type: "submit", class: "primary" }, "Move follow-up");
    const form = h(
      "form",
      { class: "later", hidden: true, "aria-label": `Do it later: ${item.topic ?? ""}`, novalidate: true },
      h("div", { class: "shortcuts", role: "group", "aria-label": "Shortcuts" }, SHORTCUTS.map(([label, step]) =>
        h("button", { type: "button", onclick: () => { date.value = later(today, step); date.focus(); } }, label),
      )),
      h("div", { class: "field" }, h("label", { for: dateId }, "New follow-up date"), date),
      h("div", { class: "form-buttons" }, move),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.moveLater(item, date.value, { button: move, error, today });
    });
    return form;
  }

  async patch(item, body) {
    const current = await api("GET", `/api/communications/${item.communication_id}`);
    return api("PATCH", `/api/communications/${item.communication_id}`, { body, headers: { "If-Match": `"${current.version}"` } });
  }

  async done(item, { button, error }) {
    error.textContent = "";
    button.disabled = true;
    try {
      await this.patch(item, { status: "closed" });
    } catch (failure) {
      error.textContent = failure instanceof ApiError ? withoutWhere(failure.message) : String(failure);
      button.disabled = false;
      button.focus();
      return;
    }
    this.handledNow(item, `${item.contact_display_name}: follow-up done`);
  }

  async moveLater(item, value, { button, error, today }) {
    error.textContent = "";
    if (!value || value <= isoDate(today)) {
      error.textContent = "Choose a date after today, or one of the shortcuts.";
      return;
    }
    button.disabled = true;
    try {
      await this.patch(item, { follow_up_on: value });
    } catch (failure) {
      error.textContent = failure.message;
      button.disabled = false;
      return;
    }
    this.handledNow(item, `${item.contact_display_name}: follow-up moved to ${formatDate(value)}`);
  }

  // Also after a change made elsewhere (the communication dialog): the row goes, the count follows.
  handledNow(item, text) {
    const row = this.list.querySelector(`[data-communication-id="${item.communication_id}"]`);
    const next = row?.nextElementSibling ?? row?.previousElementSibling;
    if (row) {
      this.handled.add(item.communication_id);
      row.remove();
      this.setCount(Math.max(0, this.total - 1));
      this.describe();
    }
    announce(text);
    if (!document.querySelector("dialog[open]")) (next?.querySelector("button.primary") ?? this.tab).focus();
    window.setTimeout(() => this.load(), ENGINE_LAG_MS);
  }

  // A communication saved or deleted in its dialog: closed, deleted or moved past today, it leaves the list.
  changed({ saved, deleted }) {
    const c = saved ?? deleted;
    if (!c || !this.list.querySelector(`[data-communication-id="${c.id}"]`)) return;
    const gone = deleted || saved.status === "closed" || !saved.follow_up_on || saved.follow_up_on > isoDate(new Date());
    if (gone) this.handledNow({ communication_id: c.id, contact_display_name: "Communication" }, deleted ? "Follow-up deleted" : "Follow-up updated");
  }
}
