// Keyboard shortcuts for the common moves (docs/views-and-presence.md). Never while typing in
// a field, never with Ctrl, Alt or Meta (the browser's own). "?" lists them.
//   j / k    next / previous case: in a list (the focused row), or beside a case (opens it)
//   o, Enter open the focused row's case          x  choose the focused row
//   r        the reply box                         n  the note box
//   c        claim the case                        s  the status
//   g v / g m / g p   go to views / my cases / the pool

const KEYS = ["j", "k", "o", "x", "r", "n", "c", "s", "g v", "g m", "g p", "?"];
let pending = null; // "g" waiting for its second key

function typing(target) {
  return target instanceof HTMLElement && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
}

/** Listen for the shortcuts (once, at start). `ui`: el, say. */
export function installShortcuts(ui) {
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.altKey || event.metaKey || typing(event.target)) return;
    if (document.querySelector("#view")?.hidden) return;
    const key = pending ? `${pending} ${event.key}` : event.key;
    pending = null;
    if (event.key === "g" && key === "g") { pending = "g"; return; }
    const done = run(ui, key);
    if (done) event.preventDefault();
  });
}

function run(ui, key) {
  const view = document.querySelector("#view");
  const rows = [...view.querySelectorAll("table.list tbody tr[data-case]")];
  const beside = [...view.querySelectorAll(".case-list a[data-case]")];
  const focusInput = (selector) => { const box = view.querySelector(selector); if (box) { box.focus(); return true; } return false; };
  switch (key) {
    case "j": case "k":
      if (beside.length) return step(beside, key === "j" ? 1 : -1);
      return rows.length ? moveRow(rows, key === "j" ? 1 : -1) : false;
    case "o": case "Enter": {
      const row = rows.find((r) => r.classList.contains("kb-focus"));
      if (!row) return false;
      location.hash = `#/case/${row.dataset.case}`;
      return true;
    }
    case "x": {
      const box = rows.find((r) => r.classList.contains("kb-focus"))?.querySelector("input[name=pick]");
      if (!box) return false;
      box.checked = !box.checked;
      return true;
    }
    case "r": return focusInput("form.reply textarea");
    case "n": return focusInput("form.note textarea");
    case "s": return focusInput("form.status-form select");
    case "c": { const claim = view.querySelector("#claim"); if (claim) { claim.click(); return true; } return false; }
    case "g v": location.hash = "#/views"; return true;
    case "g m": location.hash = "#/mine"; return true;
    case "g p": location.hash = "#/pool"; return true;
    case "?": help(ui); return true;
    default: return false;
  }
}

function step(links, by) {
  const at = links.findIndex((a) => a.getAttribute("aria-current") === "page");
  const next = links[at + by];
  if (!next) return false;
  location.hash = next.getAttribute("href");
  return true;
}

function moveRow(rows, by) {
  const at = rows.findIndex((r) => r.classList.contains("kb-focus"));
  const next = rows[Math.min(rows.length - 1, Math.max(0, at === -1 ? 0 : at + by))];
  rows.forEach((r) => r.classList.remove("kb-focus"));
  next.classList.add("kb-focus");
  next.querySelector("a")?.focus();
  return true;
}

function help(ui) {
  const { el, say } = ui;
  let dialog = document.querySelector("dialog.shortcuts");
  if (!dialog) {
    dialog = el("dialog", { class: "shortcuts", "aria-labelledby": "shortcuts-h" },
      el("h2", { id: "shortcuts-h", text: say("shortcuts_title") }),
      el("dl", {}, KEYS.flatMap((k) => [el("dt", {}, el("kbd", { text: k })), el("dd", { text: say(`shortcut_${k.replace(" ", "_").replace("?", "help")}`) })])),
      el("form", { method: "dialog" }, el("button", { type: "submit", text: say("shortcuts_close") })));
    document.body.append(dialog);
  }
  dialog.showModal();
}
