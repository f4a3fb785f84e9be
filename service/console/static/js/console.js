// The Communication Centre screen: sign in, search (quick, advanced, latest communications), open a contact.

import { api } from "./api.js";
import { LOGGING_ACTIONS, loadContext, renderContext } from "./context.js";
import { announce, byId, h } from "./dom.js";
import { LogDialog } from "./log.js";
import { ResultList } from "./results.js";
import { labelsOf, setUpAdvancedSearch, setUpQuickSearch } from "./search.js";
import { whenSignedIn } from "./signin.js";

const contextPane = byId("context");
let current = null;

async function openContact(contactId, { focus = true } = {}) {
  contextPane.setAttribute("aria-busy", "true");
  try {
    current = await loadContext(contactId);
  } catch (failure) {
    contextPane.replaceChildren(h("p", { class: "field-error", role: "alert" }, failure.message));
    return;
  } finally {
    contextPane.removeAttribute("aria-busy");
  }
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
  results.reset("Your latest communications");
  results.busy("Loading…");
  const run = async (after, append) => {
    const query = after ? `?after=${encodeURIComponent(after)}` : "";
    const page = await api("GET", `/api/communications/recent${query}`);
    results.showCommunications(page, {
      append,
      loadMore: () => run(page.next, true).catch((failure) => results.failed(failure.message)),
    });
    return page;
  };
  try {
    await run(null, false);
    results.focusFirst();
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
  byId("workspace").hidden = false;
  byId("quick-value").focus();
});
