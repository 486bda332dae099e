// Administration: routing rules, roles, users, groups, the category tree, SLA policies,
// escalation ladders, business calendars and the priority ladder, each a tab of #/admin
// (the catalog, flags, fields and learned-routing tabs are modules of their own). Loaded when
// #/admin is first opened; the frame's helpers come through wire(ui).
//
// Every admin form round-trips the whole object: it starts from the object as the API
// returned it, takes from the form only what the person changed, and sends everything else
// back as it was, so a field no form shows (or one the API gains later) survives every
// edit. Only the path's key and the server's own bookkeeping stay out of the body: the API
// refuses a field its PUT does not take (tests/integration/test_admin_round_trip.py, OWNED).
// Choices (types, priorities, customer categories, roles...) are the codes of GET /vocabulary.

import { el } from "./shared/dom.js";
import { catalogAdmin } from "./catalog_admin.js";
import { slaPreview } from "./sla_preview.js";
import { flagListAdmin } from "./customer_flags.js";
import { caseFieldsAdmin } from "./tags_fields.js";
import { learningAdmin } from "./learning.js";

let lang, say, api, can, explain, field, select, choice, submit, problem, when, groupName, staffName, vocab,
  adminUi;

/** Takes the frame's helpers (console.js `frameUi`): choice (a select over codes), submit (a
 *  write, then the screen again; refusals marked on the form), vocab() (GET /vocabulary) and adminUi
 *  (what the tabs that are modules of their own receive). */
export function wire(ui) {
  ({ lang, say, api, can, explain, field, select, choice, submit, problem, when, groupName, staffName, vocab,
     adminUi } = ui);
}

const SERVER_OWNED = {
  rule: ["id"], policy: ["id"], ladder: ["id"], calendar: ["id"], group: ["id", "last_assigned"],
  staff: ["username", "email_notices"], role: ["name"], category: ["id", "path", "children"],
};

const ADMIN_SECTIONS = [
  ["rules", "routing_rules"], ["roles", "roles"], ["staff", "staff"], ["groups", "groups"],
  ["categories", "categories"], ["sla", "sla"], ["ladders", "sla"], ["calendars", "sla"], ["priorities", "sla"],
  ["catalog", "products"], ["flags", "customer_flags"], ["fields", "case_fields"], ["learning", "routing_rules"],
];

export async function admin(_, section) {
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

/** A write on an admin screen (the frame's submit): a group, user or category may have a new
 *  name, so the names are read again before the screen is drawn. */
const saved = (run, message) => submit(run, message, { reloadNames: true });

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
    field(say("rule_bump"), choice("priority_bump", vocab().priority_bumps, rule ? rule.priority_bump : 0, (n) => say(`bump_${n}`))),
    el("label", {}, el("input", { type: "checkbox", name: "enabled", checked: rule ? rule.enabled : true }), ` ${say("rule_enabled")}`),
    el("fieldset", { class: "limits" }, el("legend", { text: say("rule_limits") }),
      checkList("case_types", say("rule_case_types"), vocab().case_types, was("type", "in"), typeWord),
      field(say("rule_within_category"), categorySelect("category_id", flat, was("category", "within"), say("any"))),
      field(say("rule_product_group"), el("input", { name: "product_group", list: "product-groups", value: was("product_group", "is") || "" })),
      el("datalist", { id: "product-groups" }, products.map((p) => el("option", { value: p.id, text: lang === "en" && p.name_en ? p.name_en : p.name }))),
      field(say("rule_customer_category"), choice("customer_category", vocab().customer_categories, was("customer_category", "is"), customerCategoryWord, say("any"))),
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
  const resources = vocab().permission_resources;
  const actions = vocab().permission_actions;
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
      checkList("roles", say("staff_roles"), vocab().staff_roles, member ? member.roles : [vocab().staff_roles[0]], roleWord),
      el("label", {}, el("input", { type: "checkbox", name: "on_shift", checked: member ? member.on_shift : true }), ` ${say("staff_on_shift")}`),
      field(say("staff_language"), el("select", { name: "language" }, vocab().languages.map((l) =>
        el("option", { value: l, selected: (member ? member.language : lang) === l, text: say(`lang_${l}`) })))),
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
      field(say("group_auto_assign"), choice("auto_assign", vocab().auto_assign, o.auto_assign, (m) => say(`auto_${m}`), say("auto_none"))),
      field(say("group_arrivals"), choice("arrivals", vocab().arrivals, o.arrivals || "digest", (m) => say(`arrivals_${m}`))),
      field(say("group_digest_minutes"), choice("digest_minutes", vocab().digest_minutes, o.digest_minutes || 15, (m) => say(`digest_minutes_${m}`))),
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
  return el("ul", {}, [...vocab().priorities].reverse().map((p) =>
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
      field(say("col_type"), choice("case_type", vocab().case_types, was("type", "is"), typeWord, say("any"))),
      field(say("rule_within_category"), categorySelect("category_id", flat, was("category", "within"), say("any"))),
      field(say("col_priority"), choice("priority", vocab().priorities, was("priority", "is"), (p) => say(`priority_${p}`), say("any"))),
      field(say("rule_customer_category"), choice("customer_category", vocab().customer_categories, was("customer_category", "is"), customerCategoryWord, say("any"))),
      otherConditions(o.conditions, POLICY_FORM_CONDITIONS, { category: categoryName })),
    field(say("policy_first_response_minutes"), el("input", { name: "first_response_minutes", type: "number", min: 0.01, step: "any", value: o.first_response_minutes ?? "" })),
    field(say("policy_resolution_minutes"), el("input", { name: "resolution_minutes", type: "number", min: 0.01, step: "any", value: o.resolution_minutes ?? "" })),
    field(say("policy_hours"), choice("hours", vocab().sla_hours, o.hours || vocab().sla_hours[0], (h) => say(`hours_${h}`))),
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
          el("td", {}, labelled(choice(`level${i}_notify`, vocab().escalation_audiences, v.notify || vocab().escalation_audiences[0], audience), label("notify"))),
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
    checkList("weekdays", say("calendar_days"), vocab().weekdays, calendar ? o.weekdays : vocab().weekdays.slice(0, 5), day),
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
    el("tbody", {}, vocab().weekdays.map((d) => {
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
  for (const d of vocab().weekdays) {
    const from = form.elements.namedItem(`day${d}_from`).value, to = form.elements.namedItem(`day${d}_to`).value;
    if (from || to) hours[String(d)] = { opens: from || null, closes: to || null };
  }
  return hours;
}
