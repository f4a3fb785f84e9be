// An ordered choice from a fixed set: the chosen items in order, each with Up, Down and Remove buttons, and a
// select to add one of the others. After a move, focus stays on the button pressed, so pressing it again keeps
// moving the same item; every change is announced.

import { announce, h } from "./dom.js";

export class PickList {
  constructor({ container, id, label, path, options, noun = "field", onChange = () => {} }) {
    this.container = container;
    this.id = id;
    this.label = label;
    this.path = path;
    this.options = options;
    this.noun = noun;
    this.onChange = onChange;
    this.labels = Object.fromEntries(options.map((option) => [option.value, option.label]));
    this.values = [];
  }

  set(values) {
    this.values = [...values];
    this.render();
  }

  get() {
    return [...this.values];
  }

  labelOf(value) {
    return this.labels[value] ?? value;
  }

  changed(message, focus) {
    this.render();
    this.onChange();
    announce(message);
    focus?.();
  }

  move(index, delta, which) {
    const target = index + delta;
    if (target < 0 || target >= this.values.length) return;
    const [value] = this.values.splice(index, 1);
    this.values.splice(target, 0, value);
    const focus = () => {
      const row = this.list.children[target];
      const button = row.querySelector(`[data-move="${which}"]`);
      (button.disabled ? row.querySelector(`[data-move="${which === "up" ? "down" : "up"}"]`) : button).focus();
    };
    this.changed(`${this.labelOf(value)} moved to position ${target + 1} of ${this.values.length}`, focus);
  }

  remove(index) {
    const [value] = this.values.splice(index, 1);
    const focus = () => {
      const row = this.list.children[Math.min(index, this.values.length - 1)];
      (row?.querySelector("[data-remove]") ?? this.addSelect).focus();
    };
    this.changed(`${this.labelOf(value)} removed from ${this.label.toLowerCase()}`, focus);
  }

  add() {
    const value = this.addSelect.value;
    if (!value) return;
    this.values.push(value);
    this.changed(`${this.labelOf(value)} added at position ${this.values.length}`, () => this.addSelect.focus());
  }

  render() {
    const count = this.values.length;
    this.list = h(
      "ol",
      { class: "picklist", id: this.id, "aria-label": `${this.label}, in order`, "data-path": this.path, tabindex: "-1", "aria-describedby": `error-${this.id}` },
      count
        ? this.values.map((value, index) => {
            const name = this.labelOf(value);
            return h(
              "li",
              { dataset: { value } },
              h("span", { class: "position", "aria-hidden": "true" }, `${index + 1}.`),
              h("span", { class: "item-label" }, name),
              h("button", { type: "button", "data-move": "up", "aria-label": `Move ${name} up`, disabled: index === 0, onclick: () => this.move(index, -1, "up") }, "Up"),
              h("button", { type: "button", "data-move": "down", "aria-label": `Move ${name} down`, disabled: index === count - 1, onclick: () => this.move(index, 1, "down") }, "Down"),
              h("button", { type: "button", "data-remove": "", "aria-label": `Remove ${name}`, onclick: () => this.remove(index) }, "Remove"),
            );
          })
        : h("li", { class: "picklist-empty" }, "None."),
    );
    const others = this.options.filter((option) => !this.values.includes(option.value));
    const selectId = `${this.id}-add`;
    const choices = others.length ? others.map((option) => h("option", { value: option.value }, option.label)) : h("option", { value: "" }, "All are chosen");
    this.addSelect = h("select", { id: selectId, disabled: !others.length }, choices);
    const addButton = h("button", { type: "button", disabled: !others.length, "aria-label": `Add to ${this.label.toLowerCase()}`, onclick: () => this.add() }, "Add");
    this.container.replaceChildren(
      this.list,
      h("div", { class: "add-row" }, h("div", { class: "field" }, h("label", { for: selectId }, `Add a ${this.noun}`), this.addSelect), addButton),
      h("p", { class: "field-error", id: `error-${this.id}`, "data-error-for": this.path }),
    );
  }
}
