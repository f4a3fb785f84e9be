// The definition editor: admins edit, save (PUT with If-Match), activate, and roll back definitions.
// The page asks GET /api/me for the role to decide what to draw; the admin API refuses agents with a 403 anyway.

import { api, ApiError } from "./api.js";
import { announce, byId, formatDateTime, h, humanize } from "./dom.js";
import { FieldErrors } from "./errors.js";
import { PickList } from "./picklist.js";
import { whenSignedIn } from "./signin.js";

const SECTION_TITLES = {
  contact: "Contact information",
  address: "Contact information address",
  access_token: "Access token",
  accounts_receivable: "Accounts receivable",
  subscriptions: "Subscriptions",
  communications: "Communications",
};
const SCOPE_LABELS = { any: "Any address", billing: "Billing address", subscription: "Subscription address" };

const form = byId("definition-form");
const errors = new FieldErrors(form, byId("definition-error"));
const newForm = byId("new-definition-form");
const newErrors = new FieldErrors(newForm, byId("new-error"));
const state = { catalogue: null, active: null, definitions: [], open: null, dirty: false, quick: null, advanced: {}, sections: null };

function refuse(text) {
  byId("editor").hidden = true;
  byId("refusal").hidden = false;
  byId("refusal-text").textContent = text;
  byId("refusal-title").focus();
}

function activeLabel(activeFor) {
  if (!activeFor.length) return null;
  return activeFor.includes("*") ? "Active for everyone" : `Active for ${activeFor.join(", ")}`;
}

function setDirty(dirty) {
  state.dirty = dirty;
  byId("activate-button").disabled = dirty;
  byId("discard-button").disabled = !dirty;
  byId("dirty-note").textContent = dirty ? "Unsaved changes: save them before activating or rolling back." : "";
  for (const button of byId("history-rows").querySelectorAll("button")) button.disabled = dirty;
}

function buildControls(catalogue) {
  const fieldOptions = (fields) => fields.map((field) => ({ value: field.key, label: field.label }));
  const changed = () => setDirty(true);
  state.quick = new PickList({ container: byId("quick-picklist"), id: "quick-fields", label: "Quick search fields", path: "quick_search_fields", options: fieldOptions(catalogue.quick_search_fields), onChange: changed });
  const advanced = byId("advanced-picklists");
  for (const [section, fields] of Object.entries(catalogue.advanced_search_fields)) {
    const container = h("div");
    advanced.append(h("section", { "aria-labelledby": `adv-title-${section}` }, h("h3", { id: `adv-title-${section}` }, SECTION_TITLES[section] ?? humanize(section)), container));
    state.advanced[section] = new PickList({ container, id: `advanced-${section}`, label: `${SECTION_TITLES[section] ?? humanize(section)} fields`, path: `advanced_search_fields.${section}`, options: fieldOptions(fields), onChange: changed });
  }
  const checkbox = (group, value, label) =>
    h("label", {}, h("input", { type: "checkbox", name: group, value, "data-path": group }), label);
  byId("address-scopes").replaceChildren(...catalogue.address_scopes.map((scope) => checkbox("address_scopes", scope, SCOPE_LABELS[scope] ?? humanize(scope))));
  byId("actions").replaceChildren(...catalogue.actions.map((action) => checkbox("actions", action, humanize(action))));
  state.sections = new PickList({ container: byId("sections-picklist"), id: "context-sections", label: "Context sections", path: "context_sections", noun: "section", options: catalogue.context_sections.map((s) => ({ value: s, label: humanize(s) })), onChange: changed });
  const limit = byId("def-recent-limit");
  limit.max = String(catalogue.max_recent_communications_limit);
  byId("def-recent-unlimited").addEventListener("change", (event) => {
    limit.disabled = event.target.checked;
  });
  const edited = (event) => {
    if (event.target.name) changed();
  };
  form.addEventListener("input", edited);
  form.addEventListener("change", edited);
}

// The definition's lists (Oracle's QuickCodes) as text: one entry a line, `code` or `code: label`.
const LISTS = ["topics", "customer_responses", "additional_actions"];

function listText(entries) {
  return (entries ?? []).map((e) => (e.label ? `${e.code}: ${e.label}` : e.code)).join("\n");
}

function listEntries(text) {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const at = line.indexOf(":");
      if (at < 0) return { code: line, label: null };
      const label = line.slice(at + 1).trim();
      return { code: line.slice(0, at).trim(), label: label || null };
    });
}

function checked(group) {
  return [...form.querySelectorAll(`input[name="${group}"]:checked`)].map((input) => input.value);
}

function fill(stored) {
  const d = stored.definition;
  form.elements.namedItem("name").value = d.name;
  form.elements.namedItem("description").value = d.description ?? "";
  form.elements.namedItem("business_units").value = d.business_units.join(", ");
  state.quick.set(d.quick_search_fields);
  form.elements.namedItem("default_operator").value = d.default_operator ?? "=";
  for (const [section, list] of Object.entries(state.advanced)) list.set(d.advanced_search_fields[section] ?? []);
  for (const input of form.querySelectorAll('input[name="address_scopes"]')) input.checked = d.address_scopes.includes(input.value);
  for (const input of form.querySelectorAll('input[name="actions"]')) input.checked = d.actions.includes(input.value);
  state.sections.set(d.context_sections);
  for (const list of LISTS) form.elements.namedItem(list).value = listText(d[list]);
  const unlimited = d.recent_communications_limit === null;
  byId("def-recent-unlimited").checked = unlimited;
  byId("def-recent-limit").disabled = unlimited;
  byId("def-recent-limit").value = unlimited ? "" : String(d.recent_communications_limit);
  byId("definition-title").textContent = d.name;
  const active = activeLabel(stored.active_for) ?? "Not active";
  byId("version-line").textContent = `Version ${stored.version}, saved by ${stored.author} on ${formatDateTime(stored.updated_at)} · ${active}`;
  errors.clear();
  setDirty(false);
}

function read() {
  const limit = byId("def-recent-limit").value.trim();
  return {
    name: form.elements.namedItem("name").value,
    description: form.elements.namedItem("description").value,
    quick_search_fields: state.quick.get(),
    default_operator: form.elements.namedItem("default_operator").value,
    advanced_search_fields: Object.fromEntries(Object.entries(state.advanced).map(([section, list]) => [section, list.get()])),
    address_scopes: checked("address_scopes"),
    recent_communications_limit: byId("def-recent-unlimited").checked ? null : limit === "" ? "" : Number(limit),
    actions: checked("actions"),
    context_sections: state.sections.get(),
    business_units: form.elements.namedItem("business_units").value.split(",").map((unit) => unit.trim()).filter(Boolean),
    ...Object.fromEntries(LISTS.map((list) => [list, listEntries(form.elements.namedItem(list).value)])),
  };
}

function renderList() {
  const global = state.definitions.find((stored) => stored.active_for.includes("*"));
  byId("active-note").textContent = global
    ? `Agents without a business unit of their own get “${global.definition.name}”.`
    : `No stored definition is active for everyone: agents get “${state.active.definition.name}” as shipped with the product. Create a definition from it to change it.`;
  byId("definition-list").replaceChildren(
    ...state.definitions.map((stored) => {
      const active = activeLabel(stored.active_for);
      return h(
        "li",
        {},
        h(
          "button",
          { type: "button", "aria-current": String(state.open?.id === stored.id), onclick: () => openDefinition(stored.id) },
          `${stored.definition.name} (v${stored.version})`,
          active ? h("span", { class: "badge badge-closed" }, active) : null,
        ),
      );
    }),
  );
}

async function refreshList() {
  state.definitions = await api("GET", "/api/definitions");
  renderList();
}

// The history arrives after the definition is shown; one that arrives after another definition was opened is dropped.
async function renderHistory(stored) {
  const versions = await api("GET", `/api/definitions/${stored.id}/history`);
  if (state.open !== stored) return;
  byId("history").hidden = false;
  byId("history-rows").replaceChildren(
    ...versions.map((version) =>
      h(
        "tr",
        {},
        h("td", {}, String(version.version)),
        h("td", {}, version.author),
        h("td", {}, formatDateTime(version.created_at)),
        h("td", {}, version.note ?? ""),
        h(
          "td",
          {},
          version.version === stored.version
            ? "Current"
            : h("button", { type: "button", disabled: state.dirty, onclick: () => rollback(version.version) }, `Roll back to version ${version.version}`),
        ),
      ),
    ),
  );
}

async function show(stored, { focus = true } = {}) {
  state.open = stored;
  byId("nothing-open").hidden = true;
  form.hidden = false;
  fill(stored);
  renderList();
  if (focus) byId("definition-title").focus();
  await renderHistory(stored);
}

async function openDefinition(id) {
  if (state.dirty && state.open?.id !== id && !window.confirm("Discard the unsaved changes?")) return;
  await show(await api("GET", `/api/definitions/${id}`));
}

async function save() {
  const body = read();
  try {
    const saved = await api("PUT", `/api/definitions/${state.open.id}`, { body, headers: { "If-Match": `"${state.open.version}"` } });
    await refreshList();
    await show(saved, { focus: false });
    announce(`Saved as version ${saved.version}`);
  } catch (failure) {
    if (!(failure instanceof ApiError)) throw failure;
    if (failure.status === 422) {
      errors.show(failure.detail)?.focus();
      return;
    }
    errors.clear();
    errors.formError.textContent = failure.status === 409 ? `${failure.message}. “Discard changes” loads the saved version.` : failure.message;
    byId("discard-button").disabled = false;
  }
}

async function activate() {
  try {
    const activated = await api("POST", `/api/definitions/${state.open.id}/activate`);
    await refreshList();
    await show(activated, { focus: false });
    announce(`${activated.definition.name} is now active`);
  } catch (failure) {
    errors.formError.textContent = failure.message;
  }
}

async function rollback(version) {
  try {
    const rolled = await api("POST", `/api/definitions/${state.open.id}/rollback`, { body: { version } });
    await refreshList();
    await show(rolled, { focus: false });
    announce(`Rolled back: version ${rolled.version} is a copy of version ${version}`);
  } catch (failure) {
    errors.formError.textContent = failure.message;
  }
}

async function create(event) {
  event.preventDefault();
  newErrors.clear();
  const name = byId("new-name").value;
  const base = state.open && !state.dirty ? state.open.definition : state.open ? read() : state.active.definition;
  try {
    const created = await api("POST", "/api/definitions", { body: { ...base, name } });
    byId("new-name").value = "";
    await refreshList();
    await show(created);
    announce(`Created ${created.definition.name}`);
  } catch (failure) {
    const control = failure instanceof ApiError && failure.status === 422 ? newErrors.show(failure.detail) : null;
    if (!control) newErrors.show(failure.status === 409 ? [{ loc: ["body", "name"], msg: failure.message }] : failure.message);
    byId("new-name").focus();
  }
}

whenSignedIn(async (me) => {
  if (me.role !== "admin") {
    refuse(`You are signed in as ${me.name}, an agent. The definition editor needs the admin role.`);
    return;
  }
  let catalogue;
  try {
    [catalogue, state.definitions, state.active] = await Promise.all([
      api("GET", "/api/definitions/catalogue"),
      api("GET", "/api/definitions"),
      api("GET", "/api/definitions/active"),
    ]);
  } catch (failure) {
    if (failure instanceof ApiError && failure.status === 403) {
      refuse(failure.message);
      return;
    }
    throw failure;
  }
  state.catalogue = catalogue;
  buildControls(catalogue);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    save();
  });
  byId("activate-button").addEventListener("click", activate);
  byId("discard-button").addEventListener("click", () => openDefinition(state.open.id).then(() => setDirty(false)));
  newForm.addEventListener("submit", create);
  window.addEventListener("beforeunload", (event) => {
    if (state.dirty) event.preventDefault();
  });
  byId("editor").hidden = false;
  renderList();
  const first = state.definitions.find((stored) => stored.active_for.length) ?? state.definitions[0];
  if (first) await show(first);
  else byId("new-name").focus();
});
