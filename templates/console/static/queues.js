// A supervisor's queues: each group's cases by status with its breaches, and what each agent
// holds (GET /workload). Loaded when its screen is first opened.

import { el } from "./shared/dom.js";

let say, api, groupName;

/** Takes the frame's helpers (console.js `frameUi`). */
export function wire(ui) {
  ({ say, api, groupName } = ui);
}

export async function queues() {
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
