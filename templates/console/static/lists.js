// The case lists (my cases, a group's pool, overdue, follow-up, an agent's cases): the
// table with each case's countdown, the bulk forms under it, and the unread marks asked for
// again every 30 s. The first screen a signed-in agent sees, so the frame (console.js)
// imports this module at its first load; the others come when their screen is opened.

import { $, el } from "./shared/dom.js";
import { bulkMacroForm } from "./macros.js";
import { bulkTagForm, tagFilterForm } from "./tags_fields.js";
import { bulkOutcome, bulkStatusForm } from "./views.js";

let say, api, can, field, notice, problem, route, staffName, signedIn, kbUi, macrosUi, viewsUi;

/** Takes the frame's helpers (console.js `frameUi`): say, api, can, field, notice, problem,
 *  route, staffName, signedIn (GET /me's answer, or null) and the ui builders the bulk forms
 *  receive (kbUi, macrosUi, viewsUi). */
export function wire(ui) {
  ({ say, api, can, field, notice, problem, route, staffName, signedIn, kbUi, macrosUi, viewsUi } = ui);
}

function urgency(minutesLeft) {
  if (minutesLeft === null || minutesLeft === undefined) return "";
  if (minutesLeft < 0) return "late";
  if (minutesLeft < 60) return "soon";
  if (minutesLeft < 240) return "today";
  return "ok";
}

/** Whole minutes as "2 gün 3 sa", "1 sa 5 dk", "7 dk" (never less than a minute). */
export function duration(minutes) {
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
export function timeLeft(dueIso, now = Date.now()) {
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

export function caseTable(items, pickable = false) {
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

export async function caseList(view, agentName) {
  let path = `/cases?view=${view}&order=priority&limit=50`;
  let title = say(`title_${view}`);
  const groups = view === "pool" ? await api("GET", "/groups") : null;
  let chooser = null;
  if (view === "pool") {
    const mine = groups.items ? groups.items : groups;
    const usable = mine.filter((g) => g.members.includes(signedIn().username) || g.supervisors.includes(signedIn().username));
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
export function watchList(path, table) {
  table.dataset.watch = path;
  if (watchList.timer) return;
  watchList.timer = setInterval(refreshList, POLL_MS);
  document.addEventListener("visibilitychange", () => { if (!document.hidden) refreshList(); });
}

async function refreshList() {
  const table = $("#view [data-watch]");
  if (!signedIn() || !table || document.hidden) return;
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

export function markSeen(c) {
  return api("POST", `/cases/${encodeURIComponent(c.id)}/seen`, { version: c.version }).catch(() => null);
}

export async function categoryChoice(current) {
  const tree = await api("GET", "/categories");
  const options = [el("option", { value: "", text: "—" })];
  const walk = (nodes, depth) => nodes.forEach((n) => {
    options.push(el("option", { value: n.id, selected: n.id === current, text: `${"· ".repeat(depth)}${n.name}` }));
    walk(n.children, depth + 1);
  });
  walk(tree, 0);
  return el("select", { name: "category" }, options);
}

export async function staffChoice(name = "agent") {
  const staff = await api("GET", "/staff");
  return el("select", { name }, (staff.items || staff).map((m) => el("option", { value: m.username, text: `${m.name} (${m.username})` })));
}

/** The assign form's two choices: the group (every group, GET /groups: the API lets whoever
 *  may assign hand a case to any group) and the person, whose list follows the chosen group
 *  (its members and supervisors, the only people the API accepts) after "nobody" (the
 *  group's pool). `group`: the group chosen first; `bulk`: the first choice is "each case in
 *  its own group" (value ""), when the person list is every staff member. Fields `group`,
 *  `agent`. */
export async function assignChoices(group = "", assignee = "", bulk = false) {
  const [answer, staff] = await Promise.all([api("GET", "/groups"), bulk ? api("GET", "/staff") : null]);
  const groups = answer.items || answer;
  const everyone = staff ? (staff.items || staff).map((m) => m.username) : [];
  const people = el("select", { name: "agent" });
  const fill = (keep) => {
    const g = groups.find((x) => x.id === groupSelect.value);
    const usernames = g ? [...new Set([...g.members, ...g.supervisors])] : everyone;
    people.replaceChildren(el("option", { value: "", text: say("assign_nobody") }),
      ...usernames.map((u) => el("option", { value: u, selected: u === keep, text: `${staffName(u)} (${u})` })));
  };
  const groupSelect = el("select", { name: "group", onchange: () => fill(people.value) },
    bulk ? el("option", { value: "", text: say("assign_each_group") }) : null,
    groups.map((g) => el("option", { value: g.id, selected: g.id === group, text: g.name })));
  fill(assignee);
  return [field(say("assign_group"), groupSelect), field(say("assign_to"), people)];
}

/** POST /cases/{id}/assign's body from an assign form: the chosen group (when one is), the
 *  chosen person or nobody (null: the group's pool). */
export function assignBody(form) {
  return { ...(form.group.value ? { group_id: form.group.value } : {}), assignee: form.agent.value || null };
}

/** The bulk assign form under a list: each chosen case to the chosen group and/or person,
 *  one call each; the refusals counted per reason (views.js bulkOutcome). */
export async function assignForm(table) {
  if (!can("assignments", "edit")) return null;
  const form = el("form", { class: "bulk bulk-assign", onsubmit: async (event) => {
    event.preventDefault();
    const chosen = [...table.querySelectorAll("input[name=pick]:checked")];
    if (!chosen.length) { problem(say("choose_some")); return; }
    const results = [];
    for (const box of chosen) {
      try {
        await api("POST", `/cases/${box.value}/assign`, { version: Number(box.dataset.version), ...assignBody(event.target) });
        results.push({ status: "applied" });
      } catch (error) {
        results.push({ status: "refused", error: { code: error.code, status: error.status } });
      }
    }
    await route();
    bulkOutcome(viewsUi(), results, { done: "assigned", some: "assigned_some", none: "assigned_none" });
  } }, ...(await assignChoices("", "", true)), el("button", { type: "submit", text: say("assign_selected") }));
  return form;
}
