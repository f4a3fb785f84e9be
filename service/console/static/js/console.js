// The Communication Centre screen: sign in, search (quick, advanced, latest communications), open a contact.

import { api } from "./api.js";
import { LOGGING_ACTIONS, loadContext, renderContext } from "./context.js";
import { announce, byId, h } from "./dom.js";
import { LogDialog } from "./log.js";
import { NewContactDialog } from "./newcontact.js";
import { setUpWorkPanes } from "./panes.js";
import { ResultList } from "./results.js";
import { labelsOf, setUpAdvancedSearch, setUpQuickSearch } from "./search.js";
import { whenSignedIn } from "./signin.js";

const contextPane = byId("context");
let current = null;
let opening = 0;
let newContact = null;
// A screen pop's number (`/console?caller=+33612345678`), kept for the tab until the agent is signed in: signing
// in through the identity provider comes back to /console without it.
const CALLER_KEY = "contact-lookup.caller";
const callerInUrl = new URLSearchParams(window.location.search).get("caller");
if (callerInUrl) window.sessionStorage.setItem(CALLER_KEY, callerInUrl);

// Only the contact opened last is shown: a context that arrives after another was asked for is dropped, so the
// pane (and what the Log dialog logs against) never goes back to a contact the agent has left.
async function openContact(contactId, { focus = true } = {}) {
  const ticket = ++opening;
  contextPane.setAttribute("aria-busy", "true");
  let loaded;
  try {
    loaded = await loadContext(contactId);
  } catch (failure) {
    if (ticket === opening) contextPane.replaceChildren(h("p", { class: "field-error", role: "alert" }, failure.message));
    return;
  } finally {
    if (ticket === opening) contextPane.removeAttribute("aria-busy");
  }
  if (ticket !== opening) return;
  showContext(loaded, { focus });
}

function showContext(context, { focus = true } = {}) {
  current = context;
  renderContext(contextPane, current, { onAction: (action, about = {}) => logDialog.open(current, { action: LOGGING_ACTIONS[action], ...about }) });
  announce(`${current.contact.display_name} opened${current.credit_hold ? ", on credit hold" : ""}`);
  if (focus) byId("context-title").focus();
}

// Before a contact is selected, the action panel offers only logging a new contact (Communication Centre), when
// the definition enables it.
const NEW_CONTACT_ACTIONS = [
  ["person", "Log person information"],
  ["company", "Log company information"],
];

function showNoContact(active) {
  const enabled = active.definition.actions.includes("new_contact_information");
  contextPane.replaceChildren(
    h("p", { class: "placeholder" }, "Search for a contact, or open one of your latest communications, to see its context here."),
    h(
      "section",
      { class: "action-panel", "aria-labelledby": "actions-title" },
      h("h3", { id: "actions-title" }, "Actions"),
      enabled
        ? h("div", { class: "actions" }, NEW_CONTACT_ACTIONS.map(([kind, label]) => h("button", { type: "button", class: "action", onclick: () => newContact.open({ kind }) }, label)))
        : h("p", { class: "empty" }, "No actions enabled."),
    ),
  );
  delete contextPane.dataset.contactId;
}

// The screen pop: the caller's contacts in one round trip; one opens at once, several are listed, none opens the
// new caller form with the number.
async function screenPop(number) {
  let answer;
  try {
    answer = await results.start(
      `Incoming call from ${number}`,
      "Looking up the caller…",
      () => api("GET", `/api/lookup/caller?number=${encodeURIComponent(number)}`),
      (page, options) => results.showContacts(page, { labels: { phone: "Phone" }, ...options }),
    );
  } catch (failure) {
    results.failed(failure.message);
    return;
  }
  if (!answer) return;
  if (answer.total === 0) {
    results.status.textContent = "No customer holds this number";
    newContact.open({ kind: "person", title: `New caller: ${number}`, phone: number });
  } else if (answer.total === 1) {
    const option = results.options()[0];
    option?.setAttribute("aria-selected", "true");
    if (answer.context) showContext(answer.context);
    else await openContact(answer.items[0].contact_id);
  } else {
    results.focusFirst();
  }
}

const logDialog = new LogDialog({
  onLogged: async (created) => {
    await openContact(created.contact_id, { focus: false });
    announce("Communication logged");
    byId("section-communications")?.focus();
  },
});

const results = new ResultList({
  list: byId("results"),
  title: byId("results-title"),
  status: byId("results-status"),
  more: byId("more-results"),
  onOpen: (contactId) => openContact(contactId),
  onEscape: () => byId("quick-value").focus(),
});

async function showRecent() {
  try {
    const page = await results.start(
      "Your latest communications",
      "Loading…",
      (after) => api("GET", `/api/communications/recent${after ? `?after=${encodeURIComponent(after)}` : ""}`),
      (page, options) => results.showCommunications(page, options),
    );
    if (page) results.focusFirst();
  } catch (failure) {
    results.failed(failure.message);
  }
}

document.addEventListener("keydown", (event) => {
  const typing = event.target.closest?.("input, select, textarea, dialog[open]");
  if (event.key === "/" && !typing) {
    event.preventDefault();
    byId("quick-value").focus();
  }
});

whenSignedIn(async (me) => {
  byId("editor-link").hidden = me.role !== "admin";
  const active = await api("GET", "/api/definitions/active");
  logDialog.useDefinition(active.definition);
  const labels = labelsOf(active);
  setUpQuickSearch(active, { results, labels, onOpen: (contactId) => openContact(contactId) });
  setUpAdvancedSearch(active, { results, labels });
  byId("recent-button").addEventListener("click", showRecent);
  newContact = new NewContactDialog({
    me,
    onOpen: (contactId) => openContact(contactId),
    onCreated: async (created) => {
      await openContact(created.id);
      announce(`${created.display_name} saved`);
    },
  });
  showNoContact(active);
  setUpWorkPanes(active, me, { openContact });
  byId("workspace").hidden = false;
  const caller = window.sessionStorage.getItem(CALLER_KEY);
  window.sessionStorage.removeItem(CALLER_KEY);
  if (caller) await screenPop(caller);
  else byId("quick-value").focus();
}, { borrow: Boolean(window.sessionStorage.getItem(CALLER_KEY)) });
