// Saved views (docs/views-and-presence.md): #/views lists the shared views and your own,
// each with its live count (asked again every 30 s), and a form for a new one; #/views/<id>
// is one view's cases with the bulk moves (status, assign, tag, macro) on a selection. The
// list a case was opened from stays beside the case (withCaseList), for j / k to walk.
// Every text is from the strings files; the API's words are never shown.

import { ApiError } from "./shared/api.js";

const COUNT_POLL_MS = 30000;
const LIST_KEY = "destek.console.list";
const SLA_STATES = ["breached", "due_soon", "on_track"];
const SORTS = ["newest", "oldest", "priority", "due"];

/** A count as the list shows it: "7", or "100+" when there are more. */
export function countText(count) {
  if (!count) return "";
  return count.more ? `${count.count}+` : String(count.count);
}

/** The views page, or one view's cases when `id` is given. */
export async function viewsView(ui, id) {
  if (id) return viewPage(ui, id);
  const [answer, definitions] = await Promise.all([ui.api("GET", "/views"),
    ui.can("case_fields", "read") ? ui.api("GET", "/case-fields").catch(() => []) : []]);
  const list = viewList(ui, answer.items);
  watchCounts(ui, list);
  const editing = new URLSearchParams(location.hash.split("?")[1] || "").get("edit");
  const view = answer.items.find((v) => v.id === editing) || null;
  return [ui.el("h1", { text: ui.say("views_title") }), list, viewForm(ui, definitions, view)];
}

function viewList(ui, items, current = null) {
  const { el, say } = ui;
  if (!items.length) return el("p", { class: "empty views-list", text: say("views_none") });
  const section = (shared) => {
    const rows = items.filter((v) => v.shared === shared);
    if (!rows.length) return null;
    return el("section", {}, el("h2", { text: say(shared ? "views_shared" : "views_personal") }),
      el("ul", { class: "views" }, rows.map((v) => el("li", { "data-view-id": v.id },
        el("a", { href: `#/views/${v.id}`, "aria-current": v.id === current ? "page" : null, text: v.name }),
        " ", el("span", { class: "count", "aria-label": say("views_count", { n: countText(v.count) }), text: countText(v.count) }),
        !v.shared || ui.can("shared_views", "edit") ? el("a", { href: `#/views?edit=${v.id}`, class: "view-edit", "aria-label": say("views_edit_named", { name: v.name }), text: say("views_edit") }) : null,
        deletable(ui, v) ? el("button", { type: "button", class: "secondary danger view-delete", "aria-label": say("views_delete_named", { name: v.name }),
          text: say("views_delete"), onclick: async () => {
            try { await ui.api("DELETE", `/views/${v.id}`); await ui.refresh(); ui.notice(say("views_deleted")); } catch (error) { ui.problem(ui.explain(error)); }
          } }) : null))));
  };
  return el("nav", { class: "views-list", "aria-label": say("views_title") }, section(true), section(false));
}

const deletable = (ui, v) => !v.shared || ui.can("shared_views", "delete");

// the counts move as cases move: the list on screen is asked again, its counts replaced in place
function watchCounts(ui, list) {
  const timer = setInterval(async () => {
    if (!list.isConnected) { clearInterval(timer); return; }
    if (document.hidden) return;
    let answer;
    try { answer = await ui.api("GET", "/views"); } catch { return; }
    for (const v of answer.items) {
      const badge = list.querySelector(`li[data-view-id="${CSS.escape(v.id)}"] .count`);
      if (badge) { badge.textContent = countText(v.count); badge.setAttribute("aria-label", ui.say("views_count", { n: countText(v.count) })); }
    }
  }, COUNT_POLL_MS);
}

function checks(ui, name, values, word, chosen = []) {
  return ui.el("fieldset", { class: "checks" }, ui.el("legend", { text: ui.say(`views_${name}`) }),
    values.map((v) => ui.el("label", { class: "check" }, ui.el("input", { type: "checkbox", name, value: v, checked: (chosen || []).includes(v) }), ` ${word(v)}`)));
}

function viewForm(ui, definitions = [], view = null) {
  const { el, say, vocab } = ui;
  const V = vocab();
  const was = (view && view.filters) || {};
  const option = (value, text, current = "") => el("option", { value, text, selected: value === current && value !== "" });
  const groups = el("select", { name: "group_id" }, option("", say("any")), [...ui.groups()].map(([id, name]) => option(id, name, was.group_id)));
  const assignee = el("select", { name: "assignee" }, option("", say("any")), option("me", say("views_me"), was.assignee),
    option("none", say("views_nobody"), was.assignee), [...ui.staff()].map(([username, name]) => option(username, name, was.assignee)));
  const [fieldKey, fieldValue] = Object.entries(was.fields || {})[0] || ["", ""];
  const form = el("form", { class: "view-form", onsubmit: async (event) => {
    event.preventDefault();
    const f = event.target;
    const picked = (name) => [...f.querySelectorAll(`input[name=${name}]:checked`)].map((x) => x.value);
    const hours = (name) => (f[name].value ? Number(f[name].value) : undefined);
    const filters = {
      statuses: picked("statuses"), priorities: picked("priorities"), types: picked("types"), channels: picked("channels"),
      group_id: f.group_id.value || undefined, assignee: f.assignee.value || undefined, sla: f.sla.value || undefined,
      tags: f.tag.value.trim() ? [f.tag.value.trim()] : [], older_than_hours: hours("older"), newer_than_hours: hours("newer"),
      fields: f.field_key && f.field_key.value && f.field_value.value.trim() ? { [f.field_key.value]: f.field_value.value.trim() } : {},
    };
    try {
      const body = { name: f.name.value, shared: Boolean(f.shared && f.shared.checked), sort: f.sort.value, filters };
      const made = view ? await ui.api("PUT", `/views/${view.id}`, { ...body, version: view.version }) : await ui.api("POST", "/views", body);
      location.hash = `#/views/${made.id}`;
      ui.notice(say("views_saved"));
    } catch (error) { ui.problem(ui.explain(error)); }
  } },
  el("h2", { text: say(view ? "views_editing" : "views_new") }),
  el("p", { class: "hint", text: say("views_hint") }),
  ui.field(say("views_name"), el("input", { name: "name", required: true, maxlength: 200, value: view ? view.name : null })),
  ui.can("shared_views", "add") ? el("label", { class: "check" }, el("input", { type: "checkbox", name: "shared", checked: Boolean(view && view.shared) }), ` ${say("views_share")}`) : null,
  ui.field(say("col_group"), groups), ui.field(say("col_assignee"), assignee),
  checks(ui, "statuses", V.statuses.filter((s) => s !== "merged"), (s) => say(`status_${s}`), was.statuses),
  checks(ui, "priorities", V.priorities, (p) => say(`priority_${p}`), was.priorities),
  checks(ui, "types", V.case_types, (t) => say(`type_${t}`), was.types),
  checks(ui, "channels", V.channels, (c) => say(`channel_${c}`), was.channels),
  ui.field(say("views_tag"), el("input", { name: "tag", maxlength: 64, value: (was.tags || [])[0] || null })),
  definitions.length ? ui.field(say("views_field"), el("select", { name: "field_key" }, option("", say("any")),
    definitions.map((d) => option(d.key, ui.lang === "en" ? d.label_en : d.label_tr, fieldKey)))) : null,
  definitions.length ? ui.field(say("views_field_value"), el("input", { name: "field_value", maxlength: 500, value: fieldValue || null })) : null,
  ui.field(say("views_sla"), el("select", { name: "sla" }, option("", say("any")), SLA_STATES.map((s) => option(s, say(`views_sla_${s}`), was.sla)))),
  ui.field(say("views_older"), el("input", { name: "older", type: "number", min: 1, max: 8760, value: was.older_than_hours || null })),
  ui.field(say("views_newer"), el("input", { name: "newer", type: "number", min: 1, max: 8760, value: was.newer_than_hours || null })),
  ui.field(say("views_sort"), el("select", { name: "sort" }, SORTS.map((s) => option(s, say(`views_sort_${s}`), view ? view.sort : "newest")))),
  el("button", { type: "submit", text: say("views_save") }));
  return form;
}

/** One page of a view's cases: the first, or the one `cursor` (a `next_cursor`) starts. */
async function viewPage(ui, id, cursor = null) {
  const { el, say } = ui;
  const path = `/views/${encodeURIComponent(id)}/cases?limit=${ui.pageSize}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
  const [answer, page] = await Promise.all([ui.api("GET", "/views"), ui.api("GET", path)]);
  const view = answer.items.find((v) => v.id === id);
  const list = viewList(ui, answer.items, id);
  watchCounts(ui, list);
  const pickable = ui.can("cases", "edit") || ui.can("assignments", "edit") || ui.can("macros", "read");
  const table = ui.caseTable(page.items, pickable);
  ui.watchList(path, table); // the page on screen is the one asked again
  const more = paging(ui, id, cursor, page.next_cursor);
  const forms = page.items.length ? [bulkStatusForm(ui, table), await ui.assignForm(table),
    ui.can("macros", "read") && ui.can("replies", "add") ? await ui.bulkMacroForm(table) : null,
    ui.can("cases", "edit") ? ui.bulkTagForm(table) : null] : [];
  return el("div", { class: "with-list view-page" }, list,
    el("div", {}, el("h1", { tabindex: "-1", text: view ? `${view.name}${view.count ? ` (${countText(view.count)})` : ""}` : say("views_title") }),
      table, more, ...forms));
}

// a view holds more than a page: its next page (and the way back to the first) replaces the
// one on screen, whose bulk forms and list watch go with it; focus goes to the heading
function paging(ui, id, cursor, next) {
  const { el, say } = ui;
  if (!next && !cursor) return null;
  const go = (to) => async (event) => {
    const button = event.currentTarget;
    button.disabled = true;
    try {
      const fresh = await viewPage(ui, id, to);
      button.closest(".view-page").replaceWith(fresh);
      fresh.querySelector("h1").focus();
    } catch (error) {
      button.disabled = false;
      ui.problem(ui.explain(error));
    }
  };
  return el("nav", { class: "view-paging", "aria-label": say("views_pages") },
    next ? el("p", { class: "hint", text: say("views_more") }) : null,
    cursor ? el("button", { type: "button", class: "secondary views-first", text: say("views_first_page"), onclick: go(null) }) : null,
    next ? el("button", { type: "button", class: "views-next", text: say("views_next_page"), onclick: go(next) }) : null);
}

/** Move the chosen cases to one status: one call, each case reported (POST /case-status-changes). */
export function bulkStatusForm(ui, table) {
  const { el, say } = ui;
  if (!ui.can("cases", "edit")) return null;
  const statuses = ui.vocab().statuses.filter((s) => !["merged", "new"].includes(s));
  return el("form", { class: "bulk bulk-status", onsubmit: async (event) => {
    event.preventDefault();
    const chosen = [...table.querySelectorAll("input[name=pick]:checked")];
    if (!chosen.length) { ui.problem(say("choose_some")); return; }
    try {
      const done = await ui.api("POST", "/case-status-changes", { status: event.target.status.value,
        cases: chosen.map((box) => ({ case_id: box.value, version: Number(box.dataset.version) })) });
      await ui.refresh();
      bulkOutcome(ui, done.results, { done: "bulk_status_done", some: "bulk_status_some", none: "bulk_status_none" });
    } catch (error) { ui.problem(ui.explain(error)); }
  } }, ui.field(say("bulk_status_to"), el("select", { name: "status" }, statuses.map((s) => el("option", { value: s, text: say(`status_${s}`) })))),
  el("button", { type: "submit", text: say("bulk_status_apply") }));
}

/** What a bulk move did, said once: `keys.done` ({n}) when every case moved, else
 *  `keys.some` ({ok}, {failed}) or `keys.none` with {reasons}: the refusals counted per error
 *  code, each in the reader's words (`bulk_reason_<code>`, else the code's own refusal), so
 *  the reader learns why. `results`: the API's [{status: "applied" | "refused", error: {code}}]. */
export function bulkOutcome(ui, results, keys) {
  const { say } = ui;
  const refused = results.filter((r) => r.status !== "applied");
  if (!refused.length) { ui.notice(say(keys.done, { n: results.length })); return; }
  const counts = new Map();
  for (const r of refused) {
    const code = (r.error && r.error.code) || "";
    counts.set(code, (counts.get(code) || 0) + 1);
  }
  // a code with a short phrase of its own reads "2 talep kimseye atanmamış"; any other, its
  // refusal's sentence after the count
  const reason = (code, n) => (code && ui.has(`bulk_reason_${code}`) ? say("bulk_reason_count", { n, reason: say(`bulk_reason_${code}`) })
    : say("bulk_reason_other", { n, reason: ui.explain(new ApiError(0, { code })).replace(/\.$/, "") }));
  const reasons = [...counts].map(([code, n]) => reason(code, n)).join("; ");
  const ok = results.length - refused.length;
  ui.problem(say(ok ? keys.some : keys.none, { ok, failed: refused.length, reasons }));
}

// ---- the list beside the case ----------------------------------------------------------

// Opening a case from a list (a view, my cases, a queue) keeps that list's rows, so the case
// screen shows them beside it and j / k walk them. Read from the page as it was left: no call.
window.addEventListener("hashchange", () => {
  if (!location.hash.startsWith("#/case/")) return;
  const table = document.querySelector("#view table.list[data-watch]");
  if (!table) return;
  const rows = [...table.querySelectorAll("tbody tr[data-case]")].map((tr) => ({
    id: tr.dataset.case, number: tr.querySelector("td.number a")?.textContent || tr.dataset.case,
    subject: tr.children[tr.querySelector("input[name=pick]") ? 2 : 1]?.textContent || "" }));
  const from = document.querySelector("#view")?.dataset.route || "";
  const heading = document.querySelector("#view h1")?.textContent || "";
  sessionStorage.setItem(LIST_KEY, JSON.stringify({ from, heading, rows }));
});

/** The cases of the list the case was opened from, as links, the open one marked. */
export function caseNeighbours(caseId) {
  let kept;
  try { kept = JSON.parse(sessionStorage.getItem(LIST_KEY) || "null"); } catch { kept = null; }
  if (!kept || !kept.rows.some((r) => r.id === caseId)) return null;
  return kept;
}

/** The case screen with the list it was opened from beside it (or alone). */
export function withCaseList(ui, c, screen) {
  const kept = caseNeighbours(c.id);
  if (!kept) return screen;
  const { el, say } = ui;
  const aside = el("nav", { class: "case-list", "aria-label": say("case_list_beside") },
    el("a", { href: kept.from || "#/mine", class: "back", text: `← ${kept.heading || say("case_list_back")}` }),
    el("ol", {}, kept.rows.map((r) => el("li", {}, el("a", { href: `#/case/${r.id}`, "data-case": r.id,
      "aria-current": r.id === c.id ? "page" : null, text: `${r.number} · ${r.subject}` })))));
  return el("div", { class: "with-list" }, aside, screen);
}
