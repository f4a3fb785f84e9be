// The search pane's tabs: Search (the quick and advanced forms, as before), Follow-ups (the agent's due ones, their
// count on the tab so it shows whatever the agent is doing), Find communications and, for admins, Alerts. Drawn here, around the pane's
// existing content, so the page itself keeps one search pane.

import { h } from "./dom.js";
import { CommunicationDialog } from "./communication.js";
import { CommunicationSearch } from "./communications.js";
import { Alerts } from "./alerts.js";
import { FollowUps } from "./worklist.js";

function tabs(pane, names) {
  const list = h("div", { role: "tablist", class: "pane-tabs", "aria-label": "Work" });
  const panels = [];
  const buttons = names.map(([key, label], index) => {
    const button = h(
      "button",
      { type: "button", role: "tab", id: `tab-${key}`, "aria-controls": `pane-${key}`, "aria-selected": String(index === 0), tabindex: index === 0 ? "0" : "-1" },
      label,
    );
    list.append(button);
    return button;
  });
  const search = h("div", { role: "tabpanel", id: `pane-${names[0][0]}`, "aria-labelledby": `tab-${names[0][0]}` });
  search.append(...pane.childNodes);
  panels.push(search);
  for (const [key] of names.slice(1)) {
    panels.push(h("div", { role: "tabpanel", id: `pane-${key}`, "aria-labelledby": `tab-${key}`, hidden: true }));
  }
  pane.append(list, ...panels);
  const select = (index, { focus = true } = {}) => {
    buttons.forEach((button, i) => {
      button.setAttribute("aria-selected", String(i === index));
      button.setAttribute("tabindex", i === index ? "0" : "-1");
      panels[i].hidden = i !== index;
    });
    if (focus) buttons[index].focus();
    pane.dispatchEvent(new CustomEvent("pane-selected", { detail: names[index][0] }));
  };
  buttons.forEach((button, index) => {
    button.addEventListener("click", () => select(index));
    button.addEventListener("keydown", (event) => {
      const moves = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: buttons.length - 1 };
      if (!(event.key in moves)) return;
      event.preventDefault();
      select((moves[event.key] + buttons.length) % buttons.length);
    });
  });
  return { buttons, panels, select };
}

export function setUpWorkPanes(active, me, { openContact }) {
  const pane = document.querySelector(".search-pane");
  const badge = h("span", { class: "badge", id: "followups-count", hidden: true });
  const due = h("span", { class: "visually-hidden" }, " due");
  const admin = me.role === "admin";
  const { buttons, panels } = tabs(pane, [
    ["search", "Search"],
    ["followups", ["Follow-ups ", badge, due]],
    ["communications", "Find communications"],
    ...(admin ? [["alerts", "Alerts"]] : []),
  ]);
  let followUps = null;
  let search = null;
  const dialog = new CommunicationDialog({
    me,
    definition: active.definition,
    openContact,
    onChanged: (change) => {
      followUps.changed(change);
      search.changed(change);
      followUps.count();
    },
  });
  const openCommunication = (id, options) => dialog.open(id, options);
  followUps = new FollowUps({ panel: panels[1], badge, tab: buttons[1], openContact, openCommunication });
  search = new CommunicationSearch({ panel: panels[2], fields: active.advanced_search_fields.communications ?? [], openCommunication });
  const alerts = admin ? new Alerts({ panel: panels[3], openContact, openCommunication }) : null;
  pane.addEventListener("pane-selected", (event) => {
    if (event.detail === "followups") followUps.load();
    if (event.detail === "alerts") alerts.load();
  });
  followUps.count();
  return { followUps, search, dialog };
}
