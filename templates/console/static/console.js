// destek agent console: ES modules, no build step. Served by the API, so its calls are
// same-origin. This module is the frame: the page's config and strings, who is signed in
// and the vocabulary, the small helpers every screen is handed (`ui`), and the routing table
// (route()). Each screen is a module of its own (lists.js, precases.js, search.js,
// customer.js, case_screen.js, queues.js, admin.js, reports.js, kb.js, ...): the frame
// imports the session and the case lists at the first load and every other screen when it
// is first opened (import()). Screens never import this module: they receive what they may
// use as a `ui` object (docs/console-and-site.md). Every text from the API reaches the page
// through textContent (el()), never as HTML: nothing a customer types can run here.

import { bulkMacroForm, macrosView } from "./macros.js";
import { bulkTagForm } from "./tags_fields.js";
import { viewsView } from "./views.js";
import { installShortcuts } from "./shortcuts.js";
import { SESSION_KEY, api, apiFile, explain, session, signIn, wire as wireSession } from "./session.js";
import { assignForm, caseList, caseTable, categoryChoice, duration, markSeen, staffChoice, timeLeft, watchList,
  wire as wireLists } from "./lists.js";
// the library the console shares with the site (templates/shared/static/, docs/console-and-site.md)
import { $, el } from "./shared/dom.js";
import { problemKey, sayer } from "./shared/i18n.js";
import { dateTime } from "./shared/format.js";
import { ApiError } from "./shared/api.js";

const CONFIG = JSON.parse(document.getElementById("config").textContent);
const T = JSON.parse(document.getElementById("strings").textContent);
const LANG = document.documentElement.lang;
const API = location.pathname.replace(/\/console\/?$/, "");
// The fixed lists of codes come from GET /vocabulary at sign-in (loadVocabulary); the
// strings files give each code its words (status_*, priority_*, type_*...).
let VOCAB = null;

let me = null; // GET /me: username, roles, permissions
// names for the ids the API gives (groups, staff, categories), loaded once per sign-in
const names = { groups: new Map(), staff: new Map(), categories: new Map(), customFields: new Map() };

// ---- small helpers -------------------------------------------------------------------

const say = sayer(T);
const when = (iso) => dateTime(iso, LANG);

function notice(message) {
  $("#notice").textContent = message || "";
  $("#notice").hidden = !message;
  if (message) $("#problem").hidden = true;
}

function problem(message) {
  $("#problem").textContent = message || "";
  $("#problem").hidden = !message;
  if (message) $("#notice").hidden = true;
}

function can(resource, action) {
  return Boolean(me && (me.permissions[resource] || []).includes(action));
}

function field(label, control) {
  const id = `f-${Math.random().toString(36).slice(2, 9)}`;
  control.id = id;
  return el("div", { class: "field" }, el("label", { for: id, text: label }), control);
}

function select(name, values, current, labelPrefix) {
  return el("select", { name },
    values.map((v) => el("option", { value: v, selected: v === current, text: say(`${labelPrefix}${v}`) })));
}

// A select over codes. `none` adds an empty choice meaning "not set" (null); a current value
// missing from the list stays choosable as itself, so saving never changes it unseen.
function choice(name, values, current, wordOf, none) {
  const set = current !== null && current !== undefined;
  const options = values.map((v) => [String(v), wordOf(v)]);
  if (set && !options.some(([v]) => v === String(current))) options.push([String(current), String(current)]);
  return el("select", { name },
    none ? el("option", { value: "", selected: !set, text: none }) : null,
    options.map(([v, text]) => el("option", { value: v, selected: set && String(current) === v, text })));
}

async function loadVocabulary() {
  VOCAB = await api("GET", "/vocabulary");
}

// ---- frame ---------------------------------------------------------------------------

function showSignIn(message) {
  me = null;
  $("#signin").hidden = false;
  $("#view").hidden = true;
  $("#nav").hidden = true;
  $("#search").hidden = true;
  $("#sign-out").hidden = true;
  $("#notices-toggle").hidden = true;
  $("#who").textContent = "";
  problem(message || "");
}

async function start() {
  $("#signin-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    try {
      await signIn(form.username.value.trim(), form.password.value);
      form.reset();
      await enter();
    } catch (error) {
      problem(error instanceof ApiError ? explain(error) : say("signin_failed"));
    }
  });
  $("#sign-out").addEventListener("click", () => {
    sessionStorage.removeItem(SESSION_KEY);
    location.hash = "";
    showSignIn(say("signed_out"));
  });
  // notice emails to me on or off (PUT /me/notices; docs/notifications.md#opting-out)
  $("#email-notices").addEventListener("change", async (event) => {
    const box = event.target;
    try {
      const mine = await api("PUT", "/me/notices", { email_notices: box.checked });
      box.checked = mine.email_notices;
      notice(say(mine.email_notices ? "my_email_notices_on" : "my_email_notices_off"));
    } catch (error) {
      box.checked = !box.checked;
      problem(explain(error));
    }
  });
  $("#search").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = event.target.q.value.trim();
    if (text) location.hash = `#/search/${encodeURIComponent(text)}`;
  });
  window.addEventListener("hashchange", () => route());
  installShortcuts({ el, say });
  if (session()) await enter(); else showSignIn();
}

async function enter() {
  try {
    me = await api("GET", "/me");
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 401)) problem(explain(error));
    return;
  }
  if (!me.roles.some((r) => ["agent", "supervisor", "admin"].includes(r))) {
    sessionStorage.removeItem(SESSION_KEY);
    showSignIn(say("staff_only"));
    return;
  }
  try {
    await loadVocabulary();
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 401)) problem(explain(error));
    return;
  }
  $("#signin").hidden = true;
  $("#view").setAttribute("aria-busy", "true"); // until route() below has drawn the first screen
  $("#view").hidden = false;
  $("#nav").hidden = false;
  $("#search").hidden = false;
  $("#sign-out").hidden = false;
  $("#who").textContent = `${me.name || me.username} · ${me.roles.map((r) => say(`role_${r}`)).join(", ")}`;
  for (const link of document.querySelectorAll("[data-needs]")) { // "resource:action", or several with |
    link.parentElement.hidden = !link.dataset.needs.split("|").some((need) => can(...need.split(":")));
  }
  problem("");
  await loadNames();
  await route();
}

async function loadNames() {
  const quiet = (resource, path) => (can(resource, "read") ? api("GET", path).catch(() => []) : Promise.resolve([]));
  const [groups, staff, tree] = await Promise.all([quiet("groups", "/groups"), quiet("staff", "/staff"),
    quiet("categories", "/categories")]);
  names.groups = new Map((groups.items || groups).map((g) => [g.id, g.name]));
  names.staff = new Map((staff.items || staff).map((m) => [m.username, m.name]));
  const mine = (staff.items || staff).find((m) => m.username === me.username);
  $("#email-notices").checked = Boolean(mine && mine.email_notices !== false);
  $("#notices-toggle").hidden = !mine; // only someone in the staff directory has the setting
  names.categories = new Map();
  const walk = (nodes) => nodes.forEach((n) => { names.categories.set(n.id, n.name); walk(n.children || []); });
  walk(tree);
}

const groupName = (id) => (id ? names.groups.get(id) || id : "—");
const staffName = (username) => (username ? names.staff.get(username) || username : "—");
const fieldName = (path) => {
  const last = String(path).split(".").pop();
  if (T[`field_${last}`]) return say(`field_${last}`);
  return names.customFields.get(last) || path; // a custom field's label (the case screen reads them)
};

/** What reports.js may use of this module: its helpers, never its state. */
const reportsUi = () => ({
  el, say, api, apiFile, can, explain, field, problem, duration, when, groupName, staffName,
  categoryName: (id) => (id ? names.categories.get(id) || id : "—"),
  has: (key) => Object.prototype.hasOwnProperty.call(T, key), lang: LANG,
});

/** What library.js may use: reportsUi's helpers, plus reloading the screen with a message and
 *  saying a failure as act() does (a version conflict reloads first). */
const libraryUi = (caseId) => ({
  ...reportsUi(),
  reload: (message) => reload(caseId, message),
  failed: async (error) => {
    if (error instanceof ApiError && error.status === 409 && error.code === "version_conflict") {
      await reload(caseId);
      problem(say("conflict"));
    } else problem(explain(error));
  },
});

// route() may be called again before an earlier call's requests are answered (a link clicked
// while the first screen loads, a hashchange during enter()); only the newest call shows its
// screen, so a slower, older one never replaces it. #view carries the hash it shows
// (data-route) and aria-busy until the newest call is done.
let routing = 0;

async function route() {
  if (!me) return;
  const hash = location.hash;
  const call = ++routing;
  const [, rawView, arg] = (hash || "#/mine").split("?")[0].split("/");
  const view = rawView || "mine";
  for (const link of document.querySelectorAll("#nav a")) {
    if (link.dataset.view === view) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  const target = $("#view");
  target.setAttribute("aria-busy", "true");
  try {
    const render = VIEWS[view] || caseList;
    const content = await render(view in VIEWS ? view : "mine", arg && decodeURIComponent(arg));
    if (call !== routing) return;
    target.replaceChildren(...[content].flat(Infinity).filter((n) => n !== null && n !== undefined));
    const heading = target.querySelector("h1");
    if (heading) heading.setAttribute("tabindex", "-1");
  } catch (error) {
    if (call !== routing) return;
    if (!(error instanceof ApiError && error.status === 401)) {
      target.replaceChildren(el("p", { class: "empty", text: explain(error) }));
    }
  } finally {
    if (call === routing) {
      target.dataset.route = hash;
      target.removeAttribute("aria-busy");
    }
  }
}

/** What kb.js may use of this module (the knowledge base pages and the case's articles). */
const kbUi = () => ({ ...reportsUi(), categoryChoice, notice, act, refresh: route });
/** What macros.js may use: kb.js's helpers and who is signed in (their personal macros). */
const macrosUi = () => ({ ...kbUi(), me: me.username });
/** What views.js, presence.js and shortcuts.js may use (docs/views-and-presence.md). */
const viewsUi = () => ({ ...macrosUi(), caseTable, watchList, assignForm, vocab: () => VOCAB,
  pageSize: CONFIG.viewPageSize || 50, // VIEW_PAGE_SIZE (config.py): a view's cases per page
  bulkMacroForm: (table) => bulkMacroForm(macrosUi(), table), bulkTagForm: (table) => bulkTagForm(kbUi(), table),
  groups: () => names.groups, staff: () => names.staff });

// ---- the screens: the routing table ------------------------------------------------------
// The case lists are the first screen, so lists.js comes with the frame; every other screen's
// module is fetched the first time it is shown and handed frameUi() once (the first load stays
// as small as bench/console_load.py measures it). A failed fetch is tried again next time.

const loaded = new Map();

function screen(name, load) {
  if (!loaded.has(name)) {
    loaded.set(name, load().then((module) => {
      if (module.wire) module.wire(frameUi());
      return module;
    }, (error) => {
      loaded.delete(name);
      throw error;
    }));
  }
  return loaded.get(name);
}

const precases = () => screen("precases", () => import("./precases.js"));
const VIEWS = {
  mine: caseList, pool: caseList, overdue: caseList, follow_up: caseList, agent: caseList,
  case: async (v, ref) => (await screen("case", () => import("./case_screen.js"))).caseScreen(v, ref),
  precases: async (v) => (await precases()).preCaseList(v),
  precase: async (v, id) => (await precases()).preCaseScreen(v, id),
  search: async (v, text) => (await screen("search", () => import("./search.js"))).search(v, text),
  queues: async () => (await screen("queues", () => import("./queues.js"))).queues(),
  admin: async (v, section) => (await screen("admin", () => import("./admin.js"))).admin(v, section),
  customer: async (v, id) => (await screen("customer", () => import("./customer.js"))).customerView(v, id),
  reports: async () => (await screen("reports", () => import("./reports.js"))).reportsView(reportsUi()),
  breached: async () => (await screen("reports", () => import("./reports.js"))).breachedView(reportsUi()),
  sql: async () => (await screen("reports", () => import("./reports.js"))).sqlView(reportsUi()),
  surveys: async () => (await screen("surveys", () => import("./surveys.js"))).surveysView(reportsUi()),
  survey: async (_v, id) => (await screen("surveys", () => import("./surveys.js"))).surveyView(reportsUi(), id),
  kb: async (_v, arg) => (await screen("kb", () => import("./kb.js"))).knowledgeView(kbUi(), arg),
  article: async (_v, id) => (await screen("kb", () => import("./kb.js"))).articleView(kbUi(), id),
  checklists: async () => (await screen("library", () => import("./library.js"))).checklistsView(libraryUi()),
  library: async () => (await screen("library", () => import("./library.js"))).libraryView(libraryUi()),
  macros: (_v, id) => macrosView(macrosUi(), id),
  views: (_v, id) => viewsView(viewsUi(), id),
};

/** What the screen modules of this split (session.js, lists.js, precases.js, search.js,
 *  customer.js, case_screen.js, history.js, queues.js, admin.js) receive once through their
 *  wire(ui): the frame's helpers, its config and strings, and getters for its state (who is
 *  signed in, the vocabulary), never the state itself. */
const frameUi = () => ({
  config: CONFIG, strings: T, lang: LANG, apiRoot: API, names,
  signedIn: () => me, vocab: () => VOCAB,
  el, say, api, apiFile, can, explain, field, select, choice, fieldProblems, notice, problem, when,
  groupName, staffName, fieldName, showSignIn, loadNames, route, reload, act, submit,
  duration, timeLeft, caseTable, markSeen, staffChoice, categoryChoice, watchList, assignForm,
  reportsUi, libraryUi, kbUi, macrosUi, viewsUi, adminUi,
});

// ---- a write, then the screen drawn again ---------------------------------------------

async function reload(caseId, message) {
  await route();
  if (message) notice(message);
}

function act(caseId, run, okMessage) {
  return async (event) => {
    event.preventDefault();
    const button = event.target.closest("form, button");
    if (button) button.setAttribute("aria-busy", "true");
    try {
      await run(event);
      await reload(caseId, okMessage);
    } catch (error) {
      if (error instanceof ApiError && error.status === 409 && error.code === "version_conflict") {
        await reload(caseId);
        problem(say("conflict"));
      } else {
        problem(explain(error));
      }
    } finally {
      if (button) button.removeAttribute("aria-busy");
    }
  };
}

/** What the admin modules (catalog_admin.js, sla_preview.js) may use: reportsUi's helpers, the
 *  vocabulary, a select over codes, a form's refusals shown next to its fields, and submit. */
const adminUi = () => ({ ...reportsUi(), choice, notice, vocab: VOCAB, fieldProblems, submit });

/** A submit (or a button's click) that writes, then draws the screen again and says `message`;
 *  after a version conflict it draws the screen again and says so, any other refusal is marked
 *  on the form's fields it names (said alone for a button outside a form). `reloadNames`: the
 *  write may rename a group, user or category (admin.js), so the names are read again first.
 *  admin.js and the admin modules (adminUi) share it. */
function submit(run, message, { reloadNames = false } = {}) {
  return async (event) => {
    event.preventDefault();
    const form = event.target.closest("form");
    try {
      await run(event);
      if (reloadNames) await loadNames();
      await route();
      notice(message || say("saved"));
    } catch (error) {
      if (error instanceof ApiError && error.code === "version_conflict") {
        await route();
        problem(say("admin_conflict"));
      } else if (form) fieldProblems(form, error);
      else problem(explain(error));
    }
  };
}

/** A refusal said in the reader's words (explain), and each field a 422 names marked where it
 *  is: aria-invalid and the problem beside the control. `attributes.1.name` is the control
 *  `attr1_name` (`flags.0.code`: `flag0_code`), else the path's first or last part. */
function fieldProblems(form, error) {
  for (const old of form.querySelectorAll(".field-error")) old.remove();
  for (const marked of form.querySelectorAll("[aria-invalid]")) marked.removeAttribute("aria-invalid");
  const details = error instanceof ApiError && Array.isArray(error.details) ? error.details : [];
  for (const d of details.filter((x) => x && x.field)) {
    const path = String(d.field).split(".").filter((part) => part !== "body");
    const prefix = { attributes: "attr", flags: "flag" }[path[0]];
    const row = prefix && /^\d+$/.test(path[1] || "") ? `${prefix}${path[1]}_${path[2] || (prefix === "attr" ? "values" : "code")}` : null;
    const names = [path.join("."), row, path[0], path[path.length - 1]].filter((n) => n && !/^\d+$/.test(n));
    const control = names.map((n) => form.elements.namedItem(n)).find((c) => c && c.setAttribute);
    if (!control) continue;
    const id = `${control.name}-error`;
    control.setAttribute("aria-invalid", "true");
    control.setAttribute("aria-describedby", id);
    control.after(el("span", { class: "field-error", id, text: say(problemKey(T, d.type)) }));
  }
  problem(explain(error));
}

wireSession(frameUi());
wireLists(frameUi());
start();
