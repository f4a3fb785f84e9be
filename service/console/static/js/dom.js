// Small DOM functions. Text always goes in as text nodes, never as HTML, so data can never become markup.

export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") element.className = value;
    else if (name === "dataset") Object.assign(element.dataset, value);
    else if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (value === true) element.setAttribute(name, "");
    else element.setAttribute(name, String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

export function byId(id) {
  return document.getElementById(id);
}

export function humanize(key) {
  const text = String(key ?? "").replaceAll("_", " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function announce(text) {
  const announcer = byId("announcer");
  if (!announcer) return;
  announcer.textContent = "";
  window.setTimeout(() => {
    announcer.textContent = text;
  }, 50);
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeZone: "UTC" });

export function formatDateTime(iso) {
  if (!iso) return "";
  const value = new Date(iso);
  return Number.isNaN(value.getTime()) ? String(iso) : dateTime.format(value);
}

export function formatDate(iso) {
  if (!iso) return "";
  const value = new Date(`${iso}T00:00:00Z`);
  return Number.isNaN(value.getTime()) ? String(iso) : dateOnly.format(value);
}

export function formatMoney(amount, currency) {
  if (amount === null || amount === undefined || amount === "") return "";
  const value = Number(amount);
  if (Number.isNaN(value)) return String(amount);
  try {
    return new Intl.NumberFormat(undefined, { style: "currency", currency: currency || "EUR" }).format(value);
  } catch {
    return `${value.toFixed(2)} ${currency ?? ""}`.trim();
  }
}

// The value with the character spans the search reported (code-point offsets, end exclusive) in <mark>.
export function marked(value, spans) {
  const characters = Array.from(String(value));
  const pieces = [];
  let position = 0;
  for (const [from, to] of spans ?? []) {
    if (from < position || to > characters.length || from >= to) continue;
    pieces.push(characters.slice(position, from).join(""), h("mark", {}, characters.slice(from, to).join("")));
    position = to;
  }
  pieces.push(characters.slice(position).join(""));
  return pieces;
}

export function definitionList(pairs) {
  const list = h("dl", { class: "facts" });
  for (const [term, value] of pairs) {
    if (value === null || value === undefined || value === "") continue;
    list.append(h("div", {}, h("dt", {}, term), h("dd", {}, value)));
  }
  return list;
}

export function table(caption, headers, rows, { emptyText = "None." } = {}) {
  if (!rows.length) return h("p", { class: "empty" }, emptyText);
  return h(
    "table",
    {},
    h("caption", { class: "visually-hidden" }, caption),
    h("thead", {}, h("tr", {}, headers.map((header) => h("th", { scope: "col" }, header)))),
    h("tbody", {}, rows.map((cells) => h("tr", {}, cells.map((cell) => h("td", {}, cell))))),
  );
}
