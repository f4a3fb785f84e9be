// Shows a 422's messages next to the fields they name.
//
// The API names a field in two ways: FastAPI's `loc` (["body", "references", 0, "reference_id"]) or, for rules
// checked on the whole object, a message of "where: what" parts separated by "; " ("quick_search_fields: 'x' is
// listed twice; actions: ..."). A form marks its error slots with data-error-for="<path>" and its controls with
// data-path="<path>"; a message goes to the longest path that has a slot, else to the form's own error line.

const WHERE = /^([a-z_]+(?:\.[a-z0-9_]+)*): (.+)$/s;

function messages(detail) {
  const found = [];
  const add = (path, text) => {
    for (const part of String(text).replace(/^Value error, /, "").split("; ")) {
      const match = WHERE.exec(part);
      if (match) found.push({ path: [...path, ...match[1].split(".")], text: match[2] });
      else found.push({ path, text: part });
    }
  };
  if (Array.isArray(detail)) {
    for (const error of detail) {
      const loc = (error.loc ?? []).filter((part, index) => !(index === 0 && part === "body"));
      add(loc.map(String), error.msg ?? "");
    }
  } else if (detail) {
    add([], detail);
  }
  return found;
}

function stripRepeatedWhere(text, path) {
  const prefix = `${path.join(".")}: `;
  return text.startsWith(prefix) ? text.slice(prefix.length) : text;
}

export class FieldErrors {
  constructor(form, formError) {
    this.form = form;
    this.formError = formError;
  }

  clear() {
    for (const slot of this.form.querySelectorAll("[data-error-for]")) slot.textContent = "";
    for (const control of this.form.querySelectorAll("[aria-invalid]")) control.removeAttribute("aria-invalid");
    this.formError.textContent = "";
  }

  slotFor(path) {
    for (let length = path.length; length > 0; length -= 1) {
      const key = path.slice(0, length).join(".");
      const slot = this.form.querySelector(`[data-error-for="${CSS.escape(key)}"]`);
      if (slot) return { key, slot };
    }
    return null;
  }

  // Returns the first control marked invalid, so the caller can move focus there.
  show(detail) {
    this.clear();
    let first = null;
    const general = [];
    for (const { path, text } of messages(detail)) {
      const found = this.slotFor(path);
      if (!found) {
        general.push(path.length ? `${path.join(".")}: ${text}` : text);
        continue;
      }
      const shown = stripRepeatedWhere(text, path);
      found.slot.textContent = found.slot.textContent ? `${found.slot.textContent} ${shown}` : shown;
      for (const control of this.form.querySelectorAll(`[data-path="${CSS.escape(found.key)}"]`)) {
        control.setAttribute("aria-invalid", "true");
        first ??= control;
      }
      first ??= found.slot;
    }
    if (general.length) this.formError.textContent = general.join(" ");
    return first;
  }
}
