// The quick and advanced search forms, drawn from the active definition (GET /api/definitions/active).

import { api, ApiError } from "./api.js";
import { byId, h, humanize } from "./dom.js";
import { FieldErrors } from "./errors.js";
import { setUpSuggestions } from "./suggestions.js";

const SECTION_TITLES = {
  contact: "Contact information",
  address: "Contact information address",
  access_token: "Access token",
  accounts_receivable: "Accounts receivable",
  subscriptions: "Subscriptions",
};
const SCOPE_LABELS = { any: "Any address", billing: "Billing address", subscription: "Subscription address" };
const OPERATOR_LABELS = { "=": "= (exact match)", like: "like (% wildcards)" };
const RANGED = new Set(["amount", "number", "date"]);

// Field key -> label, for every field the active definition names (highlights use it).
export function labelsOf(active) {
  const labels = {};
  for (const field of active.quick_search_fields) labels[field.key] = field.label;
  for (const fields of Object.values(active.advanced_search_fields)) {
    for (const field of fields) labels[field.key] = field.label;
  }
  return labels;
}

export function setUpQuickSearch(active, { results, labels, onOpen }) {
  const form = byId("quick-form");
  const fieldSelect = byId("quick-field");
  const operatorSelect = byId("quick-operator");
  const value = byId("quick-value");
  const error = byId("quick-error");
  const fields = Object.fromEntries(active.quick_search_fields.map((field) => [field.key, field]));

  fieldSelect.replaceChildren(...active.quick_search_fields.map((field) => h("option", { value: field.key }, field.label)));
  // The definition's operator is preselected (the Communication Centre's "Search Operator Settings"); changing the
  // field keeps the one the agent chose, when the new field has it.
  const fillOperators = () => {
    const previous = operatorSelect.value || active.definition.default_operator;
    const operators = fields[fieldSelect.value]?.operators ?? ["="];
    operatorSelect.replaceChildren(...operators.map((op) => h("option", { value: op }, OPERATOR_LABELS[op] ?? op)));
    if (operators.includes(previous)) operatorSelect.value = previous;
  };
  fieldSelect.addEventListener("change", fillOperators);
  fillOperators();

  // Before the results' own ArrowDown: while suggestions are shown, the arrow keys move through them.
  const suggestions = setUpSuggestions({ onOpen });
  value.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" && results.focusFirst()) event.preventDefault();
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    suggestions.close();
    error.textContent = "";
    value.removeAttribute("aria-invalid");
    const request = { field: fieldSelect.value, operator: operatorSelect.value, value: value.value.trim() };
    if (!request.value) {
      error.textContent = "Type what to look for.";
      value.setAttribute("aria-invalid", "true");
      value.focus();
      return;
    }
    const label = fields[request.field]?.label ?? request.field;
    try {
      const page = await results.start(
        `Results for ${label} ${request.operator} “${request.value}”`,
        "Searching…",
        (after) => api("POST", "/api/search/quick", { body: after ? { ...request, after } : request }),
        (page, options) => results.showContacts(page, { labels, ...options }),
      );
      if (page && (!page.items.length || !results.focusFirst())) value.focus();
    } catch (failure) {
      results.failed("");
      error.textContent = failure instanceof ApiError ? failure.message : String(failure);
      value.setAttribute("aria-invalid", "true");
      value.focus();
    }
  });
}

function criterionInput(section, field) {
  const id = `adv-${section}-${field.key}`;
  const path = `${section}.${field.key}`;
  const errorId = `error-${id}`;
  const slot = h("p", { class: "field-error", id: errorId, "data-error-for": path });
  const common = { "data-path": path, "aria-describedby": errorId };
  if (field.type === "enum" || field.type === "boolean") {
    const choices = field.type === "boolean" ? [["true", "Yes"], ["false", "No"]] : field.values.map((v) => [v, humanize(v)]);
    return h(
      "div",
      { class: "field" },
      h("label", { for: id }, field.label),
      h("select", { id, name: path, ...common, dataset: { kind: field.type } }, h("option", { value: "" }, "Any"), choices.map(([v, text]) => h("option", { value: v }, text))),
      slot,
    );
  }
  if (RANGED.has(field.type)) {
    const type = field.type === "date" ? "date" : "number";
    const step = field.type === "amount" ? "0.01" : null;
    return h(
      "fieldset",
      { class: "field range", ...common },
      h("legend", {}, field.label),
      h("label", { for: `${id}-min` }, "From"),
      h("input", { id: `${id}-min`, type, step, name: `${path}.min`, dataset: { kind: type, bound: "min", path } }),
      h("label", { for: `${id}-max` }, "To"),
      h("input", { id: `${id}-max`, type, step, name: `${path}.max`, dataset: { kind: type, bound: "max", path } }),
      slot,
    );
  }
  return h(
    "div",
    { class: "field" },
    h("label", { for: id }, field.label),
    h("input", { id, name: path, type: "text", autocomplete: "off", spellcheck: "false", ...common, dataset: { kind: "text" } }),
    slot,
  );
}

function buildSections(active) {
  const container = byId("advanced-sections");
  container.replaceChildren();
  for (const [section, fields] of Object.entries(active.advanced_search_fields)) {
    if (!(section in SECTION_TITLES)) continue;
    const scope =
      section === "address"
        ? h(
            "div",
            { class: "field" },
            h("label", { for: "adv-address-scope" }, "Address scope"),
            h(
              "select",
              { id: "adv-address-scope", name: "address.scope", "data-path": "address.scope" },
              active.definition.address_scopes.map((value) => h("option", { value }, SCOPE_LABELS[value] ?? humanize(value))),
            ),
            h("p", { class: "field-error", "data-error-for": "address.scope" }),
          )
        : null;
    container.append(
      h("fieldset", { class: "criteria", dataset: { section } }, h("legend", {}, SECTION_TITLES[section]), scope, fields.map((f) => criterionInput(section, f))),
    );
  }
}

// The request body: only filled criteria, ranges as {min, max}, booleans as booleans, numbers as numbers.
function collect(form) {
  const body = {};
  const put = (path, value) => {
    const [section, key] = path.split(".");
    body[section] ??= {};
    body[section][key] = value;
  };
  for (const control of form.querySelectorAll("input[name], select[name]")) {
    const raw = control.value.trim();
    if (!raw || control.name === "address.scope") continue;
    const kind = control.dataset.kind;
    if (control.dataset.bound) {
      const value = kind === "number" ? Number(raw) : raw;
      const path = control.dataset.path;
      const [section, key] = path.split(".");
      put(path, { ...(body[section]?.[key] ?? {}), [control.dataset.bound]: value });
    } else if (kind === "boolean") put(control.name, raw === "true");
    else put(control.name, raw);
  }
  if (body.address) body.address.scope = byId("adv-address-scope")?.value ?? "any";
  return body;
}

export function setUpAdvancedSearch(active, { results, labels }) {
  const form = byId("advanced-form");
  const toggle = byId("advanced-toggle");
  const errors = new FieldErrors(form, byId("advanced-error"));
  buildSections(active);
  toggle.hidden = !Object.keys(active.advanced_search_fields).some((section) => section in SECTION_TITLES);

  toggle.addEventListener("click", () => {
    const open = form.hidden;
    form.hidden = !open;
    toggle.setAttribute("aria-expanded", String(open));
    if (open) form.querySelector("input, select")?.focus();
  });
  form.addEventListener("reset", () => window.setTimeout(() => errors.clear()));

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const request = collect(form);
    errors.clear();
    try {
      const page = await results.start(
        "Advanced search results",
        "Searching…",
        (after) => api("POST", "/api/search/advanced", { body: after ? { ...request, after } : request }),
        (page, options) => results.showContacts(page, { labels, ...options }),
      );
      if (page?.items.length) results.focusFirst();
    } catch (failure) {
      results.failed("");
      const control = failure instanceof ApiError && failure.status === 422 ? errors.show(failure.detail) : null;
      if (!control) errors.formError.textContent = failure.message;
      (control ?? form.querySelector("input, select"))?.focus();
    }
  });
}
