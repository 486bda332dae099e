// destek agent console: one ES module, no build step, no dependencies. Served by the API,
// so its calls are same-origin. Every text from the API reaches the page through
// textContent (el() below), never as HTML: nothing a customer types can run here.

const CONFIG = JSON.parse(document.getElementById("config").textContent);
const T = JSON.parse(document.getElementById("strings").textContent);
const LANG = document.documentElement.lang;
const API = location.pathname.replace(/\/console\/?$/, "");
const SESSION_KEY = "destek.console";
const STATUSES = ["new", "open", "in_progress", "waiting_customer", "reopened", "resolved", "closed"];
const PRIORITIES = ["low", "normal", "high", "urgent"];
const TYPES = ["complaint", "request", "suggestion", "question"];
const OUTCOMES = ["answered", "missed", "voicemail", "busy", "no_answer", "callback_requested"];

let me = null; // GET /me: username, roles, permissions

// ---- small helpers -------------------------------------------------------------------

function say(key, values = {}) {
  return (T[key] || key).replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const $ = (selector) => document.querySelector(selector);

function when(iso) {
  if (!iso) return "";
  const locale = LANG === "en" ? "en-GB" : "tr-TR";
  return new Intl.DateTimeFormat(locale, {
    dateStyle: "medium", timeStyle: "short", timeZone: "Europe/Istanbul",
  }).format(new Date(iso));
}

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
  const auth = result.AuthenticationResult;
  sessionStorage.setItem(SESSION_KEY, JSON.stringify({ idToken: auth.IdToken }));
}

class ApiError extends Error {
  constructor(status, error) {
    super(error.message || `HTTP ${status}`);
    this.status = status;
    this.code = error.code;
    this.details = error.details;
  }
}

async function api(method, path, body) {
  const current = session();
  const response = await fetch(API + path, {
    method,
    headers: {
      "Content-Type": "application/json",
      ...(current ? { Authorization: `Bearer ${current.idToken}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (response.status === 401) {
    sessionStorage.removeItem(SESSION_KEY);
    showSignIn(say("session_over"));
    throw new ApiError(401, (data && data.error) || {});
  }
  if (!response.ok) throw new ApiError(response.status, (data && data.error) || {});
  return data;
}

function explain(error) {
  if (error instanceof ApiError) {
    if (error.status === 403) return say("forbidden");
    if (error.status === 404) return say("not_found");
    if (error.status === 409 && error.code === "version_conflict") return say("conflict");
    const fields = Array.isArray(error.details) ? error.details.map((d) => `${d.field}: ${d.problem}`) : [];
    return [error.message, ...fields].join(" · ");
  }
  if (error instanceof Error && !(error instanceof TypeError) && error.message) return error.message;
  return say("network_error");
}

// ---- frame ---------------------------------------------------------------------------

function showSignIn(message) {
  me = null;
  $("#signin").hidden = false;
  $("#view").hidden = true;
  $("#nav").hidden = true;
  $("#search").hidden = true;
  $("#sign-out").hidden = true;
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
  $("#search").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = event.target.q.value.trim();
    if (text) location.hash = `#/search/${encodeURIComponent(text)}`;
  });
  window.addEventListener("hashchange", () => route());
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
  $("#signin").hidden = true;
  $("#view").hidden = false;
  $("#nav").hidden = false;
  $("#search").hidden = false;
  $("#sign-out").hidden = false;
  $("#who").textContent = `${me.name || me.username} · ${me.roles.map((r) => say(`role_${r}`)).join(", ")}`;
  for (const link of document.querySelectorAll("[data-needs]")) {
    const [resource, action] = link.dataset.needs.split(":");
    link.parentElement.hidden = !can(resource, action);
  }
  problem("");
  await route();
}

async function route() {
  if (!me) return;
  const [, rawView, arg] = (location.hash || "#/mine").split("?")[0].split("/");
  const view = rawView || "mine";
  for (const link of document.querySelectorAll("#nav a")) {
    if (link.dataset.view === view) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  const target = $("#view");
  target.setAttribute("aria-busy", "true");
  try {
    const views = { mine: caseList, pool: caseList, overdue: caseList, agent: caseList, case: caseScreen,
                    precases: preCaseList, precase: preCaseScreen, search, queues, admin,
                    customer: customerView };
    const render = views[view] || caseList;
    const content = await render(view in views ? view : "mine", arg && decodeURIComponent(arg));
    target.replaceChildren(...[content].flat(Infinity).filter((n) => n !== null && n !== undefined));
    const heading = target.querySelector("h1");
    if (heading) heading.setAttribute("tabindex", "-1");
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 401)) {
      target.replaceChildren(el("p", { class: "empty", text: explain(error) }));
    }
  } finally {
    target.removeAttribute("aria-busy");
  }
}

// ---- lists ---------------------------------------------------------------------------

function urgency(minutesLeft) {
  if (minutesLeft === null || minutesLeft === undefined) return "";
  if (minutesLeft < 0) return "late";
  if (minutesLeft < 60) return "soon";
  if (minutesLeft < 240) return "today";
  return "ok";
}

function timeLeft(dueIso) {
  if (!dueIso) return { text: "", cls: "" };
  const minutes = Math.round((new Date(dueIso) - Date.now()) / 60000);
  const abs = Math.abs(minutes);
  const amount = abs >= 1440 ? say("days", { n: Math.round(abs / 1440) })
    : abs >= 60 ? say("hours", { n: Math.round(abs / 60) }) : say("minutes", { n: abs });
  return { text: minutes < 0 ? say("late_by", { t: amount }) : say("left", { t: amount }), cls: urgency(minutes) };
}

function caseTable(items, pickable = false) {
  if (!items.length) return el("p", { class: "empty", text: say("no_cases") });
  return el("table", { class: "list" },
    el("thead", {}, el("tr", {}, pickable ? el("th", { scope: "col" }, el("span", { class: "visually-hidden", text: say("choose") })) : null,
      ["number", "subject", "status", "priority", "assignee", "time_left"]
      .map((k) => el("th", { scope: "col", text: say(`col_${k}`) })))),
    el("tbody", {}, items.map((c) => {
      const left = timeLeft(c.due_at);
      return el("tr", { "data-case": c.id },
        pickable ? el("td", {}, el("input", { type: "checkbox", name: "pick", value: c.id, "data-version": c.version,
          "aria-label": say("choose_case", { number: c.number }) })) : null,
        el("td", {}, el("a", { href: `#/case/${c.id}`, text: c.number || c.id })),
        el("td", { text: c.subject }),
        el("td", {}, el("span", { class: `status s-${c.status}`, text: say(`status_${c.status}`) })),
        el("td", { class: `p-${c.priority}`, text: say(`priority_${c.priority}`) }),
        el("td", { text: c.assignee || "—" }),
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
  if (view === "agent") {
    path = `/cases?view=agent&agent=${encodeURIComponent(agentName)}&order=priority&limit=100`;
    title = say("title_agent", { agent: agentName });
  }
  const page = await api("GET", path);
  const table = caseTable(page.items, can("assignments", "edit"));
  return [el("h1", { text: title }), chooser, table, page.items.length ? await assignForm(table) : null];
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

async function search(_, text) {
  if (/^\d{4}-\d{6}$/.test(text)) { location.hash = `#/case/${text}`; return []; }
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
  const heading = el("h1", { text: say("title_search", { q: text }) });
  if (found.size === 1) return [heading, ...(await customerCases([...found.values()][0]))];
  if (!found.size) return [heading, el("p", { class: "empty", text: say("nothing_found") })];
  return [heading, el("ul", { class: "matches" }, [...found.values()].map((c) => el("li", {},
    el("a", { href: `#/customer/${c.id}`, text: c.name }), ` · ${c.phone || ""} · ${c.email || ""} · ${c.customer_number || ""}`)))];
}

async function customerCases(customer) {
  const page = await api("GET", `/cases?view=customer&customer_id=${customer.id}&limit=50`);
  const overview = await api("GET", `/customers/${customer.id}/overview`).catch(() => null);
  return [el("div", { class: "case-screen" },
    el("section", {}, el("p", {}, el("strong", { text: customer.name }), ` · ${customer.phone || ""} · ${customer.email || ""}`),
      caseTable(page.items)),
    customerPanel(overview, null))];
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
      el("td", { text: a.groups.join(", ") }),
      el("td", { text: a.active }),
      el("td", { class: a.overdue ? "due late" : "", text: a.overdue }),
      el("td", { text: a.on_shift ? say("yes") : say("no") })))));
  return [el("h1", { text: say("title_queues") }), groups, el("h2", { text: say("who_works_what") }), agents];
}

// ---- one case ------------------------------------------------------------------------

async function caseScreen(_, ref) {
  const view = await api("GET", `/cases/${encodeURIComponent(ref)}`);
  const overview = await api("GET", `/customers/${view.case.customer_id}/overview`).catch(() => null);
  return [el("div", { class: "case-screen" }, casePanel(view), customerPanel(overview, view.case.id))];
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

function casePanel(view) {
  const c = view.case;
  const v = c.version;
  const post = (path, body) => api("POST", `/cases/${c.id}${path}`, { version: v, ...body });
  const header = el("header", { class: "case-head" },
    el("h1", { text: `${c.number} · ${c.subject}` }),
    el("dl", { class: "facts" },
      ...[["status", say(`status_${c.status}`)], ["priority", say(`priority_${c.priority}`)],
          ["type", say(`type_${c.type}`)], ["channel", say(`channel_${c.channel}`)],
          ["group", c.group_id || "—"], ["assignee", c.assignee || "—"], ["opened", when(c.created_at)]]
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
  if (can("replies", "add")) {
    actions.append(el("form", { class: "reply", onsubmit: act(c.id, (e) => post("/replies", { body: e.target.body.value }), say("replied")) },
      field(say("reply_label"), el("textarea", { name: "body", rows: 4, required: true })),
      el("button", { type: "submit", text: say("send_reply") })));
  }
  if (can("notes", "add")) {
    actions.append(el("form", { class: "note", onsubmit: act(c.id, (e) => post("/notes", { body: e.target.body.value }), say("noted")) },
      field(say("note_label"), el("textarea", { name: "body", rows: 3, required: true })),
      el("button", { type: "submit", text: say("add_note") })));
  }
  if (can("cases", "edit")) {
    actions.append(el("form", { class: "status-form", onsubmit: act(c.id, (e) => post("/status", { status: e.target.status.value }), say("status_changed")) },
      field(say("col_status"), select("status", STATUSES, c.status, "status_")),
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

  const history = el("ol", { class: "history", "aria-label": say("history") },
    view.history.map((h) => el("li", { class: `entry k-${h.kind} ${h.visibility === "internal" ? "internal" : ""}` },
      el("div", { class: "entry-head" },
        el("span", { class: "entry-kind", text: say(`entry_${h.kind}`) }),
        h.visibility === "internal" && h.kind === "note" ? el("span", { class: "badge", text: say("internal") }) : null,
        el("span", { text: ` ${h.actor.name || h.actor.id} · ${when(h.at)}` })),
      h.body ? el("p", { class: "body", text: h.body }) : null,
      h.reason ? el("p", { class: "reason", text: h.reason }) : null,
      Object.keys(h.changes || {}).length ? el("p", { class: "reason", text: Object.entries(h.changes)
        .map(([k, ch]) => `${k}: ${ch.from ?? "—"} → ${ch.to ?? "—"}`).join(", ") }) : null)));
  const notices = (view.notices || []).length ? el("section", {},
    el("h2", { text: say("notices_sent") }),
    el("ul", { class: "notices" }, view.notices.map((n) => el("li", {},
      `${say(`notice_${n.event}`)} → ${say(`audience_${n.audience}`)}: ${say(`notice_status_${n.status}`)}`,
      n.deliveries.length ? ` (${n.deliveries.map((d) => `${d.channel} ${d.to}`).join(", ")})` : "")))) : null;
  const files = (view.attachments || []).length ? el("section", {},
    el("h2", { text: say("files") }),
    el("ul", {}, view.attachments.map((a) => el("li", {}, el("a", { href: a.url || "#", text: a.filename }))))) : null;
  return el("section", { class: "case-panel", "data-version": v }, header, actions, el("h2", { text: say("history") }), history, notices, files);
}

function customerPanel(o, caseId) {
  if (!o) return el("aside", { class: "customer-panel" }, el("p", { text: say("no_customer") }));
  const c = o.customer;
  const warranty = (w) => w ? say(`warranty_${w.state}`, { days: w.days_left ?? "" }) : "";
  return el("aside", { class: "customer-panel", "aria-label": say("customer_360") },
    el("h2", { text: c.name }),
    o.flags.length ? el("ul", { class: "flags" }, o.flags.map((f) => el("li", { class: `flag f-${f}`, text: say(`flag_${f}`) }))) : null,
    el("dl", { class: "facts" },
      ...[["phone", c.phone], ["email", c.email], ["customer_number", c.customer_number],
          ["membership", c.membership_tier], ["last_visit", when(c.last_visit_at)]]
        .filter(([, value]) => value)
        .flatMap(([k, value]) => [el("dt", { text: say(`c_${k}`) }), el("dd", { text: value })])),
    block(say("products"), o.registrations, (r) => `${r.product_name || r.product_id} · ${r.serial_number} · ${warranty(r.warranty)}`),
    block(say("orders"), o.orders, (x) => el("span", {}, `${x.order.order_id} · ${when(x.order.placed_at)} · ${x.order.total} ${x.order.currency}`,
      x.shipments.map((s) => el("div", { class: "sub", text: `${s.carrier} ${s.tracking_number} · ${s.status}` })))),
    block(say("earlier_cases"), o.cases.filter((x) => x.id !== caseId), (x) => el("a", { href: `#/case/${x.id}`, text: `${x.number} · ${x.subject} · ${say(`status_${x.status}`)}${x.assignee ? ` · ${x.assignee}` : ""}` })),
    block(say("calls"), o.calls, (k) => `${when(k.started_at)} · ${say(`direction_${k.direction}`)} · ${say(`outcome_${k.outcome}`)}${k.notes ? ` · ${k.notes}` : ""}`),
    block(say("chats"), o.chats, (ch) => el("details", {}, el("summary", { text: `${when(ch.started_at)} · ${ch.bot} · ${ch.outcome}` }),
      ch.messages.map((m) => el("p", { text: `${m.author}: ${m.text}` })))),
    block(say("waiting_precases"), o.precases, (p) => el("a", { href: `#/precase/${p.id}`, text: `${say(`channel_${p.channel}`)} · ${p.subject}` })));
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
          ["assignee", p.assignee || "—"], ["mood", p.mood ? say(`mood_${p.mood.label}`) : "—"],
          ["suggested", p.suggested_action ? say(`action_${p.suggested_action}`) : "—"]]
        .flatMap(([k, value]) => [el("dt", { text: say(`col_${k}`) }), el("dd", { text: value })])),
    p.post ? el("p", {}, el("a", { href: p.post.url, rel: "noopener noreferrer", target: "_blank", text: p.post.url })) : null,
    el("pre", { class: "body", text: p.text }),
    p.files.length ? el("ul", {}, p.files.map((f) => el("li", { text: `${f.filename} (${Math.ceil(f.size / 1024)} KB)` }))) : null,
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
      el("button", { type: "button", onclick: run(() => api("POST", `/precases/${p.id}/set-aside`, { version: p.version, outcome: "spam" }), say("set_aside")), text: say("spam") }))
      : null);
}

// ---- administration ------------------------------------------------------------------

const ADMIN_SECTIONS = [
  ["rules", "routing_rules"], ["roles", "roles"], ["staff", "staff"], ["groups", "groups"],
  ["categories", "categories"], ["sla", "sla"], ["ladders", "sla"], ["calendars", "sla"], ["priorities", "sla"],
];

async function admin(_, section) {
  const allowed = ADMIN_SECTIONS.filter(([, resource]) => can(resource, "read"));
  const current = section || (allowed[0] && allowed[0][0]);
  const tabs = el("nav", { class: "tabs", "aria-label": say("nav_admin") }, allowed.map(([name]) =>
    el("a", { href: `#/admin/${name}`, "aria-current": name === current ? "page" : null, text: say(`admin_${name}`) })));
  const render = { rules: adminRules, roles: adminRoles, staff: adminStaff, groups: adminGroups,
                   categories: adminCategories, sla: () => jsonSection("sla-policies", "sla"),
                   ladders: () => jsonSection("escalation-ladders", "sla"),
                   calendars: () => jsonSection("calendars", "sla", true), priorities: adminPriorities }[current];
  return [el("h1", { text: say("title_admin") }), tabs, render ? await render() : null];
}

function saved(run, message) {
  return async (event) => {
    event.preventDefault();
    try {
      await run(event);
      await route();
      notice(message || say("saved"));
    } catch (error) {
      problem(explain(error));
    }
  };
}

const csv = (text) => text.split(",").map((x) => x.trim()).filter(Boolean);

async function adminRules() {
  const [rules, groups] = await Promise.all([api("GET", "/routing-rules"), api("GET", "/groups")]);
  const editing = new URLSearchParams(location.hash.split("?")[1] || "").get("edit");
  const rule = rules.find((r) => r.id === editing) || null;
  const editable = can("routing_rules", "edit");
  const table = el("table", { class: "list" },
    el("thead", {}, el("tr", {}, ["order", "name", "phrases", "group", "enabled"].map((k) => el("th", { scope: "col", text: say(`rule_${k}`) })))),
    el("tbody", {}, rules.map((r) => el("tr", {},
      el("td", { text: r.order }),
      el("td", {}, editable ? el("a", { href: `#/admin/rules?edit=${r.id}`, text: r.name }) : r.name),
      el("td", { text: r.phrases.join(", ") }), el("td", { text: r.group_id }),
      el("td", { text: r.enabled ? say("yes") : say("no") })))));
  const form = editable ? el("form", { id: "rule-form", onsubmit: saved((e) => {
    const f = e.target;
    const body = { name: f.name.value, order: Number(f.order.value), enabled: f.enabled.checked,
                   phrases: csv(f.phrases.value), group_id: f.group.value,
                   set_category_id: f.category.value || null, priority_bump: Number(f.bump.value) };
    return rule ? api("PUT", `/routing-rules/${rule.id}`, body) : api("POST", "/routing-rules", body);
  }, say("rule_saved")) },
    el("h2", { text: rule ? say("rule_edit", { name: rule.name }) : say("rule_new") }),
    field(say("rule_name"), el("input", { name: "name", required: true, value: rule ? rule.name : "" })),
    field(say("rule_phrases"), el("input", { name: "phrases", required: true, value: rule ? rule.phrases.join(", ") : "" })),
    field(say("rule_group"), el("select", { name: "group" }, groups.map((g) => el("option", { value: g.id, selected: rule && rule.group_id === g.id, text: g.name })))),
    field(say("rule_category"), el("input", { name: "category", value: rule && rule.set_category_id ? rule.set_category_id : "" })),
    field(say("rule_order"), el("input", { name: "order", type: "number", min: 0, value: rule ? rule.order : 100 })),
    field(say("rule_bump"), select("bump", ["0", "1", "2", "3"], String(rule ? rule.priority_bump : 0), "bump_")),
    el("label", {}, el("input", { type: "checkbox", name: "enabled", checked: rule ? rule.enabled : true }), ` ${say("rule_enabled")}`),
    el("button", { type: "submit", text: say("save") }),
    rule ? el("button", { type: "button", class: "danger", text: say("delete"),
      onclick: saved(() => api("DELETE", `/routing-rules/${rule.id}`).then(() => { location.hash = "#/admin/rules"; }), say("deleted")) }) : null)
    : null;
  const result = el("div", { id: "route-result", role: "status", "aria-live": "polite" });
  const tester = el("form", { id: "rule-test", onsubmit: async (e) => {
    e.preventDefault();
    try {
      const d = await api("POST", "/routing-rules/test", { text: e.target.sample.value });
      const group = (groups.find((g) => g.id === d.group_id) || {}).name || d.group_id;
      result.replaceChildren(el("p", {}, el("strong", { text: say("would_go", { group }) })),
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
  const resources = ["cases", "replies", "notes", "assignments", "customers", "calls", "precases", "registrations",
    "products", "categories", "groups", "staff", "roles", "routing_rules", "sla", "operations"];
  const actions = ["read", "add", "edit", "delete"];
  const editable = can("roles", "edit");
  return [el("nav", { class: "tabs" }, roles.map((r) => el("a", { href: `#/admin/roles?role=${r.name}`, "aria-current": r.name === role.name ? "page" : null, text: say(`role_${r.name}`) }))),
    el("form", { id: "role-form", onsubmit: saved((e) => {
      const permissions = {};
      for (const box of e.target.querySelectorAll("input[type=checkbox]:checked")) {
        const [resource, action] = box.name.split(":");
        (permissions[resource] = permissions[resource] || []).push(action);
      }
      return api("PUT", `/roles/${role.name}`, { permissions });
    }) },
      el("table", { class: "list" }, el("thead", {}, el("tr", {}, el("th", { text: say("resource") }), actions.map((a) => el("th", { scope: "col", text: say(`action_${a}`) })))),
        el("tbody", {}, resources.map((res) => el("tr", {}, el("th", { scope: "row", text: say(`resource_${res}`) }),
          actions.map((a) => el("td", {}, el("input", { type: "checkbox", name: `${res}:${a}`, disabled: !editable,
            checked: (role.permissions[res] || []).includes(a), "aria-label": `${say(`resource_${res}`)} ${say(`action_${a}`)}` }))))))),
      editable ? el("button", { type: "submit", text: say("save") }) : null)];
}

async function adminStaff() {
  const staff = await api("GET", "/staff");
  const editing = new URLSearchParams(location.hash.split("?")[1] || "").get("edit");
  const member = staff.find((m) => m.username === editing) || null;
  const editable = can("staff", "edit");
  return [el("table", { class: "list" },
    el("thead", {}, el("tr", {}, ["username", "name", "email", "roles", "on_shift"].map((k) => el("th", { scope: "col", text: say(`staff_${k}`) })))),
    el("tbody", {}, staff.map((m) => el("tr", {},
      el("td", {}, editable ? el("a", { href: `#/admin/staff?edit=${m.username}`, text: m.username }) : m.username),
      el("td", { text: m.name }), el("td", { text: m.email || "" }),
      el("td", { text: m.roles.map((r) => say(`role_${r}`)).join(", ") }), el("td", { text: m.on_shift ? say("yes") : say("no") }))))),
    editable ? el("form", { id: "staff-form", onsubmit: saved((e) => {
      const f = e.target;
      return api("PUT", `/staff/${encodeURIComponent(f.username.value.trim())}`, {
        name: f.name.value, email: f.email.value || null, on_shift: f.on_shift.checked,
        roles: ["agent", "supervisor", "admin"].filter((r) => f[`role_${r}`].checked) });
    }) },
      el("h2", { text: member ? member.username : say("staff_new") }),
      field(say("staff_username"), el("input", { name: "username", required: true, value: member ? member.username : "", readonly: Boolean(member) })),
      field(say("staff_name"), el("input", { name: "name", required: true, value: member ? member.name : "" })),
      field(say("staff_email"), el("input", { name: "email", type: "email", value: member && member.email ? member.email : "" })),
      el("fieldset", {}, el("legend", { text: say("staff_roles") }), ["agent", "supervisor", "admin"].map((r) =>
        el("label", {}, el("input", { type: "checkbox", name: `role_${r}`, checked: member ? member.roles.includes(r) : r === "agent" }), ` ${say(`role_${r}`)} `))),
      el("label", {}, el("input", { type: "checkbox", name: "on_shift", checked: member ? member.on_shift : true }), ` ${say("staff_on_shift")}`),
      el("button", { type: "submit", text: say("save") })) : null];
}

async function adminGroups() {
  const groups = await api("GET", "/groups");
  const editing = new URLSearchParams(location.hash.split("?")[1] || "").get("edit");
  const group = groups.find((g) => g.id === editing) || null;
  const editable = can("groups", "edit");
  return [el("table", { class: "list" },
    el("thead", {}, el("tr", {}, ["id", "name", "members", "supervisors", "default"].map((k) => el("th", { scope: "col", text: say(`group_${k}`) })))),
    el("tbody", {}, groups.map((g) => el("tr", {},
      el("td", {}, editable ? el("a", { href: `#/admin/groups?edit=${g.id}`, text: g.id }) : g.id),
      el("td", { text: g.name }), el("td", { text: g.members.join(", ") }), el("td", { text: g.supervisors.join(", ") }),
      el("td", { text: g.is_default ? say("yes") : "" }))))),
    editable ? el("form", { id: "group-form", onsubmit: saved((e) => {
      const f = e.target;
      return api("PUT", `/groups/${encodeURIComponent(f.id.value.trim())}`, {
        name: f.name.value, members: csv(f.members.value), supervisors: csv(f.supervisors.value),
        is_default: f.is_default.checked, auto_assign: f.auto_assign.value || null, calendar_id: group ? group.calendar_id : null });
    }) },
      el("h2", { text: group ? group.name : say("group_new") }),
      field(say("group_id"), el("input", { name: "id", required: true, value: group ? group.id : "", readonly: Boolean(group) })),
      field(say("group_name"), el("input", { name: "name", required: true, value: group ? group.name : "" })),
      field(say("group_members"), el("input", { name: "members", value: group ? group.members.join(", ") : "" })),
      field(say("group_supervisors"), el("input", { name: "supervisors", value: group ? group.supervisors.join(", ") : "" })),
      field(say("group_auto_assign"), el("select", { name: "auto_assign" }, ["", "round_robin", "fewest_open"].map((v) =>
        el("option", { value: v, selected: group && (group.auto_assign || "") === v, text: say(`auto_${v || "none"}`) })))),
      el("label", {}, el("input", { type: "checkbox", name: "is_default", checked: group ? group.is_default : false }), ` ${say("group_default")}`),
      el("button", { type: "submit", text: say("save") })) : null];
}

async function adminCategories() {
  const tree = await api("GET", "/categories");
  const flat = [];
  const walk = (nodes, depth) => nodes.forEach((n) => { flat.push([n, depth]); walk(n.children, depth + 1); });
  walk(tree, 0);
  return [el("ul", { class: "tree" }, flat.map(([n, depth]) => el("li", { style: null, class: `depth-${Math.min(depth, 5)}`, text: n.name }))),
    can("categories", "add") ? el("form", { id: "category-form", onsubmit: saved((e) =>
      api("POST", "/categories", { name: e.target.name.value, parent_id: e.target.parent.value || null })) },
      el("h2", { text: say("category_new") }),
      field(say("category_name"), el("input", { name: "name", required: true })),
      field(say("category_parent"), el("select", { name: "parent" }, el("option", { value: "", text: "—" }),
        flat.map(([n, depth]) => el("option", { value: n.id, text: `${"· ".repeat(depth)}${n.name}` })))),
      el("button", { type: "submit", text: say("add") })) : null];
}

function adminPriorities() {
  return el("ul", {}, ["urgent", "high", "normal", "low"].map((p) =>
    el("li", {}, el("strong", { class: `p-${p}`, text: say(`priority_${p}`) }), ` — ${say(`priority_about_${p}`)}`)));
}

async function jsonSection(path, resource, byIdOnly = false) {
  const items = await api("GET", `/${path}`);
  const editable = can(resource, "edit");
  const editor = (item) => {
    const { id, ...details } = item || {};
    return el("form", { class: "json-form", onsubmit: saved((e) => {
      let body;
      try { body = JSON.parse(e.target.json.value); } catch { throw new Error(say("bad_json")); }
      const target = e.target.target_id.value.trim();
      return target ? api("PUT", `/${path}/${encodeURIComponent(target)}`, body) : api("POST", `/${path}`, body);
    }) },
      el("h3", { text: item ? `${item.name || item.id}` : say("new_item") }),
      field(say("item_id"), el("input", { name: "target_id", value: id || "", readonly: Boolean(item), required: byIdOnly })),
      field(say("item_json"), el("textarea", { name: "json", rows: 8, class: "code", text: JSON.stringify(item ? details : {}, null, 2) })),
      editable ? el("button", { type: "submit", text: say("save") }) : null);
  };
  return [...items.map(editor), editable ? editor(null) : null];
}

start();
