// The active definition's admin-defined lists (Oracle's QuickCodes) as choices. A topic or customer response with
// a list is chosen from it (the API refuses any other value); an empty list leaves the field free text. Additional
// call actions are offered after the built-in ones.

import { h, humanize } from "./dom.js";

// What the agent reads for a stored code: its label in the list, else `fallback` of the code.
export function labelOf(entries, code, fallback = humanize) {
  const entry = (entries ?? []).find((e) => e.code === code);
  return entry ? entry.label || entry.code : fallback(code);
}

// The options of a list; a stored value the list no longer holds stays choosable, so an edit keeps it.
export function codeOptions(entries, current, { none = null } = {}) {
  const options = entries.map((e) => h("option", { value: e.code, selected: e.code === current }, e.label || e.code));
  if (current && !entries.some((e) => e.code === current)) {
    options.unshift(h("option", { value: current, selected: true }, `${current} (not in the list)`));
  }
  if (none !== null) options.unshift(h("option", { value: "", selected: !current }, none));
  return options;
}

// `input` itself when the list is empty, else a select standing in for it (same id, name, path and description).
export function chooser(input, entries, current, { none }) {
  if (!entries?.length) return input;
  const select = h(
    "select",
    {
      id: input.id || null,
      name: input.name,
      "data-path": input.dataset.path,
      "aria-describedby": input.getAttribute("aria-describedby"),
      required: input.required,
    },
    codeOptions(entries, current, { none }),
  );
  return select;
}

// The built-in call actions followed by the definition's additional ones.
export function actionOptions(builtIn, additional, current) {
  return [
    h("option", { value: "", selected: !current }, "None"),
    ...builtIn.map((value) => h("option", { value, selected: value === current }, humanize(value))),
    ...(additional ?? []).map((e) => h("option", { value: e.code, selected: e.code === current }, e.label || e.code)),
  ];
}
