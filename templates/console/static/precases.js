// Pre-cases: the pool by channel (claim, hand many to an agent) with my own, and one
// pre-case's screen (claim, make a case of it, set it aside as spam or a duplicate). Loaded
// when its screen is first opened; the frame's helpers come through wire(ui).

import { el } from "./shared/dom.js";
import { ApiError } from "./shared/api.js";

let say, api, can, explain, field, select, notice, problem, route, when, staffName, staffChoice, vocab;

/** Takes the frame's helpers (console.js `frameUi`); vocab() is GET /vocabulary's answer. */
export function wire(ui) {
  ({ say, api, can, explain, field, select, notice, problem, route, when, staffName, staffChoice, vocab } = ui);
}

export async function preCaseList() {
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

export async function preCaseScreen(_, id) {
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
        field(say("col_type"), select("type", vocab().case_types, p.case_type || "request", "type_")),
        field(say("convert_for"), el("input", { name: "customer", placeholder: p.customer_id ? say("matched_customer") : say("new_from_sender") })),
        el("button", { type: "submit", text: say("convert") })),
      el("button", { type: "button", onclick: run(() => api("POST", `/precases/${p.id}/set-aside`, { version: p.version, outcome: "spam" }), say("set_aside")), text: say("spam") }),
      el("form", { class: "duplicate-form", onsubmit: run((e) => api("POST", `/precases/${p.id}/set-aside`, { version: p.version, outcome: "duplicate", duplicate_of: e.target.duplicate_of.value.trim() }), say("merged")) },
        field(say("duplicate_of"), el("input", { name: "duplicate_of", required: true, pattern: "[0-9]{4}-[0-9]{6,}", placeholder: "2026-000123" })),
        el("button", { type: "submit", text: say("set_duplicate") })))
      : null);
}

function warningText(w) {
  return say(`warn_${w.code}`, { ...w, reason: w.detail ? say(`file_reason_${w.detail}`) : "" });
}
