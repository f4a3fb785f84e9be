// Suggestions under the quick-search box as the agent types (GET /api/search/suggest): keyboard first.
//
// The box is a combobox: ArrowDown / ArrowUp move through the list, Enter opens the contact of the one chosen,
// Escape closes the list. A request waits until typing pauses (DEBOUNCE_MS), and each new keystroke aborts the
// request before it, so an older answer arriving late never replaces a newer one.

import { api } from "./api.js";
import { byId, h } from "./dom.js";

const DEBOUNCE_MS = 150;
const MIN_PREFIX = 2;

export class Suggestions {
  constructor({ input, list, field, onOpen }) {
    this.input = input;
    this.list = list;
    this.field = field;
    this.onOpen = onOpen;
    this.items = [];
    this.active = -1;
    this.timer = null;
    this.inFlight = null;
    this.sequence = 0;
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("aria-expanded", "false");
    input.addEventListener("input", () => this.typed());
    input.addEventListener("keydown", (event) => this.key(event));
    input.addEventListener("blur", () => window.setTimeout(() => this.close(), 150));
    field.addEventListener("change", () => this.close());
  }

  get open() {
    return !this.list.hidden && this.items.length > 0;
  }

  typed() {
    window.clearTimeout(this.timer);
    this.inFlight?.abort();
    const prefix = this.input.value.trim();
    if (prefix.length < MIN_PREFIX || prefix.includes("%")) {
      this.close();
      return;
    }
    this.timer = window.setTimeout(() => this.fetch(prefix), DEBOUNCE_MS);
  }

  async fetch(prefix) {
    const controller = new AbortController();
    this.inFlight = controller;
    const ticket = ++this.sequence;
    const query = new URLSearchParams({ field: this.field.value, prefix });
    let answer;
    try {
      answer = await api("GET", `/api/search/suggest?${query}`, { signal: controller.signal });
    } catch {
      // Aborted by a newer keystroke (whose own request is on its way: nothing to close), or refused (a prefix
      // the field cannot complete): no list, the search stays.
      if (!controller.signal.aborted && ticket === this.sequence) this.close();
      return;
    }
    if (ticket !== this.sequence || controller.signal.aborted) return;
    this.show(answer.items);
  }

  show(items) {
    this.items = items;
    this.active = -1;
    this.list.replaceChildren(
      ...items.map((item, index) =>
        h(
          "li",
          {
            id: `suggestion-${index}`,
            role: "option",
            "aria-selected": "false",
            dataset: { contactId: item.contact_id },
            onmousedown: (event) => {
              event.preventDefault();
              this.choose(index);
            },
          },
          h("span", { class: "suggestion-text" }, item.text),
          item.text === item.display_name ? null : h("span", { class: "suggestion-name" }, item.display_name),
        ),
      ),
    );
    this.list.hidden = items.length === 0;
    this.input.setAttribute("aria-expanded", String(items.length > 0));
    this.input.removeAttribute("aria-activedescendant");
  }

  move(step) {
    const count = this.items.length;
    // Positions -1 (the box itself) to count - 1, wrapping round at both ends.
    this.active = ((((this.active + 1 + step) % (count + 1)) + count + 1) % (count + 1)) - 1;
    [...this.list.children].forEach((option, index) => option.setAttribute("aria-selected", String(index === this.active)));
    if (this.active >= 0) this.input.setAttribute("aria-activedescendant", `suggestion-${this.active}`);
    else this.input.removeAttribute("aria-activedescendant");
  }

  key(event) {
    if (!this.open) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      event.stopImmediatePropagation();
      this.move(event.key === "ArrowDown" ? 1 : -1);
    } else if (event.key === "Enter" && this.active >= 0) {
      event.preventDefault();
      this.choose(this.active);
    } else if (event.key === "Escape") {
      event.preventDefault();
      this.close();
    }
  }

  choose(index) {
    const item = this.items[index];
    this.close();
    if (item) this.onOpen(item.contact_id);
  }

  close() {
    window.clearTimeout(this.timer);
    this.inFlight?.abort();
    this.sequence += 1;
    this.items = [];
    this.active = -1;
    this.list.hidden = true;
    this.list.replaceChildren();
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
  }
}

export function setUpSuggestions({ onOpen }) {
  return new Suggestions({ input: byId("quick-value"), list: byId("quick-suggestions"), field: byId("quick-field"), onOpen });
}
