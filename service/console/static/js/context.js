// The selected contact's context (GET /api/contacts/{id}/context), drawn in the sections the definition shows,
// in its order, with the credit-hold indicator at the top and only the actions the definition enables.

import { api } from "./api.js";
import { definitionList, formatDate, formatDateTime, formatMoney, h, humanize, table } from "./dom.js";
import { financials, RETRIEVE_VOUCHER_SECRET } from "./financials.js";

const CONTACT_PARTS = new Set(["addresses", "phones", "emails"]);
const GROUPED = new Set(["activities", "jobs", "service_requests", "notifications", "leads"]);
const SECTION_TITLES = {
  accounts_receivable: "Accounts receivable",
  financials: "Financials",
  subscriptions: "Subscriptions",
  communications: "Communications",
  activities: "Activities",
  jobs: "Jobs",
  service_requests: "Service requests",
  notifications: "Notifications",
  leads: "Leads",
};
// Actions this screen carries out: the call actions are logged with the communication (Oracle call actions).
export const LOGGING_ACTIONS = {
  log_communication: null,
  place_in_dispute: "partial_dispute",
  exclude_from_dunning: "exclude_from_dunning",
  include_in_dunning: "include_in_dunning",
};
// A button that comes with an enabled action: taking an account back into dunning is governed as excluding it.
// (A promise to pay is a call action of Log communication, chosen in its dialog.)
const COMES_WITH = { exclude_from_dunning: ["include_in_dunning"] };

function yesNo(value) {
  return value ? "Yes" : "No";
}

function creditIndicator(onHold) {
  return onHold
    ? h("p", { class: "indicator indicator-hold", id: "credit-indicator" }, h("span", { "aria-hidden": "true" }, "⚠"), " Credit hold: at least one account is on credit hold")
    : h("p", { class: "indicator indicator-clear", id: "credit-indicator" }, h("span", { "aria-hidden": "true" }, "✓"), " No credit hold");
}

function section(key, title, ...content) {
  const headingId = `section-${key}`;
  return h("section", { class: "context-section", dataset: { section: key }, "aria-labelledby": headingId }, h("h3", { id: headingId, tabindex: "-1" }, title), content);
}

function contactInformation(context) {
  const c = context.contact;
  const parts = [
    definitionList([
      ["Type", humanize(c.kind)],
      ["Title", c.title],
      ["First name", c.first_name],
      ["Middle name", c.middle_name],
      ["Last name", c.last_name],
      ["Company", c.company_name],
      ["ID number", c.id_number],
      ["Business unit", c.business_unit],
      ["Life cycle state", humanize(c.life_cycle_state)],
      ["Category", c.category],
      ["Preferred language", c.preferred_language],
    ]),
  ];
  for (const key of context.sections.filter((name) => CONTACT_PARTS.has(name))) {
    const rows = context[key] ?? [];
    const caption = humanize(key);
    const body = {
      addresses: () =>
        table(caption, ["Type", "Address", "Primary"], rows.map((a) => [humanize(a.type), [a.street, a.line2, [a.postcode, a.city].filter(Boolean).join(" "), a.region, a.country].filter(Boolean).join(", "), yesNo(a.is_primary)])),
      phones: () => table(caption, ["Type", "Number", "Primary"], rows.map((p) => [humanize(p.type), p.number, yesNo(p.is_primary)])),
      emails: () => table(caption, ["Type", "Address", "Primary"], rows.map((e) => [humanize(e.type), e.address, yesNo(e.is_primary)])),
    }[key]();
    parts.push(h("h4", {}, caption), body);
  }
  if (c.access_tokens.length) {
    parts.push(
      h("h4", {}, "Access tokens"),
      table("Access tokens", ["Type", "Identifier", "Status", "Valid until", "Secret"], c.access_tokens.map((t) => [humanize(t.type), t.identifier, humanize(t.status), formatDate(t.valid_until), t.has_secret ? "Stored" : "None"])),
    );
  }
  return section("contact", "Contact information", parts);
}

function accounts(rows) {
  return table(
    "Accounts receivable",
    ["Number", "Name", "Balance", "Status", "Credit hold", "Dunning", "Collector"],
    rows.map((a) => [
      a.number,
      a.name,
      formatMoney(a.balance, a.currency),
      humanize(a.status),
      a.credit_hold ? h("span", { class: "badge badge-hold" }, "On hold") : "No",
      a.dunning_excluded ? "Excluded" : "Included",
      a.collector ?? "",
    ]),
  );
}

function subscriptions(rows) {
  if (!rows.length) return h("p", { class: "empty" }, "None.");
  return rows.map((s) =>
    h(
      "article",
      { class: "subscription" },
      h("h4", {}, `${s.number} · ${humanize(s.status)}`),
      definitionList([["Billing terms", `${s.billing_term_scheme} (${s.billing_frequency})`], ["Start date", formatDate(s.start_date)]]),
      table("Services", ["Code", "Service", "Kind"], s.services.map((v) => [v.code, v.name, v.mandatory ? "Mandatory" : "Optional"]), { emptyText: "No services." }),
      table("Installed items", ["Product", "Serial number"], s.installed_items.map((i) => [i.product, i.serial_number]), { emptyText: "No installed items." }),
    ),
  );
}

function communications(rows) {
  return table(
    "Communications",
    ["Date", "Direction", "Topic", "Status", "Action", "By"],
    rows.map((c) => [
      formatDateTime(c.interaction_at),
      `${humanize(c.direction)} · ${humanize(c.channel)}${c.internal ? " · internal" : ""}`,
      c.topic,
      humanize(c.status),
      c.action ? `${humanize(c.action)}${c.action_amount ? ` (${formatMoney(c.action_amount)})` : ""}` : "",
      c.created_by,
    ]),
    { emptyText: "No communications yet." },
  );
}

// Two tabs, Non completed and Completed, as the CRM lists activities, jobs and service requests.
function grouped(key, title, groups) {
  const tabs = [
    ["non_completed", "Non completed"],
    ["completed", "Completed"],
  ];
  const tabButtons = tabs.map(([group, label], index) =>
    h("button", { type: "button", role: "tab", id: `tab-${key}-${group}`, "aria-controls": `panel-${key}-${group}`, "aria-selected": String(index === 0), tabindex: index === 0 ? "0" : "-1" }, `${label} (${groups[group].length})`),
  );
  const panels = tabs.map(([group], index) =>
    h(
      "div",
      { role: "tabpanel", id: `panel-${key}-${group}`, "aria-labelledby": `tab-${key}-${group}`, hidden: index !== 0, tabindex: "0" },
      table(title, ["Number", "Subject", "State", "Due"], groups[group].map((i) => [i.number, i.subject, humanize(i.life_cycle_state), formatDate(i.due_on)])),
    ),
  );
  const select = (index) => {
    tabButtons.forEach((button, i) => {
      button.setAttribute("aria-selected", String(i === index));
      button.setAttribute("tabindex", i === index ? "0" : "-1");
      panels[i].hidden = i !== index;
    });
    tabButtons[index].focus();
  };
  const list = h("div", { role: "tablist", "aria-label": title }, tabButtons);
  list.addEventListener("click", (event) => {
    const index = tabButtons.indexOf(event.target.closest("[role=tab]"));
    if (index >= 0) select(index);
  });
  list.addEventListener("keydown", (event) => {
    const index = tabButtons.indexOf(document.activeElement);
    if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
      event.preventDefault();
      select((index + (event.key === "ArrowRight" ? 1 : tabButtons.length - 1)) % tabButtons.length);
    }
  });
  return section(key, title, list, panels);
}

// Actions this screen carries out are buttons; the other enabled ones are named, as they are done in the CRM.
// Retrieving a voucher's secret code is done on the voucher itself, in Financials, when that section is shown.
function actionPanel(context, onAction) {
  const inFinancials = context.sections.includes("financials") && context.financials ? [RETRIEVE_VOUCHER_SECRET] : [];
  // Where the context shows the accounts, a button is drawn only when it can apply to one of them.
  const accounts = context.accounts_receivable ?? context.financials?.accounts;
  const applies = accounts
    ? {
        exclude_from_dunning: accounts.some((a) => !a.dunning_excluded),
        include_in_dunning: accounts.some((a) => a.dunning_excluded),
      }
    : {};
  const here = context.actions
    .filter((action) => action in LOGGING_ACTIONS)
    .flatMap((action) => [action, ...(COMES_WITH[action] ?? [])])
    .filter((action) => applies[action] ?? true);
  const onVouchers = context.actions.filter((action) => inFinancials.includes(action));
  const elsewhere = context.actions.filter((action) => !(action in LOGGING_ACTIONS) && !inFinancials.includes(action));
  return h(
    "section",
    { class: "action-panel", "aria-labelledby": "actions-title" },
    h("h3", { id: "actions-title" }, "Actions"),
    here.length
      ? h("div", { class: "actions" }, here.map((action) => h("button", { type: "button", class: "action", onclick: () => onAction(action) }, humanize(action))))
      : null,
    onVouchers.length ? h("p", { class: "hint" }, "Retrieve Voucher Secret Code: on each used voucher, under Financials.") : null,
    elsewhere.length ? h("p", { class: "hint" }, `Also enabled, in the CRM: ${elsewhere.map(humanize).join(", ")}.`) : null,
    context.actions.length ? null : h("p", { class: "empty" }, "No actions enabled."),
  );
}

export function renderContext(container, context, { onAction }) {
  const c = context.contact;
  const header = h(
    "header",
    { class: "context-head" },
    creditIndicator(context.credit_hold),
    h("h2", { id: "context-title", tabindex: "-1" }, c.display_name),
    h("p", { class: "context-meta" }, [humanize(c.kind), c.business_unit, humanize(c.life_cycle_state), c.id_number].filter(Boolean).join(" · ")),
  );
  const sections = [contactInformation(context)];
  for (const key of context.sections) {
    if (CONTACT_PARTS.has(key) || context[key] === null || context[key] === undefined) continue;
    const title = SECTION_TITLES[key] ?? humanize(key);
    if (GROUPED.has(key)) sections.push(grouped(key, title, context[key]));
    else if (key === "accounts_receivable") sections.push(section(key, title, accounts(context[key])));
    else if (key === "financials") {
      const onDispute = (item, account) => onAction("place_in_dispute", { item, account });
      sections.push(section(key, title, financials(context[key], { contactId: c.id, actions: context.actions, onDispute })));
    }
    else if (key === "subscriptions") sections.push(section(key, title, subscriptions(context[key])));
    else if (key === "communications") sections.push(section(key, title, communications(context[key])));
  }
  container.replaceChildren(header, actionPanel(context, onAction), ...sections);
  container.dataset.contactId = String(c.id);
}

export async function loadContext(contactId) {
  return api("GET", `/api/contacts/${encodeURIComponent(contactId)}/context`);
}
