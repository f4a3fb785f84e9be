// The Communication Centre screen: sign in, search (quick, advanced, latest communications), open a contact.

import { api } from "./api.js";
import { LOGGING_ACTIONS, loadContext, renderContext } from "./context.js";
import { announce, byId, h } from "./dom.js";
import { LogDialog } from "./log.js";
import { setUpWorkPanes } from "./panes.js";
import { ResultList } from "./results.js";
import { labelsOf, setUpAdvancedSearch, setUpQuickSearch } from "./search.js";
import { whenSignedIn } from "./signin.js";

const contextPane = byId("context");
let current = null;
let opening = 0;

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
  current = loaded;
  renderContext(contextPane, current, { onAction: (action) => logDialog.open(current, { action: LOGGING_ACTIONS[action] }) });
  announce(`${current.contact.display_name} opened${current.credit_hold ? ", on credit hold" : ""}`);
  if (focus) byId("context-title").focus();
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
  const labels = labelsOf(active);
  setUpQuickSearch(active, { results, labels });
  setUpAdvancedSearch(active, { results, labels });
  byId("recent-button").addEventListener("click", showRecent);
  setUpWorkPanes(active, me, { openContact });
  byId("workspace").hidden = false;
  byId("quick-value").focus();
});
