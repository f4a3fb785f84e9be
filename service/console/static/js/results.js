// The result list: contacts from a search or the agent's latest communications, as one keyboard listbox.
// Arrow keys (and Home/End) move through it, Enter or a click opens the contact, Escape goes back to the search.

import { formatDateTime, formatMoney, h, humanize, marked } from "./dom.js";

export class ResultList {
  constructor({ list, title, status, more, onOpen, onEscape }) {
    this.list = list;
    this.title = title;
    this.status = status;
    this.more = more;
    this.onOpen = onOpen;
    this.onEscape = onEscape;
    this.loadMore = null;
    this.listing = 0;
    list.addEventListener("keydown", (event) => this.keydown(event));
    list.addEventListener("click", (event) => {
      const option = event.target.closest("[role=option]");
      if (option) this.open(option);
    });
    more.addEventListener("click", async () => {
      if (!this.loadMore) return;
      const first = this.options().length;
      if (await this.loadMore()) this.options()[first]?.focus();
    });
  }

  options() {
    return [...this.list.querySelectorAll("[role=option]")];
  }

  reset(title) {
    this.title.textContent = title;
    this.list.replaceChildren();
    this.status.textContent = "";
    this.more.hidden = true;
    this.loadMore = null;
  }

  // Starts a listing under `title`: `fetchPage(after)` fetches a page, `show(page, { append, loadMore })` shows it,
  // and "More" fetches the next. Resolves to the first page, or to null when a newer listing started before this
  // one's answer (or failure) arrived: a slow search never replaces the results of a later one.
  async start(title, busyText, fetchPage, show) {
    const listing = ++this.listing;
    this.reset(title);
    this.busy(busyText);
    const run = async (after, append) => {
      let page;
      try {
        page = await fetchPage(after);
      } catch (failure) {
        if (listing !== this.listing) return null;
        throw failure;
      }
      if (listing !== this.listing) return null;
      show(page, { append, loadMore: () => run(page.next, true).catch((failure) => this.failed(failure.message)) });
      return page;
    };
    return run(null, false);
  }

  busy(text) {
    this.status.textContent = text;
    this.list.setAttribute("aria-busy", "true");
  }

  failed(text) {
    this.list.removeAttribute("aria-busy");
    this.status.textContent = text;
  }

  // `page` is a SearchPage; `labels` maps field keys to labels; highlights carry their own spans.
  showContacts(page, { labels, append = false, loadMore = null }) {
    const start = append ? this.options().length : 0;
    if (!append) this.list.replaceChildren();
    page.items.forEach((item, offset) => this.list.append(contactOption(item, start + offset, labels)));
    this.finish(page, loadMore, page.total === 1 ? "1 contact found" : `${page.total} contacts found`);
  }

  showCommunications(page, { append = false, loadMore = null }) {
    const start = append ? this.options().length : 0;
    if (!append) this.list.replaceChildren();
    page.items.forEach((item, offset) => this.list.append(communicationOption(item, start + offset)));
    const count = page.total === 1 ? "1 communication" : `${page.total} communications`;
    this.finish(page, loadMore, page.total ? `Your latest ${count}, newest first` : "You have logged no communications yet");
  }

  finish(page, loadMore, text) {
    this.list.removeAttribute("aria-busy");
    this.status.textContent = page.items.length || this.options().length ? text : "Nothing found";
    this.loadMore = page.next ? loadMore : null;
    this.more.hidden = !this.loadMore;
    const options = this.options();
    options.forEach((option, index) => option.setAttribute("tabindex", index === 0 ? "0" : "-1"));
  }

  focusFirst() {
    const first = this.options()[0];
    if (first) first.focus();
    return Boolean(first);
  }

  keydown(event) {
    const options = this.options();
    const current = options.indexOf(document.activeElement);
    if (current < 0) return;
    const moves = { ArrowDown: current + 1, ArrowUp: current - 1, Home: 0, End: options.length - 1 };
    if (event.key in moves) {
      event.preventDefault();
      const target = options[Math.max(0, Math.min(options.length - 1, moves[event.key]))];
      options.forEach((option) => option.setAttribute("tabindex", option === target ? "0" : "-1"));
      target.focus();
    } else if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      this.open(options[current]);
    } else if (event.key === "Escape") {
      event.preventDefault();
      this.onEscape();
    }
  }

  open(option) {
    for (const other of this.options()) other.setAttribute("aria-selected", String(other === option));
    this.onOpen(Number(option.dataset.contactId), option);
  }
}

function contactOption(item, index, labels) {
  const account = item.main_account;
  return h(
    "li",
    { role: "option", id: `result-${index}`, tabindex: "-1", "aria-selected": "false", dataset: { contactId: item.contact_id } },
    h(
      "div",
      { class: "result-head" },
      h("span", { class: "result-name" }, item.display_name || `Contact ${item.contact_id}`),
      item.credit_hold ? h("span", { class: "badge badge-hold" }, "Credit hold") : null,
    ),
    h(
      "div",
      { class: "result-meta" },
      [humanize(item.kind), item.business_unit, item.primary_phone, item.primary_email].filter(Boolean).join(" · "),
    ),
    account
      ? h("div", { class: "result-meta" }, `Account ${account.number ?? ""} · ${formatMoney(account.balance, account.currency)}`)
      : null,
    item.highlights.length
      ? h(
          "ul",
          { class: "highlights", "aria-label": "Matched" },
          item.highlights.map((hit) =>
            h(
              "li",
              {},
              h("span", { class: "highlight-field" }, `${labels[hit.field] ?? humanize(hit.field)}: `),
              marked(hit.value, hit.spans),
              hit.fuzzy ? h("span", { class: "badge" }, "close match") : null,
            ),
          ),
        )
      : null,
  );
}

function communicationOption(item, index) {
  const when = item.interaction_at ?? item.created_at;
  return h(
    "li",
    {
      role: "option",
      id: `result-${index}`,
      tabindex: "-1",
      "aria-selected": "false",
      class: "communication",
      dataset: { contactId: item.contact_id, communicationId: item.communication_id },
    },
    h(
      "div",
      { class: "result-head" },
      h("span", { class: "result-name" }, item.contact_display_name),
      h("span", { class: `badge badge-${item.status ?? "open"}` }, humanize(item.status ?? "")),
    ),
    h("div", { class: "result-topic" }, item.topic ?? ""),
    h(
      "div",
      { class: "result-meta" },
      [formatDateTime(when), humanize(item.direction), humanize(item.channel), item.action ? humanize(item.action) : null]
        .filter(Boolean)
        .join(" · "),
    ),
  );
}
