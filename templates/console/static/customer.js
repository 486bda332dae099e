// A customer: their screen (cases, the phone desk, the 360 beside them), the phone desk
// itself (open a case, log a call, register a product, correct the contact details; register
// a caller nobody matches) and the customer 360 the case screen shows too (customerPanel).
// Loaded when its screen is first opened; the frame's helpers come through wire(ui).

import { el } from "./shared/dom.js";
import { ApiError } from "./shared/api.js";
import { money } from "./shared/format.js";
import { staffMarks } from "./customer_flags.js";

let T, lang, say, api, can, explain, field, select, notice, problem, route, when, staffName, vocab,
  caseTable, categoryChoice, adminUi;

/** Takes the frame's helpers (console.js `frameUi`): its strings and language, vocab() (GET
 *  /vocabulary's answer), the case table and category choice of lists.js, and adminUi (what
 *  customer_flags.js receives). */
export function wire(ui) {
  ({ strings: T, lang, say, api, can, explain, field, select, notice, problem, route, when, staffName, vocab,
     caseTable, categoryChoice, adminUi } = ui);
}

export async function customerCases(customer) {
  const page = await api("GET", `/cases?view=customer&customer_id=${customer.id}&limit=50`);
  const [overview, marks] = await Promise.all([api("GET", `/customers/${customer.id}/overview`).catch(() => null),
    staffMarks(adminUi(), customer.id).catch(() => null)]);
  return [el("div", { class: "case-screen" },
    el("section", {}, el("p", {}, el("strong", { text: customer.name }), ` · ${customer.phone || ""} · ${customer.email || ""}`),
      caseTable(page.items), await phoneDesk(customer, overview, page.items)),
    customerPanel(overview, null, marks))];
}

export async function customerView(_, id) {
  const customer = await api("GET", `/customers/${encodeURIComponent(id)}`);
  return [el("h1", { text: customer.name }), ...(await customerCases(customer))];
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
    field(say("col_type"), select("type", vocab().case_types, "complaint", "type_")),
    field(say("col_priority"), select("priority", vocab().priorities, "normal", "priority_")),
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
        field(say("outcome"), select("outcome", vocab().call_outcomes, "answered", "outcome_")),
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
      const here = [...path, (lang === "en" && n.name_en) || n.name];
      for (const p of n.products) list.append(el("option", { value: p.id, text: `${here.join(" › ")} › ${p.name}` }));
      walk(n.children || [], here);
    });
    walk(tree, []);
  } catch (error) {
    catalog = null;
    problem(explain(error));
  }
}


/** Nobody matches what the caller said: register them, with their case, in one step. */
export async function newCallerForm(text) {
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

/** The customer 360 beside a case or the customer screen; `marks`: staff's flags and note
 *  (customer_flags.js), for those with the permission. */
export function customerPanel(o, caseId, marks = null) {
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
    block(say("orders"), o.orders, (x) => el("span", {}, `${x.order.order_id} · ${when(x.order.placed_at)} · ${money(x.order.total, x.order.currency, lang)}`,
      x.shipments.map(shipmentLine))),
    o.other_shipments.length ? block(say("other_shipments"), o.other_shipments, shipmentLine) : null,
    block(say(caseId ? "earlier_cases" : "customer_cases"), o.cases.filter((x) => x.id !== caseId), (x) => el("a", { href: `#/case/${x.id}`, text: `${x.number} · ${x.subject} · ${say(`status_${x.status}`)}${x.assignee ? ` · ${staffName(x.assignee)}` : ""}${x.order ? ` · ${say("col_order")}: ${orderRef(x.order)}` : ""}${ratingShort(x)}` })),
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
export function orderRef(o) {
  return [o.order_id, o.shipment_id, o.carrier && `${o.carrier} ${o.tracking_number || ""}`.trim()].filter(Boolean).join(" · ");
}

function block(title, items, line) {
  return el("section", {}, el("h3", { text: title }),
    items && items.length ? el("ul", {}, items.map((item) => el("li", {}, line(item)))) : el("p", { class: "empty", text: "—" }));
}

/** A case's rating in a short line (the customer 360's case list): "★ 4/5", and the flag. */
function ratingShort(x) {
  const parts = [];
  if (x.rating) parts.push(say("rating_short", { score: x.rating.score, scale: x.rating.scale }));
  if (x.agent_rating) parts.push(say("rating_short_agent", { score: x.agent_rating.score, scale: x.agent_rating.scale }));
  if (x.follow_up && !x.follow_up.done_at) parts.push(say("follow_up_flag"));
  return parts.length ? ` · ${parts.join(" · ")}` : "";
}
