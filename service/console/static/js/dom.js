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

// Case- and accent-insensitive form of one character, as the search engine folds text.
function foldChar(character) {
  return character.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
}

// The value with the part matching `needle` (folded) wrapped in <mark>; the whole value when it is not found.
export function marked(value, needle) {
  const text = String(value);
  const wanted = (needle ?? "").replaceAll("%", "").trim();
  if (wanted) {
    const folded = [];
    const starts = [];
    for (let index = 0; index < text.length; index += 1) {
      const piece = foldChar(text[index]);
      for (const character of piece) {
        folded.push(character);
        starts.push(index);
      }
    }
    const at = folded.join("").indexOf([...wanted].map(foldChar).join(""));
    if (at >= 0) {
      const length = [...wanted].map(foldChar).join("").length;
      const from = starts[at];
      const to = at + length < starts.length ? starts[at + length] : text.length;
      return [text.slice(0, from), h("mark", {}, text.slice(from, to)), text.slice(to)];
    }
  }
  return [h("mark", {}, text)];
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
