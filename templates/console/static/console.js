// destek agent console: ES modules, no build step. Served by the API, so its calls are
// same-origin. The reports pages are in reports.js (and draw with Chart.js, loaded there). Every text from the API reaches the page through
// textContent (el() below), never as HTML: nothing a customer types can run here.

import { breachedView, reportsView, sqlView } from "./reports.js";
import { surveysView, surveyView } from "./surveys.js";
import { articleView, caseArticles, knowledgeView } from "./kb.js";
import { caseExtras, checklistsView, libraryView } from "./library.js";
import { bulkMacroForm, caseMacros, macrosView } from "./macros.js";
import { textHits, wordy } from "./textsearch.js";
import { catalogAdmin } from "./catalog_admin.js";
import { slaPreview } from "./sla_preview.js";
import { flagListAdmin, staffMarks } from "./customer_flags.js";
import { bulkTagForm, caseFieldsAdmin, caseTagsFields, tagFilterForm } from "./tags_fields.js";
import { mergeFacts, mergeForm, mergedBanner, splitButton } from "./merges.js";
import { learningAdmin, routingSuggestion } from "./learning.js";
import { bulkStatusForm, viewsView, withCaseList } from "./views.js";
import { watchCase } from "./presence.js";
import { installShortcuts } from "./shortcuts.js";
import { filePicker, filesSection, messageFiles, uploadPicked } from "./case_files.js";
import { casePeople } from "./case_people.js";
// the library the console shares with the site (templates/shared/static/, docs/console-and-site.md)
import { $, el } from "./shared/dom.js";
import { problemKey, refusalKey, sayer } from "./shared/i18n.js";
import { dateTime } from "./shared/format.js";
import { ApiError, fetchJson } from "./shared/api.js";

const CONFIG = JSON.parse(document.getElementById("config").textContent);
const T = JSON.parse(document.getElementById("strings").textContent);
const LANG = document.documentElement.lang;
const API = location.pathname.replace(/\/console\/?$/, "");
const SESSION_KEY = "destek.console";
// The fixed lists of codes come from GET /vocabulary at sign-in (loadVocabulary); the
// strings files give each code its words (status_*, priority_*, type_*...).
let VOCAB = null;
let STATUSES = [];
let PRIORITIES = [];
let TYPES = [];
let OUTCOMES = [];

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

// ---- session and API -----------------------------------------------------------------

function session() {
  try { return JSON.parse(sessionStorage.getItem(SESSION_KEY)) || null; } catch { return null; }
}

async function cognito(action, body) {
  const response = await fetch(CONFIG.cognitoEndpoint, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-amz-json-1.1",
      "X-Amz-Target": `AWSCognitoIdentityProviderService.${action}`,
    },
    body: JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.message || data.__type || say("signin_failed"));
  return data;
}

async function signIn(username, password) {
  const result = await cognito("InitiateAuth", {
    AuthFlow: "USER_PASSWORD_AUTH", ClientId: CONFIG.clientId,
    AuthParameters: { USERNAME: username, PASSWORD: password },
  });
  if (result.ChallengeName === "NEW_PASSWORD_REQUIRED") {
    await firstPassword(username, result.Session);
    return;
  }
  keepSession(result.AuthenticationResult);
}

function keepSession(auth) {
  sessionStorage.setItem(SESSION_KEY, JSON.stringify({ idToken: auth.IdToken }));
}

// ---- first sign-in: the temporary password from the invitation becomes the person's own ----

/** Shows the new-password form and settles once Cognito took a new password (or refused). */
function firstPassword(username, cognitoSession) {
  // built only when asked for, so the sign-in form is the page's only password form
  const input = (name) => el("input", { name, type: "password", autocomplete: "new-password", required: true,
    minlength: 10, "aria-describedby": "new-password-rules" });
  const form = el("form", { id: "new-password-form", novalidate: true },
    field(say("new_password"), input("new_password")),
    field(say("new_password_again"), input("new_password_again")),
    el("p", { id: "new-password-rules", class: "hint", text: say("new_password_rules") }),
    el("button", { type: "submit", text: say("new_password_save") }));
  $("#signin").append(form);
  $("#signin-form").hidden = true;
  notice(say("new_password_needed"));
  form.new_password.focus();
  return new Promise((resolve) => {
    const submit = async (event) => {
      event.preventDefault();
      const chosen = form.new_password.value;
      if (chosen !== form.new_password_again.value) { problem(say("new_password_mismatch")); return; }
      try {
        const result = await cognito("RespondToAuthChallenge", {
          ChallengeName: "NEW_PASSWORD_REQUIRED", ClientId: CONFIG.clientId, Session: cognitoSession,
          ChallengeResponses: { USERNAME: username, NEW_PASSWORD: chosen },
        });
        form.remove();
        $("#signin-form").hidden = false;
        keepSession(result.AuthenticationResult);
        notice(say("new_password_set"));
        resolve();
      } catch {
        problem(say("new_password_refused"));
      }
    };
    form.addEventListener("submit", submit);
  });
}

function signedOut() {
  sessionStorage.removeItem(SESSION_KEY);
  showSignIn(say("session_over"));
}

async function api(method, path, body) {
  const current = session();
  return fetchJson(API + path, { method, body, token: current && current.idToken, onUnauthorized: signedOut });
}

/** A file from the API (a report's CSV or XLSX) as a Blob; refusals as api() throws them. */
async function apiFile(path, accept) {
  const current = session();
  const response = await fetch(API + path, {
    headers: { Accept: accept, ...(current ? { Authorization: `Bearer ${current.idToken}` } : {}) },
  });
  if (response.ok) return response.blob();
  const data = await response.json().catch(() => null);
  if (response.status === 401) signedOut();
  throw new ApiError(response.status, (data && data.error) || {});
}

/** An API refusal in the reader's words: the error code's string (strings/*.json), else the
 *  status's, else a generic one; never the API's own (English) message. A 422's fields are
 *  named with their problem (`details[].type`, pydantic's error type). */
function explain(error) {
  if (error instanceof ApiError) {
    const problems = (Array.isArray(error.details) ? error.details : []).filter((d) => d && d.field)
      .map((d) => say("error_fields", { field: fieldName(d.field), problem: say(problemKey(T, d.type)) }));
    return [say(refusalKey(T, error)), ...problems].join(" · ");
  }
  if (error instanceof Error && !(error instanceof TypeError) && error.message) return error.message;
  return say("network_error");
}

async function loadVocabulary() {
  VOCAB = await api("GET", "/vocabulary");
  ({ statuses: STATUSES, priorities: PRIORITIES, case_types: TYPES, call_outcomes: OUTCOMES } = VOCAB);
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
    const views = { mine: caseList, pool: caseList, overdue: caseList, follow_up: caseList, agent: caseList, case: caseScreen,
                    precases: preCaseList, precase: preCaseScreen, search, queues, admin,
                    customer: customerView, reports: () => reportsView(reportsUi()),
                    breached: () => breachedView(reportsUi()), sql: () => sqlView(reportsUi()),
                    surveys: () => surveysView(reportsUi()), survey: (_v, id) => surveyView(reportsUi(), id),
                    kb: (_v, arg) => knowledgeView(kbUi(), arg), article: (_v, id) => articleView(kbUi(), id),
                    checklists: () => checklistsView(libraryUi()), library: () => libraryView(libraryUi()),
                    macros: (_v, id) => macrosView(macrosUi(), id),
                    views: (_v, id) => viewsView(viewsUi(), id) };
    const render = views[view] || caseList;
    const content = await render(view in views ? view : "mine", arg && decodeURIComponent(arg));
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
  bulkMacroForm: (table) => bulkMacroForm(macrosUi(), table), bulkTagForm: (table) => bulkTagForm(kbUi(), table),
  groups: () => names.groups, staff: () => names.staff });

// ---- lists ---------------------------------------------------------------------------

function urgency(minutesLeft) {
  if (minutesLeft === null || minutesLeft === undefined) return "";
  if (minutesLeft < 0) return "late";
  if (minutesLeft < 60) return "soon";
  if (minutesLeft < 240) return "today";
  return "ok";
}

/** Whole minutes as "2 gün 3 sa", "1 sa 5 dk", "7 dk" (never less than a minute). */
function duration(minutes) {
  const m = Math.max(1, Math.floor(minutes));
  if (m >= 1440) {
    const d = Math.floor(m / 1440), h = Math.floor((m % 1440) / 60);
    return h ? say("dur_days_hours", { d, h }) : say("dur_days", { d });
  }
  if (m >= 60) {
    const h = Math.floor(m / 60), rest = m % 60;
    return rest ? say("dur_hours_minutes", { h, m: rest }) : say("dur_hours", { h });
  }
  return say("dur_minutes", { n: m });
}

/** Time to a due moment: "20 dk kaldı" ahead of it, "3 sa gecikti" once it has passed. */
function timeLeft(dueIso, now = Date.now()) {
  if (!dueIso) return { text: "", cls: "" };
  const minutes = (new Date(dueIso) - now) / 60000;
  if (minutes <= 0) return { text: say("late_by", { t: duration(-minutes) }), cls: "late" };
  return { text: say("left", { t: duration(minutes) }), cls: urgency(minutes) };
}

/** A listed case's countdown: none once it is resolved, paused while it waits on the customer. */
function caseTimeLeft(c) {
  if (["resolved", "closed"].includes(c.status)) return { text: "—", cls: "" };
  if (c.status === "waiting_customer" && c.sla) return { text: say("sla_paused"), cls: "" };
  return timeLeft(c.due_at);
}

function caseTable(items, pickable = false) {
  if (!items.length) return el("p", { class: "empty", text: say("no_cases") });
  return el("table", { class: "list" },
    el("thead", {}, el("tr", {}, pickable ? el("th", { scope: "col" }, el("span", { class: "visually-hidden", text: say("choose") })) : null,
      ["number", "subject", "status", "priority", "assignee", "time_left"]
      .map((k) => el("th", { scope: "col", text: say(`col_${k}`) })))),
    el("tbody", {}, items.map((c) => {
      const left = caseTimeLeft(c);
      return el("tr", { "data-case": c.id, class: c.unread ? "unread" : null },
        pickable ? el("td", {}, el("input", { type: "checkbox", name: "pick", value: c.id, "data-version": c.version,
          "aria-label": say("choose_case", { number: c.number }) })) : null,
        el("td", { class: "number" }, unreadMark(c), el("a", { href: `#/case/${c.id}`, text: c.number || c.id })),
        el("td", { text: c.subject }),
        el("td", {}, el("span", { class: `status s-${c.status}`, text: say(`status_${c.status}`) })),
        el("td", { class: `p-${c.priority}`, text: say(`priority_${c.priority}`) }),
        el("td", { text: staffName(c.assignee) }),
        el("td", { class: `due ${left.cls}`, text: left.text }));
    })));
}

async function caseList(view, agentName) {
  let path = `/cases?view=${view}&order=priority&limit=50`;
  let title = say(`title_${view}`);
  const groups = view === "pool" ? await api("GET", "/groups") : null;
  let chooser = null;
  if (view === "pool") {
    const mine = groups.items ? groups.items : groups;
    const usable = mine.filter((g) => g.members.includes(me.username) || g.supervisors.includes(me.username));
    const list = usable.length ? usable : mine;
    const chosen = new URLSearchParams(location.hash.split("?")[1] || "").get("group") || (list[0] && list[0].id);
    path = `/cases?view=pool&group_id=${encodeURIComponent(chosen || "")}&limit=50`;
    title = say("title_pool_of", { group: (list.find((g) => g.id === chosen) || {}).name || chosen });
    chooser = el("nav", { class: "tabs", "aria-label": say("groups") },
      list.map((g) => el("a", { href: `#/pool?group=${g.id}`, "aria-current": g.id === chosen ? "page" : null, text: g.name })));
  }
  if (view === "overdue") path = "/cases?view=overdue&within_minutes=240&limit=100";
  if (view === "follow_up") path = "/cases?view=follow_up&limit=100";
  if (view === "agent") {
    path = `/cases?view=agent&agent=${encodeURIComponent(agentName)}&order=priority&limit=100`;
    title = say("title_agent", { agent: agentName });
  }
  // a tag chosen above the list narrows it (#/mine?tag=iade): the API filters the view's own read
  const tag = new URLSearchParams(location.hash.split("?")[1] || "").get("tag");
  if (tag) path += `&tag=${encodeURIComponent(tag)}`;
  const page = await api("GET", path);
  const table = caseTable(page.items, can("assignments", "edit") || can("macros", "read") || can("cases", "edit"));
  watchList(path, table);
  const bulk = page.items.length && can("macros", "read") && can("replies", "add") ? await bulkMacroForm(macrosUi(), table) : null;
  const tagging = page.items.length && can("cases", "edit") ? bulkTagForm(kbUi(), table) : null;
  return [el("h1", { text: title }), chooser, tagFilterForm(kbUi(), tag), table, page.items.length ? await assignForm(table) : null, bulk, tagging,
    page.items.length ? bulkStatusForm(viewsUi(), table) : null];
}

// ---- unread marks: what changed on the listed cases since I last looked ---------------
// The API marks each row for the caller (the case keeps who saw which version, so it is
// the same on every device); the list on screen is asked again every 30 s.

const POLL_MS = 30000;

function unreadMark(c) {
  if (!c.unread) return null;
  const label = say(c.customer_unread ? "unread_customer" : "unread");
  return el("span", { class: `unread-mark${c.customer_unread ? " from-customer" : ""}`, title: label },
    el("span", { class: "visually-hidden", text: label }));
}

// The list carries the path it was read from (data-watch); the poll asks again for the one in
// #view, so a list drawn by a route() call that was overtaken (never shown) is never polled.
function watchList(path, table) {
  table.dataset.watch = path;
  if (watchList.timer) return;
  watchList.timer = setInterval(refreshList, POLL_MS);
  document.addEventListener("visibilitychange", () => { if (!document.hidden) refreshList(); });
}

async function refreshList() {
  const table = $("#view [data-watch]");
  if (!me || !table || document.hidden) return;
  const path = table.dataset.watch;
  let page;
  try { page = await api("GET", path); } catch { return; }
  if (!table.isConnected) return;
  const busy = table.contains(document.activeElement) || table.querySelector("input[name=pick]:checked");
  if (table.tagName !== "TABLE") {
    if (page.items.length) { const fresh = caseTable(page.items); fresh.dataset.watch = path; table.replaceWith(fresh); }
    return;
  }
  if (!busy) { // rows come and go, versions and time left move on: take the fresh rows
    const pickable = Boolean(table.querySelector("input[name=pick]"));
    const fresh = caseTable(page.items, pickable);
    if (fresh.tagName === "TABLE") table.tBodies[0].replaceWith(fresh.tBodies[0]);
    else { fresh.dataset.watch = path; table.replaceWith(fresh); } // the list emptied
    return;
  }
  for (const c of page.items) { // someone is choosing rows: only the marks change
    const row = table.querySelector(`tr[data-case="${CSS.escape(c.id)}"]`);
    if (!row) continue;
    row.classList.toggle("unread", Boolean(c.unread));
    const cell = row.querySelector("td.number");
    cell.querySelector(".unread-mark")?.remove();
    const mark = unreadMark(c);
    if (mark) cell.prepend(mark);
  }
}

function markSeen(c) {
  return api("POST", `/cases/${encodeURIComponent(c.id)}/seen`, { version: c.version }).catch(() => null);
}

async function categoryChoice(current) {
  const tree = await api("GET", "/categories");
  const options = [el("option", { value: "", text: "—" })];
  const walk = (nodes, depth) => nodes.forEach((n) => {
    options.push(el("option", { value: n.id, selected: n.id === current, text: `${"· ".repeat(depth)}${n.name}` }));
    walk(n.children, depth + 1);
  });
  walk(tree, 0);
  return el("select", { name: "category" }, options);
}

async function staffChoice(name = "agent") {
  const staff = await api("GET", "/staff");
  return el("select", { name }, (staff.items || staff).map((m) => el("option", { value: m.username, text: `${m.name} (${m.username})` })));
}

async function assignForm(table) {
  if (!can("assignments", "edit")) return null;
  const form = el("form", { class: "bulk", onsubmit: async (event) => {
    event.preventDefault();
    const chosen = [...table.querySelectorAll("input[name=pick]:checked")];
    if (!chosen.length) { problem(say("choose_some")); return; }
    const results = [];
    for (const box of chosen) {
      try {
        await api("POST", `/cases/${box.value}/assign`, { version: Number(box.dataset.version), assignee: event.target.agent.value });
        results.push(true);
      } catch (error) {
        results.push(false);
      }
    }
    await route();
    const failed = results.filter((ok) => !ok).length;
    if (failed) problem(say("assigned_some", { ok: results.length - failed, failed })); else notice(say("assigned", { n: results.length }));
  } }, field(say("assign_to"), await staffChoice()), el("button", { type: "submit", text: say("assign_selected") }));
  return form;
}

async function preCaseList() {
  const channel = new URLSearchParams(location.hash.split("?")[1] || "").get("channel") || "";
  const page = await api("GET", `/precases?order=oldest&limit=50${channel ? `&channel=${channel}` : ""}`);
  const mine = await api("GET", "/precases/mine?limit=50");
  const tabs = el("nav", { class: "tabs", "aria-label": say("channels") },
    ["", "email", "social", "api", "chat"].map((c) => el("a", {
      href: `#/precases${c ? `?channel=${c}` : ""}`, "aria-current": c === channel ? "page" : null,
      text: say(c ? `channel_${c}` : "all_channels") })));
  const table = (items, pickable = false) => items.length ? el("table", { class: "list" },
    el("thead", {}, el("tr", {}, pickable ? el("th", { scope: "col" }, el("span", { class: "visually-hidden", text: say("choose") })) : null,
      ["received", "channel", "subject", "sender", "mood"].map((k) =>
      el("th", { scope: "col", text: say(`col_${k}`) })))),
    el("tbody", {}, items.map((p) => el("tr", {},
      pickable ? el("td", {}, el("input", { type: "checkbox", name: "pick", value: p.id, "data-version": p.version,
        "aria-label": say("choose_case", { number: p.subject }) })) : null,
      el("td", { text: when(p.received_at) }),
      el("td", { text: say(`channel_${p.channel}`) }),
      el("td", {}, el("a", { href: `#/precase/${p.id}`, text: p.subject })),
      el("td", { text: p.sender.email || (p.sender.handle ? `@${p.sender.handle}` : p.sender.name) }),
      el("td", { class: p.mood ? `mood-${p.mood.label}` : "", text: p.mood ? say(`mood_${p.mood.label}`) : "" })))))
    : el("p", { class: "empty", text: say("no_precases") });
  const pool = table(page.items, can("assignments", "edit"));
  let distribute = null;
  if (can("assignments", "edit") && page.items.length) {
    distribute = el("form", { class: "bulk", onsubmit: async (event) => {
      event.preventDefault();
      const chosen = [...pool.querySelectorAll("input[name=pick]:checked")];
      if (!chosen.length) { problem(say("choose_some")); return; }
      try {
        const done = await api("POST", "/precase-assignments", { agent: event.target.agent.value,
          precases: chosen.map((b) => ({ id: b.value, version: Number(b.dataset.version) })) });
        const failed = done.results.filter((r) => r.status !== "assigned").length;
        await route();
        if (failed) problem(say("assigned_some", { ok: done.results.length - failed, failed })); else notice(say("assigned", { n: done.results.length }));
      } catch (error) { problem(explain(error)); }
    } }, field(say("assign_to"), await staffChoice()), el("button", { type: "submit", text: say("assign_selected") }));
  }
  return [el("h1", { text: say("title_precases") }), tabs, pool, distribute,
          el("h2", { text: say("my_precases") }), table(mine.items)];
}

/** The search box: a case number opens the case; otherwise the customers the text names (by
 *  number, phone, email, order, name or serial) and, when it has words, the cases, pre-cases
 *  and articles whose text holds them (textsearch.js). One customer: their cases screen; none
 *  and no text found either: the form that registers a new caller. */
async function search(_, text) {
  if (/^\d{4}-\d{6}$/.test(text)) { location.hash = `#/case/${text}`; return []; }
  const texts = wordy(text) ? textHits(reportsUi(), text) : Promise.resolve({ nodes: [], count: 0 });
  const lookups = text.includes("@") ? [`email=${encodeURIComponent(text)}`]
    : /^[+0-9 ()-]{7,}$/.test(text) ? [`phone=${encodeURIComponent(text)}`, `customer_number=${encodeURIComponent(text)}`, `order_number=${encodeURIComponent(text)}`]
    : [`customer_number=${encodeURIComponent(text)}`, `order_number=${encodeURIComponent(text)}`];
  const found = new Map();
  const quiet = (promise) => promise.catch((error) => {
    if (error instanceof ApiError && [404, 422].includes(error.status)) return null;
    throw error;
  });
  for (const one of await Promise.all(lookups.map((q) => quiet(api("GET", `/customers?${q}`))))) {
    if (one) found.set(one.id, one);
  }
  if (!text.includes("@") && /\p{L}{2}/u.test(text)) {
    const byName = await quiet(api("GET", `/customer-search?name=${encodeURIComponent(text)}`));
    for (const one of (byName && byName.items) || []) found.set(one.id, one);
  }
  if (!found.size && !text.includes("@")) {
    const owner = await ownerOfSerial(text, quiet);
    if (owner) found.set(owner.id, owner);
  }
  const heading = el("h1", { text: say("title_search", { q: text }) });
  const hits = await texts;
  if (found.size === 1) return [heading, ...(await customerCases([...found.values()][0])), hits.nodes];
  if (!found.size) return [heading, hits.nodes, el("p", { class: "empty", text: say("nothing_found") }), await newCallerForm(text)];
  return [heading, hits.count ? el("h2", { text: say("search_customers") }) : null,
    el("ul", { class: "matches" }, [...found.values()].map((c) => el("li", {},
      el("a", { href: `#/customer/${c.id}`, text: c.name }), ` · ${c.phone || ""} · ${c.email || ""} · ${c.customer_number || ""}`))),
    hits.nodes];
}

async function customerCases(customer) {
  const page = await api("GET", `/cases?view=customer&customer_id=${customer.id}&limit=50`);
  const [overview, marks] = await Promise.all([api("GET", `/customers/${customer.id}/overview`).catch(() => null),
    staffMarks(adminUi(), customer.id).catch(() => null)]);
  return [el("div", { class: "case-screen" },
    el("section", {}, el("p", {}, el("strong", { text: customer.name }), ` · ${customer.phone || ""} · ${customer.email || ""}`),
      caseTable(page.items), await phoneDesk(customer, overview, page.items)),
    customerPanel(overview, null, marks))];
}

async function customerView(_, id) {
  const customer = await api("GET", `/customers/${encodeURIComponent(id)}`);
  return [el("h1", { text: customer.name }), ...(await customerCases(customer))];
}

async function queues() {
  const load = await api("GET", "/workload");
  const statuses = ["open", "in_progress", "waiting_customer", "reopened"];
  const groups = el("table", { class: "list" },
    el("thead", {}, el("tr", {}, el("th", { scope: "col", text: say("group") }),
      ...statuses.map((s) => el("th", { scope: "col", text: say(`status_${s}`) })),
      el("th", { scope: "col", text: say("breached") }))),
    el("tbody", {}, load.groups.map((g) => el("tr", {},
      el("th", { scope: "row" }, el("a", { href: `#/pool?group=${g.group_id}`, text: g.name })),
      ...statuses.map((s) => el("td", { text: g.counts[s] })),
      el("td", { class: g.overdue ? "due late" : "", text: g.overdue })))));
  const agents = el("table", { class: "list" },
    el("thead", {}, el("tr", {}, ["agent", "groups", "active", "breached", "on_shift"].map((k) =>
      el("th", { scope: "col", text: say(k === "agent" ? "col_agent" : k) })))),
    el("tbody", {}, load.agents.map((a) => el("tr", {},
      el("th", { scope: "row" }, el("a", { href: `#/agent/${a.username}`, text: `${a.name} (${a.username})` })),
      el("td", { text: a.groups.map(groupName).join(", ") }),
      el("td", { text: a.active }),
      el("td", { class: a.overdue ? "due late" : "", text: a.overdue }),
      el("td", { text: a.on_shift ? say("yes") : say("no") })))));
  return [el("h1", { text: say("title_queues") }), groups, el("h2", { text: say("who_works_what") }), agents];
}

// ---- the phone desk: what an agent on a call does next --------------------------------
// A found caller: open a case, log a call (with or without a case; the number typed when
// none is on file), register a product by serial, correct the contact details. Nobody
// found: register the caller, and open their case in the same write (POST /cases creates
// an unknown caller who has a name).

const DESK_ERRORS = {
  sms_needs_phone: "error_sms_needs_phone", email_needs_address: "error_email_needs_address",
  customer_exists: "error_customer_exists", serial_taken: "error_serial_taken",
  call_needs_number: "error_call_needs_number", version_conflict: "error_customer_changed",
};

/** The agent's words for a refusal at the desk; the field it is about gets marked. */
function deskProblem(form, error) {
  for (const marked of form.querySelectorAll("[aria-invalid]")) marked.removeAttribute("aria-invalid");
  if (!(error instanceof ApiError)) { problem(explain(error)); return; }
  const details = error.details && !Array.isArray(error.details) ? error.details : {};
  let key = DESK_ERRORS[error.code];
  let name = { sms_needs_phone: "phone", email_needs_address: "email", call_needs_number: "number",
               serial_taken: "serial_number" }[error.code];
  if (error.code === "customer_exists") name = (details.taken || []).find((k) => k !== "id") || "phone";
  if (!key && error.status === 422 && "phone" in details) {
    key = "error_phone_invalid";
    name = form.elements.number ? "number" : "phone";
  }
  if (name && form.elements[name] && form.elements[name].setAttribute) form.elements[name].setAttribute("aria-invalid", "true");
  problem(key ? say(key) : explain(error));
}

/** A desk form's submit: run(form) writes; it may answer { go: "#/…", said: "…" } to move
 *  to what it made, else the view is drawn again and `message` is said. */
function desk(run, message) {
  return async (event) => {
    event.preventDefault();
    const form = event.target;
    form.setAttribute("aria-busy", "true");
    try {
      const next = await run(form);
      if (next && next.go) {
        location.hash = next.go;
        notice(next.said);
      } else {
        await route();
        notice(message);
      }
    } catch (error) {
      if (error instanceof ApiError && error.code === "version_conflict") await route();
      deskProblem(form, error);
    } finally {
      form.removeAttribute("aria-busy");
    }
  };
}

const deskInput = (name, props = {}) => el("input", { name, ...props });

function caseFields() {
  return [
    field(say("col_type"), select("type", TYPES, "complaint", "type_")),
    field(say("col_priority"), select("priority", PRIORITIES, "normal", "priority_")),
    field(say("col_subject"), deskInput("subject", { required: true, maxlength: 200 })),
    field(say("desk_description"), el("textarea", { name: "description", rows: 3, required: true })),
  ];
}

function caseBody(form) {
  return { type: form.type.value, priority: form.priority.value, channel: "phone",
           subject: form.subject.value.trim(), description: form.description.value.trim(),
           ...(form.category && form.category.value ? { category_id: form.category.value } : {}) };
}

async function phoneDesk(customer, overview, cases) {
  const parts = [];
  const registrations = (overview && overview.registrations) || [];
  if (can("cases", "add")) {
    parts.push(el("details", { class: "desk desk-case" }, el("summary", { text: say("desk_open_case") }),
      el("form", { onsubmit: desk(async (f) => {
        const body = { ...caseBody(f), customer: { customer_id: customer.id },
                       ...(f.registration.value ? { registration_id: f.registration.value } : {}) };
        const made = await api("POST", "/cases", body);
        return { go: `#/case/${made.id}`, said: say("converted", { number: made.number }) };
      }) },
        ...caseFields(),
        field(say("col_category"), await categoryChoice(null)),
        field(say("desk_about_product"), el("select", { name: "registration" }, el("option", { value: "", text: "—" }),
          registrations.map((r) => el("option", { value: r.id, text: `${r.product_name || r.product_id} · ${r.serial_number}` })))),
        el("button", { type: "submit", text: say("desk_open_case_button") }))));
  }
  if (can("calls", "add")) {
    parts.push(el("details", { class: "desk desk-call" }, el("summary", { text: say("record_call") }),
      el("form", { onsubmit: desk((f) => api("POST", `/customers/${customer.id}/calls`, {
        direction: f.direction.value, outcome: f.outcome.value,
        started_at: new Date(Date.now() - Number(f.minutes.value || 0) * 60000).toISOString(),
        duration_seconds: Math.round(Number(f.minutes.value || 0) * 60),
        ...(f.number.value.trim() ? { number: f.number.value.trim() } : {}),
        ...(f.case.value ? { case_id: f.case.value } : {}),
        notes: f.notes.value.trim() || undefined }), say("call_recorded")) },
        field(say("direction"), select("direction", ["inbound", "outbound"], "inbound", "direction_")),
        field(customer.phone ? say("desk_call_number") : say("desk_call_number_needed"),
          deskInput("number", { type: "tel", required: !customer.phone, autocomplete: "off" })),
        field(say("outcome"), select("outcome", OUTCOMES, "answered", "outcome_")),
        field(say("minutes"), deskInput("minutes", { type: "number", min: 0, max: 600, value: 3 })),
        field(say("desk_call_case"), el("select", { name: "case" }, el("option", { value: "", text: say("desk_no_case") }),
          cases.map((c) => el("option", { value: c.id, text: `${c.number} · ${c.subject}` })))),
        field(say("call_notes"), el("textarea", { name: "notes", rows: 2 })),
        el("button", { type: "submit", text: say("save_call") }))));
  }
  if (can("registrations", "add")) {
    parts.push(el("details", { class: "desk desk-product", ontoggle: (e) => e.target.open && fillProducts(e.target) },
      el("summary", { text: say("desk_register") }),
      el("form", { onsubmit: desk((f) => api("POST", `/customers/${customer.id}/products`, {
        product_id: f.product.value, serial_number: f.serial_number.value.trim(),
        purchase_date: f.purchase_date.value, seller: f.seller.value.trim() || null }), say("desk_product_registered")) },
        field(say("desk_product"), productChoice()),
        field(say("desk_serial"), deskInput("serial_number", { required: true, maxlength: 100, autocomplete: "off" })),
        field(say("desk_purchase_date"), deskInput("purchase_date", { type: "date", required: true,
          max: new Date().toISOString().slice(0, 10), value: new Date().toISOString().slice(0, 10) })),
        field(say("desk_seller"), deskInput("seller", { maxlength: 200 })),
        el("button", { type: "submit", text: say("desk_register_button") }))));
  }
  if (can("customers", "edit")) {
    parts.push(el("details", { class: "desk desk-contact" }, el("summary", { text: say("desk_contact") }),
      el("form", { onsubmit: desk((f) => {
        const typed = f.phone.value.trim();
        return api("PATCH", `/customers/${customer.id}`, {
          version: customer.version, name: f.name.value.trim(), language: f.language.value,
          ...(typed === (customer.phone || "") ? {} : { phone: typed }),
          contact: { ...customer.contact, channel: f.channel.value } });
      }, say("saved")) },
        field(say("desk_name"), deskInput("name", { required: true, value: customer.name, maxlength: 200 })),
        field(say("desk_phone"), deskInput("phone", { type: "tel", value: customer.phone || "", autocomplete: "off" })),
        field(say("desk_channel"), select("channel", ["email", "sms", "both"], customer.contact.channel, "contact_")),
        field(say("desk_language"), select("language", ["tr", "en"], customer.language, "language_")),
        el("button", { type: "submit", text: say("desk_contact_button") }))));
  }
  return parts.length ? el("section", { class: "phone-desk", "aria-label": say("desk_title") },
    el("h2", { text: say("desk_title") }), parts) : null;
}

function productChoice() {
  return el("select", { name: "product", required: true }, el("option", { value: "", text: say("desk_choose_product") }));
}

// the catalog (a public, rate-limited route the site shares) is read once a page, and only
// when an agent opens the product form
let catalog = null;

/** Every product of the catalog in the form's list, each under its category's path. */
async function fillProducts(details) {
  const list = details.querySelector("select[name=product]");
  if (list.options.length > 1) return;
  try {
    catalog = catalog || api("GET", "/catalog");
    const tree = await catalog;
    const walk = (nodes, path) => nodes.forEach((n) => {
      const here = [...path, (LANG === "en" && n.name_en) || n.name];
      for (const p of n.products) list.append(el("option", { value: p.id, text: `${here.join(" › ")} › ${p.name}` }));
      walk(n.children || [], here);
    });
    walk(tree, []);
  } catch (error) {
    catalog = null;
    problem(explain(error));
  }
}

/** Whose a serial number is, when the search text is one (a unit in the caller's hand). */
async function ownerOfSerial(text, quiet) {
  if (!can("registrations", "read") || !/^[\w-]{4,100}$/u.test(text.replace(/\s/g, ""))) return null;
  const unit = await quiet(api("GET", `/registrations?serial=${encodeURIComponent(text)}`));
  return unit ? quiet(api("GET", `/customers/${encodeURIComponent(unit.customer_id)}`)) : null;
}

/** Nobody matches what the caller said: register them, with their case, in one step. */
async function newCallerForm(text) {
  if (!can("customers", "add")) return null;
  const email = text.includes("@") ? text : "";
  const phone = !email && /^[+0-9 ()-]{7,}$/.test(text) ? text : "";
  const number = !email && !phone && /^[A-Za-z0-9-]{1,32}$/.test(text) && /\d/.test(text) ? text : "";
  const name = !email && !phone && !number ? text : "";
  const withCase = can("cases", "add");
  const form = el("form", { id: "new-caller", onsubmit: desk(async (f) => {
    const who = { name: f.name.value.trim(), ...(f.phone.value.trim() ? { phone: f.phone.value.trim() } : {}),
                  ...(f.email.value.trim() ? { email: f.email.value.trim() } : {}),
                  ...(f.customer_number.value.trim() ? { customer_number: f.customer_number.value.trim() } : {}) };
    if (withCase && f.with_case.checked) {
      const made = await api("POST", "/cases", { ...caseBody(f), customer: who });
      return { go: `#/case/${made.id}`, said: say("converted", { number: made.number }) };
    }
    const made = await api("POST", "/customers", who);
    return { go: `#/customer/${made.id}`, said: say("desk_customer_created", { name: made.name }) };
  }) },
    el("h2", { text: say("desk_new_caller") }),
    field(say("desk_name"), deskInput("name", { required: true, value: name, maxlength: 200 })),
    field(say("desk_phone"), deskInput("phone", { type: "tel", value: phone, autocomplete: "off" })),
    field(say("desk_email"), deskInput("email", { type: "email", value: email, autocomplete: "off" })),
    field(say("desk_customer_number"), deskInput("customer_number", { value: number, maxlength: 32, autocomplete: "off" })),
    withCase ? el("fieldset", {}, el("legend", {},
      el("label", {}, el("input", { type: "checkbox", name: "with_case", checked: true }), ` ${say("desk_with_case")}`)),
      ...caseFields()) : null,
    el("button", { type: "submit", text: say("desk_new_caller_button") }));
  if (withCase) {
    // the case's subject and description are asked for only while a case is to be opened
    form.with_case.addEventListener("change", () => {
      for (const name of ["subject", "description"]) form.elements[name].required = form.with_case.checked;
    });
  }
  return form;
}

// ---- one case ------------------------------------------------------------------------

async function caseScreen(_, ref) {
  const view = await api("GET", `/cases/${encodeURIComponent(ref)}`);
  const [overview, , marks] = await Promise.all([
    api("GET", `/customers/${view.case.customer_id}/overview`).catch(() => null), markSeen(view.case),
    staffMarks(adminUi(), view.case.customer_id).catch(() => null)]);
  const [extras, definitions] = await Promise.all([caseExtras(libraryUi(view.case.id), view),
    can("case_fields", "read") ? api("GET", "/case-fields").catch(() => []) : []]);
  names.customFields = new Map(definitions.map((f) => [f.key, LANG === "en" ? f.label_en : f.label_tr]));
  watchCase(viewsUi(), view.case); // presence, changes meanwhile, a closed case read-only
  return [withCaseList(viewsUi(), view.case, el("div", { class: "case-screen" }, casePanel(view, extras, definitions), customerPanel(overview, view.case.id, marks)))];
}

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

function casePanel(view, extras = null, definitions = []) {
  const c = view.case;
  const v = c.version;
  const post = (path, body) => api("POST", `/cases/${c.id}${path}`, { version: v, ...body });
  const header = el("header", { class: "case-head" },
    el("h1", { text: `${c.number} · ${c.subject}` }),
    mergedBanner(kbUi(), c),
    routingSuggestion(kbUi(), c),
    el("dl", { class: "facts" },
      ...[["status", say(`status_${c.status}`)], ["priority", say(`priority_${c.priority}`)],
          ["type", say(`type_${c.type}`)], ["channel", say(`channel_${c.channel}`)],
          ["group", groupName(c.group_id)], ["assignee", staffName(c.assignee)], ["opened", when(c.created_at)],
          ...(c.order ? [["order", orderRef(c.order)]] : [])]
        .flatMap(([k, value]) => [el("dt", { text: say(`col_${k}`) }), el("dd", { "data-fact": k, text: value })])),
    el("p", { class: "description", text: c.description }),
    view.targets && view.targets.length ? el("ul", { class: "targets" }, view.targets.map((t) => {
      const left = t.state === "running" ? timeLeft(t.due_at) : { text: say(`sla_${t.state}`), cls: t.state === "breached" ? "late" : "" };
      return el("li", { class: `due ${left.cls}` }, `${say(`target_${t.kind}`)}: ${left.text}`);
    })) : null);

  const actions = el("div", { class: "actions" });
  if (can("cases", "edit") && !c.assignee && ["open", "reopened", "new"].includes(c.status)) {
    actions.append(el("button", { type: "button", id: "claim", onclick: act(c.id, () => post("/claim", {}), say("claimed")), text: say("claim") }));
  }
  if (can("assignments", "edit")) {
    const assign = el("form", { class: "assign-form", onsubmit: act(c.id, (e) => post("/assign", { assignee: e.target.agent.value }), say("reassigned")) },
      el("button", { type: "submit", text: say("assign") }));
    staffChoice().then((choice) => { choice.value = c.assignee || ""; assign.prepend(field(say("assign_to"), choice)); });
    actions.append(assign);
  }
  let replyForm = null;
  if (can("replies", "add")) {
    // an article inserted from the suggestions rides with the reply while its text is still in it
    const carried = (f) => (f.dataset.articleId && f.body.value.includes(f.dataset.articleText) ? { article_id: f.dataset.articleId } : {});
    replyForm = el("form", { class: "reply", onsubmit: act(c.id, async (e) => post("/replies", { body: e.target.body.value, ...carried(e.target), ...(await uploadPicked(kbUi(), c.id, e.target)) }), say("replied")) },
      field(say("reply_label"), el("textarea", { name: "body", rows: 4, required: true })), filePicker(kbUi()),
      el("button", { type: "submit", text: say("send_reply") }));
    actions.append(replyForm);
  }
  if (can("notes", "add")) {
    actions.append(el("form", { class: "note", onsubmit: act(c.id, async (e) => post("/notes", { body: e.target.body.value, ...(await uploadPicked(kbUi(), c.id, e.target)) }), say("noted")) },
      field(say("note_label"), el("textarea", { name: "body", rows: 3, required: true })), filePicker(kbUi()),
      el("button", { type: "submit", text: say("add_note") })));
  }
  if (can("cases", "edit")) {
    actions.append(el("form", { class: "status-form", onsubmit: act(c.id, (e) => post("/status", { status: e.target.status.value }), say("status_changed")) },
      // merged is reached by merging, never chosen as a status
      field(say("col_status"), select("status", STATUSES.filter((s) => s !== "merged"), c.status, "status_")),
      el("button", { type: "submit", text: say("change_status") })));
    const fieldsForm = el("form", { class: "fields-form", onsubmit: act(c.id, (e) => api("PATCH", `/cases/${c.id}`, {
      version: v, priority: e.target.priority.value, type: e.target.type.value,
      ...(e.target.category && e.target.category.value ? { category_id: e.target.category.value } : {}) }), say("fields_changed")) },
      field(say("col_priority"), select("priority", PRIORITIES, c.priority, "priority_")),
      field(say("col_type"), select("type", TYPES, c.type, "type_")),
      el("button", { type: "submit", text: say("save_fields") }));
    categoryChoice(c.category_id).then((choice) => fieldsForm.insertBefore(field(say("col_category"), choice), fieldsForm.lastChild));
    actions.append(fieldsForm);
  }
  if (can("calls", "add")) {
    actions.append(el("form", { class: "call-form", onsubmit: act(c.id, (e) => api("POST", `/customers/${c.customer_id}/calls`, {
      direction: e.target.direction.value, outcome: e.target.outcome.value,
      started_at: new Date(Date.now() - Number(e.target.minutes.value || 0) * 60000).toISOString(),
      duration_seconds: Math.round(Number(e.target.minutes.value || 0) * 60),
      notes: e.target.notes.value || undefined, case_id: c.id }), say("call_recorded")) },
      el("fieldset", {}, el("legend", { text: say("record_call") }),
        field(say("direction"), select("direction", ["inbound", "outbound"], "outbound", "direction_")),
        field(say("outcome"), select("outcome", OUTCOMES, "answered", "outcome_")),
        field(say("minutes"), el("input", { name: "minutes", type: "number", min: 0, max: 600, value: 3 })),
        field(say("call_notes"), el("textarea", { name: "notes", rows: 2 })),
        el("button", { type: "submit", text: say("save_call") }))));
  }

  const merging = mergeForm(kbUi(), c);
  if (merging) actions.append(merging);
  const satisfaction = ratingBlock(c);
  if (["resolved", "closed"].includes(c.status) && can("ratings", "add")) {
    actions.append(el("form", { class: "rating-form", onsubmit: act(c.id, (e) => post("/rating", {
      score: Number(e.target.score.value), comment: e.target.comment.value || undefined }), say("rating_recorded")) },
      el("fieldset", {}, el("legend", { text: say("record_rating") }),
        field(say("rating_score"), select("score", Array.from({ length: me.rating_scale || 5 }, (_, i) => String((me.rating_scale || 5) - i)),
          c.agent_rating ? String(c.agent_rating.score) : String(me.rating_scale || 5), `rating_score_${me.rating_scale === 5 || !me.rating_scale ? "" : `${me.rating_scale}_`}`)),
        field(say("rating_comment"), el("textarea", { name: "comment", rows: 2, maxlength: 1000 })),
        el("button", { type: "submit", text: say("save_rating") }))));
  }
  if (c.follow_up && !c.follow_up.done_at && can("cases", "edit")) {
    actions.append(el("form", { class: "follow-up-form", onsubmit: act(c.id, (e) => post("/follow-up/done", {
      note: e.target.note.value || undefined }), say("follow_up_closed")) },
      field(say("follow_up_note"), el("textarea", { name: "note", rows: 2, maxlength: 1000 })),
      el("button", { type: "submit", text: say("follow_up_done") })));
  }
  const history = el("ol", { class: "history", "aria-label": say("history") }, view.history.map((h) => {
    const line = historyEntry(h);
    const sent = messageFiles(kbUi(), h, view.attachments);
    if (sent) line.append(sent);
    const split = splitButton(kbUi(), c, h);
    if (split) line.append(split);
    return line;
  }));
  const notices = (view.notices || []).length ? el("section", {},
    el("h2", { text: say("notices_sent") }),
    el("ul", { class: "notices" }, view.notices.map((n) => el("li", {},
      `${say(`notice_${n.event}`)} → ${say(`audience_${n.audience}`)}: ${say(`notice_status_${n.status}`)}`,
      n.deliveries.length ? ` (${n.deliveries.map((d) => `${say(`delivery_${d.channel}`)} ${d.to}${d.parts > 1 ? `, ${say("sms_parts", { n: d.parts })}` : ""}`).join("; ")})` : "")))) : null;
  const files = filesSection(kbUi(), view);
  const articles = can("knowledge", "read") ? caseArticles(kbUi(), c, replyForm, post) : null;
  const macros = can("macros", "read") && can("replies", "add") ? caseMacros(macrosUi(), c, replyForm, post) : null;
  // a merged case is read-only: it shows what it was, and where it lives on
  const working = c.status !== "merged";
  const tagsFields = working ? caseTagsFields(kbUi(), c, definitions, post) : null;
  return el("section", { class: "case-panel", "data-version": v }, header, satisfaction, tagsFields, casePeople(macrosUi(), c, post), extras,
    working ? actions : null, working ? macros : null, working ? articles : null,
    el("h2", { text: say("history") }), history, notices, files);
}

/** The case's satisfaction: the customer's rating (score, comment, when), the score an agent
 *  recorded from the phone (apart), and an open follow-up a low score put on it. */
function ratingBlock(c) {
  const line = (r) => el("li", { class: `rating r-${r.source}`, "data-score": r.score },
    say(`rating_source_${r.source}`), ": ", el("strong", { text: say("rating_of", { score: r.score, scale: r.scale }) }),
    " · ", el("time", { datetime: r.at, text: when(r.at) }),
    r.source === "agent" && r.by ? ` · ${staffName(r.by)}` : "",
    // the comment on its own line, not run on after the time ("08:35"Kargo…")
    r.comment ? el("p", { class: "rating-comment" }, el("q", { class: "body", text: r.comment })) : null);
  const ratings = [c.rating, c.agent_rating].filter(Boolean);
  const open = c.follow_up && !c.follow_up.done_at;
  if (!ratings.length && !open) return null;
  return el("section", { class: "satisfaction", "aria-label": say("satisfaction") },
    el("h2", { text: say("satisfaction") }),
    open ? el("p", { class: "flag f-follow_up", role: "note", text: say("follow_up_open", { score: c.follow_up.score }) }) : null,
    ratings.length ? el("ul", {}, ratings.map(line)) : null);
}

/** A case's rating in a short line (the customer 360's case list): "★ 4/5", and the flag. */
function ratingShort(x) {
  const parts = [];
  if (x.rating) parts.push(say("rating_short", { score: x.rating.score, scale: x.rating.scale }));
  if (x.agent_rating) parts.push(say("rating_short_agent", { score: x.agent_rating.score, scale: x.agent_rating.scale }));
  if (x.follow_up && !x.follow_up.done_at) parts.push(say("follow_up_flag"));
  return parts.length ? ` · ${parts.join(" · ")}` : "";
}

// what a history entry's data says (issue 11): a notice that bounced, files a mail
// brought that were not kept, a duplicate pre-case merged in
function entryFacts(h) {
  const d = h.data || {};
  const facts = [];
  if (h.kind === "delivery_failed") facts.push(el("p", { class: "reason late", text: say("delivery_failed_line", d) }));
  for (const f of d.files_refused || []) {
    facts.push(el("p", { class: "reason", text: say("files_refused_line", { filename: f.filename, reason: say(`file_reason_${f.reason}`) }) }));
  }
  if (d.merged_from && !d.merged_from_number) facts.push(el("p", { class: "reason", text: say("merged_from") }));
  facts.push(...mergeFacts(kbUi(), h));
  if (d.macro_id) facts.push(el("p", { class: "reason macro-line", text: say("mac_history_line", { title: d.macro_title || d.macro_id }) }));
  if (h.kind === "checklist") {
    facts.push(el("p", { class: "reason", text: say(d.done ? "checklist_ticked_line" : "checklist_unticked_line",
      { checklist: d.checklist_name || "", step: d.step_text || d.step_id }) }));
  }
  if (h.kind === "documents_sent") {
    facts.push(el("p", { class: "reason", text: say("documents_sent_line",
      { titles: (d.documents || []).map((x) => x.title).join(", "), days: d.link_days ?? "" }) }));
  }
  if (h.kind === "rated") {
    facts.push(el("p", { class: "reason", "data-score": d.score, text: [say("rated_line", {
      source: say(`rating_source_${d.source}`), score: d.score, scale: d.scale }),
      d.previous_score ? say("rated_changed", { previous: d.previous_score }) : ""].join(" ").trim() }));
  }
  return facts;
}

function warningText(w) {
  return say(`warn_${w.code}`, { ...w, reason: w.detail ? say(`file_reason_${w.detail}`) : "" });
}

// ---- history: codes and ids from the API, words and names here ------------------------------

/** One history line: what happened (its kind), who and when, the person's words, why
 *  (the reason code in words, or what a person typed) and each changed field in words. */
function historyEntry(h) {
  const a = h.actor;
  const who = a.kind === "staff" ? staffName(a.id) : a.kind === "customer" ? a.name || say("author_customer")
    : a.id === "destek" ? say("actor_system") : a.name || a.id; // a shop's backend by its name
  const changes = Object.entries(h.changes || {});
  return el("li", { class: `entry k-${h.kind} ${h.visibility === "internal" ? "internal" : ""}` },
    el("div", { class: "entry-head" },
      el("span", { class: "entry-kind", text: say(`entry_${h.kind}`) }),
      h.visibility === "internal" && h.kind === "note" ? el("span", { class: "badge", text: say("internal") }) : null,
      el("span", {}, " ", who, " · ", el("time", { datetime: h.at, text: when(h.at) }))),
    h.body ? el("p", { class: "body", text: h.body }) : null,
    ...entryFacts(h),
    h.reason_code ? el("p", { class: "reason", "data-reason": h.reason_code, text: reasonText(h.reason_code, h.data || {}) }) : null,
    h.reason ? el("p", { class: "reason typed", text: h.reason }) : null,
    changes.length ? el("p", { class: "reason changes", text: changes.map(([k, ch]) => changeText(k, ch)).join(", ") }) : null);
}

function reasonText(code, d) {
  return say(`reason_${code}`, {
    channel: d.channel ? say(`channel_${d.channel}`) : "", rule: d.rule_name || "",
    words: (d.matched || []).join(", "), days: d.days ?? "", level: d.level ?? "",
    target: d.target ? say(`target_word_${d.target}`) : "", notify: d.notify ? say(`notify_${d.notify}`) : "",
    score: d.score ?? "",
    confidence: d.confidence != null ? new Intl.NumberFormat(LANG, { style: "percent" }).format(d.confidence) : "",
  });
}

function changeText(field, change) {
  const show = (value) => (value === null || value === undefined || value === "" ? "—" : fieldValue(field, value));
  return `${fieldName(field)}: ${show(change.from)} → ${show(change.to)}`;
}

function fieldValue(field, value) {
  if (["status", "priority", "type", "channel"].includes(field)) return say(`${field}_${value}`);
  if (field === "group_id") return groupName(value);
  if (field === "assignee") return staffName(value);
  if (field === "category_id") return names.categories.get(value) || value;
  if (field.endsWith("_at")) return when(value);
  if (Array.isArray(value)) return value.length ? value.join(", ") : "—";
  if (value === true || value === false) return say(value ? "yes" : "no");
  return String(value);
}

/** The customer 360 beside a case or the customer screen; `marks`: staff's flags and note
 *  (customer_flags.js), for those with the permission. */
function customerPanel(o, caseId, marks = null) {
  if (!o) return el("aside", { class: "customer-panel" }, el("p", { text: say("no_customer") }));
  const c = o.customer;
  const warranty = (w) => w ? say(`warranty_${w.state}`, { days: w.days_left ?? "" }) : "";
  return el("aside", { class: "customer-panel", "aria-label": say("customer_360") },
    el("h2", { text: c.name }),
    o.flags.length ? el("ul", { class: "flags" }, o.flags.map((f) => el("li", { class: `flag f-${f}`, text: say(`flag_${f}`) }))) : null,
    marks,
    c.email_undeliverable && c.email_undeliverable.address === (c.email || "").toLowerCase()
      ? el("p", { class: "flag f-undeliverable", role: "note", text: say("email_undeliverable", { reason: c.email_undeliverable.reason }) }) : null,
    el("dl", { class: "facts" },
      ...[["phone", c.phone], ["email", c.email], ["customer_number", c.customer_number],
          ["membership", c.membership_tier], ["last_visit", when(c.last_visit_at)]]
        .filter(([, value]) => value)
        .flatMap(([k, value]) => [el("dt", { text: say(`c_${k}`) }), el("dd", { text: value })])),
    block(say("products"), o.registrations, (r) => `${r.product_name || r.product_id} · ${r.serial_number} · ${warranty(r.warranty)}`),
    block(say("orders"), o.orders, (x) => el("span", {}, `${x.order.order_id} · ${when(x.order.placed_at)} · ${x.order.total} ${x.order.currency}`,
      x.shipments.map(shipmentLine))),
    o.other_shipments.length ? block(say("other_shipments"), o.other_shipments, shipmentLine) : null,
    block(say("earlier_cases"), o.cases.filter((x) => x.id !== caseId), (x) => el("a", { href: `#/case/${x.id}`, text: `${x.number} · ${x.subject} · ${say(`status_${x.status}`)}${x.assignee ? ` · ${staffName(x.assignee)}` : ""}${x.order ? ` · ${say("col_order")}: ${orderRef(x.order)}` : ""}${ratingShort(x)}` })),
    block(say("calls"), o.calls, (k) => `${when(k.started_at)} · ${say(`direction_${k.direction}`)} · ${say(`outcome_${k.outcome}`)}${k.notes ? ` · ${k.notes}` : ""}`),
    block(say("chats"), o.chats, (ch) => el("details", {}, el("summary", { text: `${when(ch.started_at)} · ${ch.bot} · ${say(`chat_${ch.outcome}`)}` }),
      ch.messages.map((m) => el("p", { text: `${say(`author_${m.author}`)}: ${m.text}` })))),
    block(say("waiting_precases"), o.precases, (p) => el("a", { href: `#/precase/${p.id}`, text: `${say(`channel_${p.channel}`)} · ${p.subject}` })));
}

/** A shipment as the customer sees it on the site: the carrier's name, the tracking number
 * linked to the carrier's own page when the carrier is known, the status in words, late. */
function shipmentLine(s) {
  const key = `shipment_status_${String(s.status).toLowerCase().replace(/[\s-]+/g, "_")}`;
  return el("div", { class: "sub shipment" }, `${s.carrier_name || s.carrier} `,
    s.tracking_url ? el("a", { href: s.tracking_url, target: "_blank", rel: "noopener noreferrer", text: s.tracking_number }) : s.tracking_number,
    ` · ${T[key] || s.status}`,
    s.late ? el("span", { class: "late", text: ` · ${say("shipment_late")}` }) : null);
}

/** The order (and shipment) a case is about: "O-1 · SH-1 · Yurtiçi Kargo 1234567890". */
function orderRef(o) {
  return [o.order_id, o.shipment_id, o.carrier && `${o.carrier} ${o.tracking_number || ""}`.trim()].filter(Boolean).join(" · ");
}

function block(title, items, line) {
  return el("section", {}, el("h3", { text: title }),
    items && items.length ? el("ul", {}, items.map((item) => el("li", {}, line(item)))) : el("p", { class: "empty", text: "—" }));
}

// ---- one pre-case --------------------------------------------------------------------

async function preCaseScreen(_, id) {
  const p = await api("GET", `/precases/${encodeURIComponent(id)}`);
  const run = (fn, message) => async (event) => {
    event.preventDefault();
    try {
      const result = await fn(event);
      if (result && result.case) { location.hash = `#/case/${result.case.id}`; notice(say("converted", { number: result.case.number })); return; }
      await route();
      notice(message);
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) { await route(); problem(say("conflict")); } else problem(explain(error));
    }
  };
  const open = ["pooled", "claimed"].includes(p.status);
  return el("section", { class: "precase" },
    el("h1", { text: p.subject }),
    el("dl", { class: "facts" },
      ...[["channel", say(`channel_${p.channel}`)], ["received", when(p.received_at)],
          ["sender", p.sender.email || p.sender.handle || p.sender.name], ["status", say(`pre_${p.status}`)],
          ["assignee", staffName(p.assignee)], ["mood", p.mood ? say(`mood_${p.mood.label}`) : "—"],
          ["suggested", p.suggested_action ? say(`action_${p.suggested_action}`) : "—"]]
        .flatMap(([k, value]) => [el("dt", { text: say(`col_${k}`) }), el("dd", { text: value })])),
    p.post ? el("p", {}, el("a", { href: p.post.url, rel: "noopener noreferrer", target: "_blank", text: p.post.url })) : null,
    (p.warnings || []).length ? el("ul", { class: "warnings", role: "note" }, p.warnings.map((w) => el("li", { class: `warning w-${w.code}`, text: warningText(w) }))) : null,
    el("pre", { class: "body", text: p.text }),
    p.files.length ? el("ul", {}, p.files.map((f) => el("li", { text: `${f.filename} (${Math.ceil(f.size / 1024)} KB)` }))) : null,
    (p.messages || []).length ? el("section", {}, el("h2", { text: say("later_messages") }),
      p.messages.map((m) => el("article", { class: "later" }, el("p", { class: "entry-head", text: when(m.received_at) }),
        el("pre", { class: "body", text: m.text }),
        ...[...m.files.map((f) => el("p", { text: f.filename })), ...(m.warnings || []).map((w) => el("p", { class: "warning", text: warningText(w) }))]))) : null,
    p.case_number ? el("p", {}, el("a", { href: `#/case/${p.case_id}`, text: say("became_case", { number: p.case_number }) })) : null,
    open && can("precases", "edit") ? el("div", { class: "actions" },
      el("button", { type: "button", id: "claim-precase", onclick: run(() => api("POST", `/precases/${p.id}/claim`, { version: p.version }), say("claimed")), text: say("claim") }),
      el("form", { onsubmit: run((e) => {
        const who = e.target.customer.value.trim();
        const customer = !who ? undefined : who.includes("@") ? { email: who }
          : /^[+0-9 ()-]{7,}$/.test(who) ? { phone: who } : { customer_number: who };
        return api("POST", `/precases/${p.id}/case`, { version: p.version, type: e.target.type.value, customer });
      }) },
        field(say("col_type"), select("type", TYPES, p.case_type || "request", "type_")),
        field(say("convert_for"), el("input", { name: "customer", placeholder: p.customer_id ? say("matched_customer") : say("new_from_sender") })),
        el("button", { type: "submit", text: say("convert") })),
      el("button", { type: "button", onclick: run(() => api("POST", `/precases/${p.id}/set-aside`, { version: p.version, outcome: "spam" }), say("set_aside")), text: say("spam") }),
      el("form", { class: "duplicate-form", onsubmit: run((e) => api("POST", `/precases/${p.id}/set-aside`, { version: p.version, outcome: "duplicate", duplicate_of: e.target.duplicate_of.value.trim() }), say("merged")) },
        field(say("duplicate_of"), el("input", { name: "duplicate_of", required: true, pattern: "[0-9]{4}-[0-9]{6,}", placeholder: "2026-000123" })),
        el("button", { type: "submit", text: say("set_duplicate") })))
      : null);
}

// ---- administration ------------------------------------------------------------------
//
// Every admin form round-trips the whole object: it starts from the object as the API
// returned it, takes from the form only what the person changed, and sends everything else
// back as it was, so a field no form shows (or one the API gains later) survives every
// edit. Only the path's key and the server's own bookkeeping stay out of the body: the API
// refuses a field its PUT does not take (tests/integration/test_admin_round_trip.py, OWNED).
// Choices (types, priorities, customer categories, roles...) are the codes of GET /vocabulary.

const SERVER_OWNED = {
  rule: ["id"], policy: ["id"], ladder: ["id"], calendar: ["id"], group: ["id", "last_assigned"],
  staff: ["username", "email_notices"], role: ["name"], category: ["id", "path", "children"],
};

const ADMIN_SECTIONS = [
  ["rules", "routing_rules"], ["roles", "roles"], ["staff", "staff"], ["groups", "groups"],
  ["categories", "categories"], ["sla", "sla"], ["ladders", "sla"], ["calendars", "sla"], ["priorities", "sla"],
  ["catalog", "products"], ["flags", "customer_flags"], ["fields", "case_fields"], ["learning", "routing_rules"],
];

async function admin(_, section) {
  const allowed = ADMIN_SECTIONS.filter(([, resource]) => can(resource, "read"));
  const current = section || (allowed[0] && allowed[0][0]);
  const tabs = el("nav", { class: "tabs", "aria-label": say("nav_admin") }, allowed.map(([name]) =>
    el("a", { href: `#/admin/${name}`, "aria-current": name === current ? "page" : null, text: say(`admin_${name}`) })));
  const render = { rules: adminRules, roles: adminRoles, staff: adminStaff, groups: adminGroups,
                   categories: adminCategories, sla: adminPolicies, ladders: adminLadders,
                   calendars: adminCalendars, priorities: adminPriorities,
                   catalog: () => catalogAdmin(adminUi()), flags: () => flagListAdmin(adminUi()),
                   fields: () => caseFieldsAdmin(adminUi()), learning: () => learningAdmin(adminUi()) }[current];
  return [el("h1", { text: say("title_admin") }), tabs, render ? await render() : null];
}

/** What the admin modules (catalog_admin.js, sla_preview.js) may use: reportsUi's helpers, the
 *  vocabulary, a select over codes, a form's refusals shown next to its fields, and a submit
 *  that reloads the screen after a write (and after a version conflict, saying so). */
const adminUi = () => ({
  ...reportsUi(), choice, notice, vocab: VOCAB, fieldProblems,
  submit: (run, message) => async (event) => {
    event.preventDefault();
    const form = event.target.closest("form");
    try {
      await run(event);
      await route();
      notice(message || say("saved"));
    } catch (error) {
      if (error instanceof ApiError && error.code === "version_conflict") {
        await route();
        problem(say("admin_conflict"));
      } else fieldProblems(form, error);
    }
  },
});

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

function roundTrip(kind, original, changes) {
  const body = original ? structuredClone(original) : {};
  for (const key of SERVER_OWNED[kind]) delete body[key];
  return { ...body, ...changes };
}

// What a control gives the body: the object's own value while the person left the control as
// shown (so a number or a time is never rewritten in another spelling), else its value parsed.
function kept(control, original, parse = (v) => v) {
  let untouched;
  if (control.type === "checkbox") untouched = control.checked === control.defaultChecked;
  else if (control.tagName === "SELECT") {
    const initial = [...control.options].find((o) => o.defaultSelected) || control.options[0];
    untouched = control.value === (initial ? initial.value : "");
  } else untouched = control.value === control.defaultValue;
  if (untouched && original !== undefined) return original;
  return parse(control.type === "checkbox" ? control.checked : control.value);
}

// A list shown as checkboxes: as it was while no box changed; else what is ticked, where what
// was already there keeps its place (a group's member order is its round-robin order) and a
// value with no box of its own stays.
function keptList(form, name, original, parse = (v) => v) {
  const boxes = [...form.querySelectorAll(`input[type=checkbox][data-list="${name}"]`)];
  if (original !== undefined && boxes.every((b) => b.checked === b.defaultChecked)) return original;
  const shown = boxes.map((b) => b.dataset.value);
  const ticked = boxes.filter((b) => b.checked).map((b) => b.dataset.value);
  const before = (original || []).filter((v) => ticked.includes(String(v)) || !shown.includes(String(v)));
  return [...before, ...ticked.filter((v) => !before.some((b) => String(b) === v)).map(parse)];
}

function checkList(name, legend, values, chosen, wordOf) {
  const has = (v) => (chosen || []).some((c) => String(c) === String(v));
  return el("fieldset", { class: "checks" }, el("legend", { text: legend }),
    values.map((v) => el("label", {}, el("input", { type: "checkbox", "data-list": name, "data-value": v, checked: has(v) }), ` ${wordOf(v)}`)));
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

function labelled(control, text) {
  control.setAttribute("aria-label", text);
  return control;
}

const orNull = (v) => (v.trim() === "" ? null : v.trim());
const numberOrNull = (v) => (v.trim() === "" ? null : Number(v));
const csv = (text) => text.split(",").map((x) => x.trim()).filter(Boolean);
// A rule's match modes from its two lists (phrases named in neither match any derived form);
// the rule's own while the person left both lists as they were.
function matchModes(get, original) {
  const exact = get("exact_words"), inflected = get("inflected_words");
  if (exact.value === exact.defaultValue && inflected.value === inflected.defaultValue) return original || {};
  const modes = {};
  csv(inflected.value).forEach((p) => { modes[p] = "inflected"; });
  csv(exact.value).forEach((p) => { modes[p] = "exact"; });
  return modes;
}
// A rule's never-trigger words per keyword, one line each in the form: "gönderi: gönderin,
// gönderir". A line without a colon names a keyword with no words; the API refuses a name that
// is not one of the rule's phrases (422 unknown_phrase, shown at the field).
const notWordsText = (map) => Object.entries(map || {}).map(([phrase, words]) => `${phrase}: ${words.join(", ")}`).join("\n");
function notWordsOf(text) {
  const found = {};
  for (const line of text.split("\n").map((l) => l.trim()).filter(Boolean)) {
    const at = line.lastIndexOf(":");
    const phrase = (at < 0 ? line : line.slice(0, at)).trim();
    found[phrase] = [...(found[phrase] || []), ...csv(at < 0 ? "" : line.slice(at + 1))];
  }
  return found;
}
const withMode = (modes, mode) => Object.keys(modes || {}).filter((p) => modes[p] === mode).join(", ");
const editing = () => new URLSearchParams(location.hash.split("?")[1] || "").get("edit");
const named = (form) => (name) => form.elements.namedItem(name);

function flatCategories(tree) {
  const flat = [];
  const walk = (nodes, depth) => nodes.forEach((n) => { flat.push([n, depth]); walk(n.children, depth + 1); });
  walk(tree, 0);
  return flat;
}

function categorySelect(name, flat, current, none, leaveOut = () => false) {
  const shown = flat.filter(([n]) => !leaveOut(n));
  const words = Object.fromEntries(shown.map(([n, depth]) => [n.id, `${"· ".repeat(depth)}${n.name}`]));
  return choice(name, shown.map(([n]) => n.id), current, (id) => words[id], none);
}

function saved(run, message) {
  return async (event) => {
    event.preventDefault();
    try {
      await run(event);
      await loadNames(); // a group, user or category may have a new name
      await route();
      notice(message || say("saved"));
    } catch (error) {
      if (error instanceof ApiError && error.code === "version_conflict") {
        await route();
        problem(say("admin_conflict"));
      } else {
        const form = event.target.closest("form");
        if (form) fieldProblems(form, error); // each field the refusal names, marked there
        else problem(explain(error));
      }
    }
  };
}

function deleteButton(path, back) {
  return el("button", { type: "button", class: "danger", text: say("delete"),
    onclick: saved(() => api("DELETE", path).then(() => { location.hash = back; }), say("deleted")) });
}

const typeWord = (t) => say(`type_${t}`);
const customerCategoryWord = (c) => say(`customer_category_${c}`);

// Conditions (domain/conditions.py): `{field, operator, value}`, all must hold. The forms show
// the usual ones as fields; a condition a form has no field for goes back as it was.
const conditionValue = (list, field, operator) =>
  ((list || []).find((c) => c.field === field && c.operator === operator) || {}).value;

// `list` with each [field, operator, value] set in place (added at the end when new); an empty
// value (null, "", []) removes that condition
function withConditions(list, changes) {
  const out = structuredClone(list || []);
  for (const [field, operator, value] of changes) {
    const at = out.findIndex((c) => c.field === field && c.operator === operator);
    const empty = value === null || value === undefined || value === "" || (Array.isArray(value) && !value.length);
    if (empty) { if (at >= 0) out.splice(at, 1); } else if (at >= 0) out[at] = { ...out[at], value };
    else out.push({ field, operator, value });
  }
  return out;
}

// one condition in words: the usual ones as the lists always said them ("Şikâyet / Soru",
// "K altında"), any other as "{field} {operator} {value}" from the strings files
function conditionWords(c, names) {
  const word = {
    type: typeWord, priority: (p) => say(`priority_${p}`), customer_category: customerCategoryWord,
    channel: (v) => say(`channel_${v}`), status: (v) => say(`status_${v}`),
    category: names.category || String, group: names.group || String,
  }[c.field] || String;
  const value = (Array.isArray(c.value) ? c.value : [c.value]).map(word).join(" / ");
  const plain = { is: true, in: true }[c.operator] && ["type", "priority", "customer_category", "group"].includes(c.field);
  if (plain) return value;
  if (c.field === "category" && c.operator === "within") return say("limit_under", { category: value });
  if (c.field === "product_group" && c.operator === "is") return say("limit_product_group", { group: value });
  const field = c.field === "custom_field" ? c.key : say(`cond_field_${c.field}`);
  return say(`cond_op_${c.operator}`, { field, value });
}

const conditionsWords = (list, names, none = say("limit_none")) =>
  (list || []).map((c) => conditionWords(c, names)).join(" · ") || none;

// the [field, operator] pairs each form has a field for
const RULE_FORM_CONDITIONS = [["type", "in"], ["category", "within"], ["product_group", "is"], ["customer_category", "is"]];
const POLICY_FORM_CONDITIONS = [["type", "is"], ["category", "within"], ["priority", "is"], ["customer_category", "is"]];
const LADDER_FORM_CONDITIONS = [["group", "is"], ["category", "within"]];

// the conditions a form has no field for, in words, so the admin sees what else applies
function otherConditions(list, shown, names) {
  const others = (list || []).filter((c) => !shown.some(([f, op]) => c.field === f && c.operator === op));
  if (!others.length) return null;
  return el("p", { class: "other-conditions" }, `${say("other_conditions")}: `, others.map((c) => conditionWords(c, names)).join(" · "));
}

async function adminRules() {
  const [rules, groups, tree, products] = await Promise.all([
    api("GET", "/routing-rules"), api("GET", "/groups"), api("GET", "/categories"),
    can("products", "read") ? api("GET", "/product-categories") : Promise.resolve([])]);
  const flat = flatCategories(tree);
  const categoryName = (id) => ((flat.find(([n]) => n.id === id) || [])[0] || {}).name || id;
  const groupName = (id) => (groups.find((g) => g.id === id) || {}).name || id;
  const rule = rules.find((r) => r.id === editing()) || null;
  const editable = can("routing_rules", "edit");
  const limits = (r) => conditionsWords(r.conditions, { category: categoryName, group: groupName });
  const table = el("table", { class: "list" },
    el("thead", {}, el("tr", {}, ["order", "name", "phrases", "when", "group", "enabled"].map((k) => el("th", { scope: "col", text: say(`rule_${k}`) })))),
    el("tbody", {}, rules.map((r) => el("tr", {},
      el("td", { text: r.order }),
      el("td", {}, editable ? el("a", { href: `#/admin/rules?edit=${r.id}`, text: r.name }) : r.name),
      el("td", { text: r.phrases.join(", ") }), el("td", { class: "limits", text: limits(r) }),
      el("td", { text: groupName(r.group_id) }), el("td", { text: r.enabled ? say("yes") : say("no") })))));
  const o = rule || {};
  const was = (field, operator) => conditionValue(o.conditions, field, operator);
  const form = editable ? el("form", { id: "rule-form", onsubmit: saved((e) => {
    const get = named(e.target);
    const body = roundTrip("rule", rule, {
      name: kept(get("name"), o.name), phrases: kept(get("phrases"), o.phrases, csv),
      match_modes: matchModes(get, o.match_modes), not_words: kept(get("not_words"), o.not_words || {}, notWordsOf),
      group_id: kept(get("group_id"), o.group_id), set_category_id: kept(get("set_category_id"), o.set_category_id, orNull),
      order: kept(get("order"), o.order, Number), priority_bump: kept(get("priority_bump"), o.priority_bump, Number),
      enabled: kept(get("enabled"), o.enabled),
      conditions: withConditions(o.conditions, [
        ["type", "in", keptList(e.target, "case_types", was("type", "in"))],
        ["category", "within", kept(get("category_id"), was("category", "within"), orNull)],
        ["product_group", "is", kept(get("product_group"), was("product_group", "is"), orNull)],
        ["customer_category", "is", kept(get("customer_category"), was("customer_category", "is"), orNull)]]) });
    return rule ? api("PUT", `/routing-rules/${rule.id}`, body) : api("POST", "/routing-rules", body);
  }, say("rule_saved")) },
    el("h2", { text: rule ? say("rule_edit", { name: rule.name }) : say("rule_new") }),
    field(say("rule_name"), el("input", { name: "name", required: true, value: o.name || "" })),
    field(say("rule_phrases"), el("input", { name: "phrases", required: true, value: (o.phrases || []).join(", ") })),
    field(say("rule_exact_words"), el("input", { name: "exact_words", value: withMode(o.match_modes, "exact") })),
    field(say("rule_inflected_words"), el("input", { name: "inflected_words", value: withMode(o.match_modes, "inflected") })),
    field(say("rule_not_words"), el("textarea", { name: "not_words", rows: 3, text: notWordsText(o.not_words) })),
    field(say("rule_group"), choice("group_id", groups.map((g) => g.id), o.group_id, groupName)),
    field(say("rule_category"), categorySelect("set_category_id", flat, o.set_category_id, say("rule_no_category"))),
    field(say("rule_order"), el("input", { name: "order", type: "number", min: 0, max: 100000, value: rule ? rule.order : 100 })),
    field(say("rule_bump"), choice("priority_bump", VOCAB.priority_bumps, rule ? rule.priority_bump : 0, (n) => say(`bump_${n}`))),
    el("label", {}, el("input", { type: "checkbox", name: "enabled", checked: rule ? rule.enabled : true }), ` ${say("rule_enabled")}`),
    el("fieldset", { class: "limits" }, el("legend", { text: say("rule_limits") }),
      checkList("case_types", say("rule_case_types"), VOCAB.case_types, was("type", "in"), typeWord),
      field(say("rule_within_category"), categorySelect("category_id", flat, was("category", "within"), say("any"))),
      field(say("rule_product_group"), el("input", { name: "product_group", list: "product-groups", value: was("product_group", "is") || "" })),
      el("datalist", { id: "product-groups" }, products.map((p) => el("option", { value: p.id, text: LANG === "en" && p.name_en ? p.name_en : p.name }))),
      field(say("rule_customer_category"), choice("customer_category", VOCAB.customer_categories, was("customer_category", "is"), customerCategoryWord, say("any"))),
      otherConditions(o.conditions, RULE_FORM_CONDITIONS, { category: categoryName, group: groupName })),
    el("button", { type: "submit", text: say("save") }),
    rule ? deleteButton(`/routing-rules/${rule.id}`, "#/admin/rules") : null)
    : null;
  const result = el("div", { id: "route-result", role: "status", "aria-live": "polite" });
  const tester = el("form", { id: "rule-test", onsubmit: async (e) => {
    e.preventDefault();
    try {
      const d = await api("POST", "/routing-rules/test", { text: e.target.sample.value });
      result.replaceChildren(el("p", {}, el("strong", { text: say("would_go", { group: groupName(d.group_id) }) })),
        el("p", { text: d.rule_name ? say("by_rule", { rule: d.rule_name, words: d.matched.join(", ") }) : say("by_default") }),
        el("p", { class: "reason", text: `${say("col_priority")}: ${say(`priority_${d.priority}`)}` }));
    } catch (error) { problem(explain(error)); }
  } }, el("h2", { text: say("try_sample") }),
    field(say("sample_text"), el("textarea", { name: "sample", rows: 3, required: true })),
    el("button", { type: "submit", text: say("where_would_it_go") }));
  return [table, form, tester, result];
}

async function adminRoles() {
  const roles = await api("GET", "/roles");
  const chosen = new URLSearchParams(location.hash.split("?")[1] || "").get("role") || "agent";
  const role = roles.find((r) => r.name === chosen) || roles[0];
  const resources = VOCAB.permission_resources;
  const actions = VOCAB.permission_actions;
  const editable = can("roles", "edit");
  return [el("nav", { class: "tabs" }, roles.map((r) => el("a", { href: `#/admin/roles?role=${r.name}`, "aria-current": r.name === role.name ? "page" : null, text: say(`role_${r.name}`) }))),
    el("form", { id: "role-form", onsubmit: saved((e) => {
      const permissions = structuredClone(role.permissions);
      for (const res of resources) {
        const boxes = actions.map((a) => named(e.target)(`${res}:${a}`));
        if (boxes.every((b) => b.checked === b.defaultChecked)) continue;
        const allowed = actions.filter((a, i) => boxes[i].checked);
        if (allowed.length || res in permissions) permissions[res] = allowed;
      }
      const access = caseAccessOf(e.target);
      return api("PUT", `/roles/${role.name}`, roundTrip("role", role, { permissions, ...(access ? { case_access: access } : {}) }));
    }) },
      el("table", { class: "list" }, el("thead", {}, el("tr", {}, el("th", { text: say("resource") }), actions.map((a) => el("th", { scope: "col", text: say(`action_${a}`) })))),
        el("tbody", {}, resources.map((res) => el("tr", {}, el("th", { scope: "row", text: say(`resource_${res}`) }),
          actions.map((a) => el("td", {}, el("input", { type: "checkbox", name: `${res}:${a}`, disabled: !editable,
            checked: (role.permissions[res] || []).includes(a), "aria-label": `${say(`resource_${res}`)} ${say(`action_${a}`)}` }))))))),
      role.case_access && role.name !== "customer" ? caseAccessFields(role.case_access, editable) : null,
      editable ? el("button", { type: "submit", text: say("save") }) : null)];
}

// which groups' cases a role reaches (GET /roles: case_access), read and change apart
function caseAccessFields(access, editable) {
  const scope = (name) => {
    const control = select(`case_access_${name}`, ["all", "own"], access[name], "scope_");
    control.disabled = !editable;
    return field(say(`case_access_${name}`), control);
  };
  return el("fieldset", { class: "case-access" }, el("legend", { text: say("case_access") }), scope("read"), scope("change"));
}

function caseAccessOf(form) {
  const read = form.elements.case_access_read, change = form.elements.case_access_change;
  return read && change ? { read: read.value, change: change.value } : undefined;
}

async function adminStaff() {
  const staff = await api("GET", "/staff");
  const member = staff.find((m) => m.username === editing()) || null;
  const o = member || {};
  const editable = can("staff", "edit");
  const roleWord = (r) => say(`role_${r}`);
  return [el("table", { class: "list" },
    el("thead", {}, el("tr", {}, ["username", "name", "email", "roles", "on_shift"].map((k) => el("th", { scope: "col", text: say(`staff_${k}`) })))),
    el("tbody", {}, staff.map((m) => el("tr", {},
      el("td", {}, editable ? el("a", { href: `#/admin/staff?edit=${m.username}`, text: m.username }) : m.username),
      el("td", { text: m.name }), el("td", { text: m.email || "" }),
      el("td", { text: m.roles.map(roleWord).join(", ") }), el("td", { text: m.on_shift ? say("yes") : say("no") }))))),
    editable ? el("form", { id: "staff-form", onsubmit: saved((e) => {
      const get = named(e.target);
      const username = member ? member.username : get("username").value.trim();
      return api("PUT", `/staff/${encodeURIComponent(username)}`, roundTrip("staff", member, {
        name: kept(get("name"), o.name), email: kept(get("email"), o.email, orNull),
        on_shift: kept(get("on_shift"), o.on_shift), language: kept(get("language"), o.language), roles: keptList(e.target, "roles", o.roles) }));
    }) },
      el("h2", { text: member ? member.username : say("staff_new") }),
      field(say("staff_username"), el("input", { name: "username", required: true, value: o.username || "", readonly: Boolean(member) })),
      field(say("staff_name"), el("input", { name: "name", required: true, value: o.name || "" })),
      field(say("staff_email"), el("input", { name: "email", type: "email", value: o.email || "" })),
      checkList("roles", say("staff_roles"), VOCAB.staff_roles, member ? member.roles : [VOCAB.staff_roles[0]], roleWord),
      el("label", {}, el("input", { type: "checkbox", name: "on_shift", checked: member ? member.on_shift : true }), ` ${say("staff_on_shift")}`),
      field(say("staff_language"), el("select", { name: "language" }, VOCAB.languages.map((l) =>
        el("option", { value: l, selected: (member ? member.language : LANG) === l, text: say(`lang_${l}`) })))),
      el("button", { type: "submit", text: say("save") })) : null];
}

async function adminGroups() {
  const [groups, staff, calendars] = await Promise.all([api("GET", "/groups"), api("GET", "/staff"),
    can("sla", "read") ? api("GET", "/calendars") : Promise.resolve([])]);
  const group = groups.find((g) => g.id === editing()) || null;
  const o = group || {};
  const editable = can("groups", "edit");
  const person = (username) => { const m = staff.find((s) => s.username === username); return m ? `${m.name} (${username})` : username; };
  const calendarName = (id) => (calendars.find((c) => c.id === id) || {}).name || id;
  const usernames = staff.map((m) => m.username);
  return [el("table", { class: "list" },
    el("thead", {}, el("tr", {}, ["id", "name", "members", "supervisors", "auto_assign", "arrivals", "default"].map((k) => el("th", { scope: "col", text: say(`group_${k}`) })))),
    el("tbody", {}, groups.map((g) => el("tr", {},
      el("td", {}, editable ? el("a", { href: `#/admin/groups?edit=${g.id}`, text: g.id }) : g.id),
      el("td", { text: g.name }), el("td", { text: g.members.map(person).join(", ") }), el("td", { text: g.supervisors.map(person).join(", ") }),
      el("td", { text: say(`auto_${g.auto_assign || "none"}`) }),
      el("td", { text: g.arrivals === "digest" ? `${say("arrivals_digest")} · ${say(`digest_minutes_${g.digest_minutes}`)}` : say(`arrivals_${g.arrivals}`) }),
      el("td", { text: g.is_default ? say("yes") : "" }))))),
    editable ? el("form", { id: "group-form", onsubmit: saved((e) => {
      const get = named(e.target);
      const id = group ? group.id : get("id").value.trim();
      return api("PUT", `/groups/${encodeURIComponent(id)}`, roundTrip("group", group, {
        name: kept(get("name"), o.name), members: keptList(e.target, "members", o.members),
        supervisors: keptList(e.target, "supervisors", o.supervisors), is_default: kept(get("is_default"), o.is_default),
        auto_assign: kept(get("auto_assign"), o.auto_assign, orNull), calendar_id: kept(get("calendar_id"), o.calendar_id, orNull),
        arrivals: kept(get("arrivals"), o.arrivals), digest_minutes: kept(get("digest_minutes"), o.digest_minutes, Number) }));
    }) },
      el("h2", { text: group ? group.name : say("group_new") }),
      field(say("group_id"), el("input", { name: "id", required: true, value: o.id || "", readonly: Boolean(group) })),
      field(say("group_name"), el("input", { name: "name", required: true, value: o.name || "" })),
      checkList("members", say("group_members"), usernames, o.members, person),
      checkList("supervisors", say("group_supervisors"), usernames, o.supervisors, person),
      field(say("group_auto_assign"), choice("auto_assign", VOCAB.auto_assign, o.auto_assign, (m) => say(`auto_${m}`), say("auto_none"))),
      field(say("group_arrivals"), choice("arrivals", VOCAB.arrivals, o.arrivals || "digest", (m) => say(`arrivals_${m}`))),
      field(say("group_digest_minutes"), choice("digest_minutes", VOCAB.digest_minutes, o.digest_minutes || 15, (m) => say(`digest_minutes_${m}`))),
      field(say("group_calendar"), choice("calendar_id", calendars.map((c) => c.id), o.calendar_id, calendarName, say("group_default_calendar"))),
      el("label", {}, el("input", { type: "checkbox", name: "is_default", checked: Boolean(o.is_default) }), ` ${say("group_default")}`),
      el("button", { type: "submit", text: say("save") })) : null];
}

async function adminCategories() {
  const flat = flatCategories(await api("GET", "/categories"));
  const editable = can("categories", "edit");
  const category = (flat.find(([n]) => n.id === editing()) || [])[0] || null;
  const editForm = category && editable ? el("form", { id: "category-edit", onsubmit: saved((e) => {
    const get = named(e.target);
    return api("PUT", `/categories/${category.id}`, roundTrip("category", category, {
      name: kept(get("name"), category.name), parent_id: kept(get("parent_id"), category.parent_id, orNull) }));
  }) },
    el("h2", { text: say("category_edit", { name: category.name }) }),
    field(say("category_name"), el("input", { name: "name", required: true, value: category.name })),
    // a category cannot go under itself or anything under it
    field(say("category_parent"), categorySelect("parent_id", flat, category.parent_id, say("category_top"), (n) => n.path.includes(category.id))),
    el("button", { type: "submit", text: say("save") })) : null;
  return [el("ul", { class: "tree" }, flat.map(([n, depth]) => el("li", { class: `depth-${Math.min(depth, 5)}` },
      editable ? el("a", { href: `#/admin/categories?edit=${n.id}`, text: n.name }) : n.name))),
    editForm,
    can("categories", "add") ? el("form", { id: "category-form", onsubmit: saved((e) =>
      api("POST", "/categories", { name: e.target.elements.namedItem("name").value, parent_id: orNull(e.target.elements.namedItem("parent").value) })) },
      el("h2", { text: say("category_new") }),
      field(say("category_name"), el("input", { name: "name", required: true })),
      field(say("category_parent"), categorySelect("parent", flat, null, say("category_top"))),
      el("button", { type: "submit", text: say("add") })) : null];
}

function adminPriorities() {
  return el("ul", {}, [...VOCAB.priorities].reverse().map((p) =>
    el("li", {}, el("strong", { class: `p-${p}`, text: say(`priority_${p}`) }), ` — ${say(`priority_about_${p}`)}`)));
}

async function adminPolicies() {
  const [policies, tree] = await Promise.all([api("GET", "/sla-policies"), api("GET", "/categories")]);
  const flat = flatCategories(tree);
  const categoryName = (id) => ((flat.find(([n]) => n.id === id) || [])[0] || {}).name || id;
  const policy = policies.find((p) => p.id === editing()) || null;
  const o = policy || {};
  const editable = can("sla", "edit");
  const when = (p) => conditionsWords(p.conditions, { category: categoryName });
  const minutes = (m) => (m === null || m === undefined ? "—" : say("n_minutes", { n: m }));
  const table = el("table", { class: "list" },
    el("thead", {}, el("tr", {}, ["order", "name", "when", "first_response", "resolution", "hours", "enabled"].map((k) => el("th", { scope: "col", text: say(`policy_${k}`) })))),
    el("tbody", {}, policies.map((p) => el("tr", {},
      el("td", { text: p.order }),
      el("td", {}, editable ? el("a", { href: `#/admin/sla?edit=${p.id}`, text: p.name }) : p.name),
      el("td", { text: when(p) }), el("td", { text: minutes(p.first_response_minutes) }), el("td", { text: minutes(p.resolution_minutes) }),
      el("td", { text: say(`hours_${p.hours}`) }), el("td", { text: p.enabled ? say("yes") : say("no") })))));
  // the preview may take the form's values as they are now, unsaved
  const preview = await slaPreview(adminUi(), policies, policy, editable ? () => bodyOf(form) : null);
  if (!editable) return [table, preview];
  const was = (field, operator) => conditionValue(o.conditions, field, operator);
  const bodyOf = (target) => {
    const get = named(target);
    return roundTrip("policy", policy, {
      name: kept(get("name"), o.name), order: kept(get("order"), o.order, Number), enabled: kept(get("enabled"), o.enabled),
      conditions: withConditions(o.conditions, [
        ["type", "is", kept(get("case_type"), was("type", "is"), orNull)],
        ["category", "within", kept(get("category_id"), was("category", "within"), orNull)],
        ["priority", "is", kept(get("priority"), was("priority", "is"), orNull)],
        ["customer_category", "is", kept(get("customer_category"), was("customer_category", "is"), orNull)]]),
      first_response_minutes: kept(get("first_response_minutes"), o.first_response_minutes, numberOrNull),
      resolution_minutes: kept(get("resolution_minutes"), o.resolution_minutes, numberOrNull),
      hours: kept(get("hours"), o.hours), remind_at: kept(get("remind_at"), o.remind_at, Number) });
  };
  const form = el("form", { id: "policy-form", onsubmit: saved((e) => {
    const body = bodyOf(e.target);
    return policy ? api("PUT", `/sla-policies/${policy.id}`, body) : api("POST", "/sla-policies", body);
  }) },
    el("h2", { text: policy ? say("policy_edit", { name: policy.name }) : say("policy_new") }),
    field(say("policy_name"), el("input", { name: "name", required: true, value: o.name || "" })),
    field(say("policy_order"), el("input", { name: "order", type: "number", min: 0, max: 100000, value: policy ? policy.order : 100 })),
    el("label", {}, el("input", { type: "checkbox", name: "enabled", checked: policy ? policy.enabled : true }), ` ${say("policy_enabled")}`),
    el("fieldset", { class: "limits" }, el("legend", { text: say("policy_limits") }),
      field(say("col_type"), choice("case_type", VOCAB.case_types, was("type", "is"), typeWord, say("any"))),
      field(say("rule_within_category"), categorySelect("category_id", flat, was("category", "within"), say("any"))),
      field(say("col_priority"), choice("priority", VOCAB.priorities, was("priority", "is"), (p) => say(`priority_${p}`), say("any"))),
      field(say("rule_customer_category"), choice("customer_category", VOCAB.customer_categories, was("customer_category", "is"), customerCategoryWord, say("any"))),
      otherConditions(o.conditions, POLICY_FORM_CONDITIONS, { category: categoryName })),
    field(say("policy_first_response_minutes"), el("input", { name: "first_response_minutes", type: "number", min: 0.01, step: "any", value: o.first_response_minutes ?? "" })),
    field(say("policy_resolution_minutes"), el("input", { name: "resolution_minutes", type: "number", min: 0.01, step: "any", value: o.resolution_minutes ?? "" })),
    field(say("policy_hours"), choice("hours", VOCAB.sla_hours, o.hours || VOCAB.sla_hours[0], (h) => say(`hours_${h}`))),
    field(say("policy_remind_at"), el("input", { name: "remind_at", type: "number", min: 0.01, max: 0.99, step: "any", value: o.remind_at ?? 0.75 })),
    el("button", { type: "submit", text: say("save") }),
    policy ? deleteButton(`/sla-policies/${policy.id}`, "#/admin/sla") : null);
  return [table, form, preview];
}

async function adminLadders() {
  const [ladders, groups, tree] = await Promise.all([api("GET", "/escalation-ladders"), api("GET", "/groups"), api("GET", "/categories")]);
  const flat = flatCategories(tree);
  const groupName = (id) => (groups.find((g) => g.id === id) || {}).name || id;
  const ladder = ladders.find((l) => l.id === editing()) || null;
  const o = ladder || {};
  const editable = can("sla", "edit");
  const audience = (a) => say(`notify_${a}`);
  const categoryName = (id) => ((flat.find(([n]) => n.id === id) || [])[0] || {}).name || id;
  // a category's ladder beats its group's, which beats the catch-all (domain/sla.choose_ladder)
  const appliesTo = (l) => conditionsWords(l.conditions, { category: categoryName, group: groupName }, say("ladder_catch_all"));
  const was = (field, operator) => conditionValue(o.conditions, field, operator);
  const steps = (l) => l.levels.map((v) => say("ladder_step", { n: v.after_minutes, who: audience(v.notify) })).join(" → ");
  const table = el("table", { class: "list" },
    el("thead", {}, el("tr", {}, ["name", "when", "levels"].map((k) => el("th", { scope: "col", text: say(`ladder_${k}`) })))),
    el("tbody", {}, ladders.map((l) => el("tr", {},
      el("td", {}, editable ? el("a", { href: `#/admin/ladders?edit=${l.id}`, text: l.name }) : l.name),
      el("td", { text: appliesTo(l) }), el("td", { text: steps(l) })))));
  if (!editable) return table;
  const levels = o.levels || [];
  const rows = [...levels, ...(levels.length < 5 ? [null] : [])];
  const form = el("form", { id: "ladder-form", onsubmit: saved((e) => {
    const get = named(e.target);
    const chosenLevels = [];
    rows.forEach((level, i) => {
      const at = (n) => get(`level${i}_${n}`);
      if (level && at("remove").checked) return;
      if (!level && at("after_minutes").value.trim() === "") return;
      const was = level || {};
      chosenLevels.push({ ...structuredClone(was), after_minutes: kept(at("after_minutes"), was.after_minutes, Number),
        notify: kept(at("notify"), was.notify), emails: kept(at("emails"), was.emails, csv),
        raise_priority: kept(at("raise_priority"), was.raise_priority) });
    });
    const body = roundTrip("ladder", ladder, {
      name: kept(get("name"), o.name), levels: chosenLevels,
      conditions: withConditions(o.conditions, [
        ["group", "is", kept(get("group_id"), was("group", "is"), orNull)],
        ["category", "within", kept(get("category_id"), was("category", "within"), orNull)]]) });
    return ladder ? api("PUT", `/escalation-ladders/${ladder.id}`, body) : api("POST", "/escalation-ladders", body);
  }) },
    el("h2", { text: ladder ? say("ladder_edit", { name: ladder.name }) : say("ladder_new") }),
    field(say("ladder_name"), el("input", { name: "name", required: true, value: o.name || "" })),
    field(say("ladder_group"), choice("group_id", groups.map((g) => g.id), was("group", "is"), groupName, say("any"))),
    field(say("ladder_category"), categorySelect("category_id", flat, was("category", "within"), say("any"))),
    otherConditions(o.conditions, LADDER_FORM_CONDITIONS, { category: categoryName, group: groupName }),
    el("table", { class: "list levels" },
      el("caption", { text: say("ladder_levels") }),
      el("thead", {}, el("tr", {}, ["after_minutes", "notify", "emails", "raise_priority", "remove"].map((k) => el("th", { scope: "col", text: say(`level_${k}`) })))),
      el("tbody", {}, rows.map((level, i) => {
        const v = level || {};
        const label = (k) => `${say("level_n", { n: i + 1 })} ${say(`level_${k}`)}`;
        return el("tr", {},
          el("td", {}, el("input", { name: `level${i}_after_minutes`, type: "number", min: 0, max: 43200, value: v.after_minutes ?? "", "aria-label": label("after_minutes") })),
          el("td", {}, labelled(choice(`level${i}_notify`, VOCAB.escalation_audiences, v.notify || VOCAB.escalation_audiences[0], audience), label("notify"))),
          el("td", {}, el("input", { name: `level${i}_emails`, value: (v.emails || []).join(", "), "aria-label": label("emails") })),
          el("td", {}, el("input", { type: "checkbox", name: `level${i}_raise_priority`, checked: Boolean(v.raise_priority), "aria-label": label("raise_priority") })),
          el("td", {}, level ? el("input", { type: "checkbox", name: `level${i}_remove`, "aria-label": label("remove") }) : null));
      }))),
    el("button", { type: "submit", text: say("save") }),
    ladder ? deleteButton(`/escalation-ladders/${ladder.id}`, "#/admin/ladders") : null);
  return [table, form];
}

async function adminCalendars() {
  const calendars = await api("GET", "/calendars");
  const calendar = calendars.find((c) => c.id === editing()) || null;
  const o = calendar || {};
  const editable = can("sla", "edit");
  const day = (d) => say(`weekday_${d}`);
  const table = el("table", { class: "list" },
    el("thead", {}, el("tr", {}, ["id", "name", "days", "hours", "holidays"].map((k) => el("th", { scope: "col", text: say(`calendar_${k}`) })))),
    el("tbody", {}, calendars.map((c) => el("tr", {},
      el("td", {}, editable ? el("a", { href: `#/admin/calendars?edit=${c.id}`, text: c.id }) : c.id),
      el("td", { text: c.name }), el("td", { text: c.weekdays.map(day).join(", ") }),
      el("td", { text: [`${c.opens.slice(0, 5)}–${c.closes.slice(0, 5)} (${c.timezone})`,
        ...Object.entries(c.day_hours || {}).map(([d, h]) => `${day(d)} ${h.opens.slice(0, 5)}–${h.closes.slice(0, 5)}`)].join(" · ") }),
      el("td", { text: c.observe_holidays ? say("yes") : say("no") })))));
  if (!editable) return table;
  const zones = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  const form = el("form", { id: "calendar-form", onsubmit: saved((e) => {
    const get = named(e.target);
    const id = calendar ? calendar.id : get("id").value.trim();
    return api("PUT", `/calendars/${encodeURIComponent(id)}`, roundTrip("calendar", calendar, {
      name: kept(get("name"), o.name), timezone: kept(get("timezone"), o.timezone, (v) => v.trim()),
      weekdays: keptList(e.target, "weekdays", o.weekdays, Number), opens: kept(get("opens"), o.opens),
      closes: kept(get("closes"), o.closes), observe_holidays: kept(get("observe_holidays"), o.observe_holidays),
      day_hours: dayHoursOf(e.target, o.day_hours) }));
  }) },
    el("h2", { text: calendar ? say("calendar_edit", { name: calendar.name }) : say("calendar_new") }),
    field(say("calendar_id"), el("input", { name: "id", required: true, value: o.id || "", readonly: Boolean(calendar) })),
    field(say("calendar_name"), el("input", { name: "name", required: true, value: o.name || "" })),
    field(say("calendar_timezone"), el("input", { name: "timezone", required: true, list: "time-zones", value: o.timezone || "Europe/Istanbul" })),
    el("datalist", { id: "time-zones" }, zones.map((z) => el("option", { value: z }))),
    checkList("weekdays", say("calendar_days"), VOCAB.weekdays, calendar ? o.weekdays : VOCAB.weekdays.slice(0, 5), day),
    field(say("calendar_opens"), el("input", { name: "opens", type: "time", required: true, value: o.opens || "09:00" })),
    field(say("calendar_closes"), el("input", { name: "closes", type: "time", required: true, value: o.closes || "18:00" })),
    dayHoursTable(o.day_hours || {}, day),
    el("label", {}, el("input", { type: "checkbox", name: "observe_holidays", checked: calendar ? o.observe_holidays : true }), ` ${say("calendar_holidays_label")}`),
    el("button", { type: "submit", text: say("save") }));
  return [table, form];
}

// A weekday's own hours (a short Saturday): a row of two times per weekday, empty where the
// day keeps the calendar's hours.
function dayHoursTable(dayHours, day) {
  return el("table", { class: "list day-hours" },
    el("caption", { text: say("calendar_day_hours") }),
    el("thead", {}, el("tr", {}, ["day", "from", "to"].map((k) => el("th", { scope: "col", text: say(`calendar_dh_${k}`) })))),
    el("tbody", {}, VOCAB.weekdays.map((d) => {
      const own = dayHours[String(d)] || {};
      const time = (k) => el("input", { type: "time", name: `day${d}_${k}`, value: own[k === "from" ? "opens" : "closes"] ? own[k === "from" ? "opens" : "closes"].slice(0, 5) : "",
        "aria-label": say(`calendar_dh_${k}_of`, { day: day(d) }) });
      return el("tr", {}, el("th", { scope: "row", text: day(d) }), el("td", {}, time("from")), el("td", {}, time("to")));
    })));
}

/** The per-day hours to send: as they were while no time changed; else each row with both
 *  times ("HH:MM"; a half-filled row is sent as it is, for the API to name it). */
function dayHoursOf(form, original) {
  const inputs = [...form.querySelectorAll(".day-hours input")];
  if (inputs.every((i) => i.value === i.defaultValue)) return original || {};
  const hours = {};
  for (const d of VOCAB.weekdays) {
    const from = form.elements.namedItem(`day${d}_from`).value, to = form.elements.namedItem(`day${d}_to`).value;
    if (from || to) hours[String(d)] = { opens: from || null, closes: to || null };
  }
  return hours;
}

start();
