// destek console: the reports page (standard reports as a chart and a table, CSV and XLSX
// downloads, the SLA drill-down to breached cases) and the open data store's SQL page.
// Imported by console.js, which hands in its helpers (`ui`): this module keeps no session
// and knows no words; every text comes from the strings files through ui.say.
//
// Charts: Chart.js (templates/console/static/chart.umd.min.js, MIT, vendored as npm ships
// it; see README "Libraries"), loaded only when a report is first drawn.

export const REPORTS = ["sla", "volume", "backlog", "agents", "topics", "products", "satisfaction",
  "deflection", "assistant"];
export const DIMENSIONS = ["day", "group", "agent", "category", "type", "channel", "priority",
  "product_group", "product", "customer_category", "topic"];
// the measure a report's chart shows, and whether it is a share (0..1)
const CHART_MEASURE = { sla: "sla_share", volume: "opened", backlog: "backlog",
  agents: "resolved", topics: "complaints", products: "complaints_per_1000_units",
  satisfaction: "csat", deflection: "deflection_share", assistant: "answered_share" };
// the SLA report's row keys that GET /reports/sla/breached filters by
const BREACH_FILTERS = ["group", "agent", "priority"];

let chartLibrary = null;
// names of the codes the vocabulary does not hold: routing rules (topics), product groups
// and products; read once per page load, when a report first shows such a dimension
const lookedUp = { topic: null, product: null, product_group: null };

/** Fills `lookedUp` for the table's dimensions: GET /routing-rules (when the reader may),
 *  GET /catalog (the product tree the site shows). A failed read leaves the codes. */
async function lookUpNames(ui, table) {
  const reads = [];
  if (table.by.includes("topic") && !lookedUp.topic && ui.can("routing_rules", "read")) {
    reads.push(ui.api("GET", "/routing-rules").then((rules) => {
      lookedUp.topic = new Map((rules.items || rules).map((r) => [r.id, r.name]));
    }).catch(() => {}));
  }
  if (table.by.some((d) => d === "product" || d === "product_group") && !lookedUp.product) {
    reads.push(ui.api("GET", "/catalog").then((tree) => {
      lookedUp.product = new Map();
      lookedUp.product_group = new Map();
      const walk = (nodes) => nodes.forEach((n) => {
        lookedUp.product_group.set(n.id, ui.lang === "en" ? n.name_en || n.name : n.name);
        (n.products || []).forEach((p) => lookedUp.product.set(p.id, p.name));
        walk(n.children || []);
      });
      walk(tree);
    }).catch(() => {}));
  }
  await Promise.all(reads);
}

/** Chart.js, loaded once as a classic script from the console's own origin (CSP 'self'). */
export function loadChart() {
  if (!chartLibrary) {
    chartLibrary = new Promise((resolve, reject) => {
      if (window.Chart) { resolve(window.Chart); return; }
      const script = document.createElement("script");
      script.src = "console/chart.umd.min.js";
      script.onload = () => resolve(window.Chart);
      script.onerror = () => { chartLibrary = null; reject(new Error("chart")); };
      document.head.append(script);
    });
  }
  return chartLibrary;
}

/** Today's date in Europe/Istanbul as YYYY-MM-DD, `days` from now. */
export function istanbulDay(days = 0, now = Date.now()) {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Istanbul", year: "numeric",
    month: "2-digit", day: "2-digit" }).format(new Date(now + days * 86400000));
  return parts; // en-CA formats as YYYY-MM-DD
}

/** The page's choices from the hash: #/reports?report=sla&from=...&to=...&by=group,day */
function choices() {
  const query = new URLSearchParams(location.hash.split("?")[1] || "");
  const report = REPORTS.includes(query.get("report")) ? query.get("report") : "volume";
  const by = (query.get("by") || "").split(",").filter((d) => DIMENSIONS.includes(d)).slice(0, 2);
  return {
    report,
    from: query.get("from") || istanbulDay(-29),
    to: query.get("to") || istanbulDay(0),
    by: by.length || query.has("by") ? by : ["day"],
  };
}

function hashOf(c) {
  const query = new URLSearchParams({ report: c.report, from: c.from, to: c.to, by: c.by.join(",") });
  return `#/reports?${query}`;
}

function apiQuery(c) {
  const query = new URLSearchParams({ from: c.from, to: c.to });
  if (c.by.length) query.set("by", c.by.join(","));
  return query.toString();
}

const localeOf = (ui) => (ui.lang === "en" ? "en-GB" : "tr-TR");

/** A share (0..1) as the page's language writes a percent ("%9,5" in Turkish, "9.5%" in
 *  English), at most one decimal; "—" when missing. Shared with the survey results. */
export function shareText(ui, value) {
  if (value === null || value === undefined || value === "") return "—";
  return new Intl.NumberFormat(localeOf(ui), { style: "percent", maximumFractionDigits: 1 }).format(value);
}

/** A number in the page's language's format, at most `digits` decimals; "—" when missing. */
export function numberText(ui, value, digits = 2) {
  if (value === null || value === undefined || value === "") return "—";
  return new Intl.NumberFormat(localeOf(ui), { maximumFractionDigits: digits }).format(value);
}

/** A cell's words: dimension codes become names, numbers the reader's format. */
function cellText(ui, kind, key, value) {
  if (value === null || value === undefined || value === "") return "—";
  switch (kind) {
    case "dimension": return dimensionName(ui, key, value);
    case "count": return new Intl.NumberFormat(localeOf(ui)).format(value);
    case "share": return shareText(ui, value);
    case "minutes": return ui.duration(value);
    case "number": return numberText(ui, value);
    default: return String(value);
  }
}

export function dimensionName(ui, dimension, code) {
  const word = (prefix) => (ui.has(`${prefix}_${code}`) ? ui.say(`${prefix}_${code}`) : code);
  switch (dimension) {
    case "group": return ui.groupName(code);
    case "agent": return ui.staffName(code);
    case "category": return ui.categoryName(code);
    case "type": return word("type");
    case "channel": return word("channel");
    case "priority": return word("priority");
    case "customer_category": return word("customer_category");
    case "topic": case "product": case "product_group":
      return (lookedUp[dimension] && lookedUp[dimension].get(code)) || code;
    case "day": {
      const locale = ui.lang === "en" ? "en-GB" : "tr-TR";
      return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone: "UTC" })
        .format(new Date(`${code}T00:00:00Z`));
    }
    default: return code;
  }
}

function rowLabel(ui, table, row) {
  return table.by.map((d) => dimensionName(ui, d, row[d])).join(" · ") || ui.say("report_total");
}

function safeLink(value) {
  try {
    const url = new URL(value);
    return ["http:", "https:"].includes(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}

function reportTable(ui, table, c) {
  const { el, say } = ui;
  const head = el("tr", {}, table.columns.map((col) => el("th", { scope: "col",
    text: say(col.kind === "dimension" ? `report_dim_${col.key}` : `report_col_${col.key}`) })));
  const drill = c.report === "sla";
  if (drill) head.append(el("th", { scope: "col", text: say("report_breached_cases") }));
  const line = (row, total) => {
    const tr = el("tr", total ? { class: "total" } : {}, table.columns.map((col) => {
      const value = row[col.key];
      if (col.kind === "link" && value && safeLink(value)) {
        return el("td", {}, el("a", { href: safeLink(value), rel: "noopener noreferrer", target: "_blank", text: say("report_open_link") }));
      }
      const text = total && col.kind === "dimension" && col.key === table.by[0] ? say("report_total") : cellText(ui, col.kind, col.key, value);
      return el("td", { class: col.kind === "dimension" || col.kind === "text" ? "" : "num", text });
    }));
    if (drill) {
      const query = new URLSearchParams({ from: table.start, to: table.end });
      for (const d of table.by) if (BREACH_FILTERS.includes(d) && row[d]) query.set(d, row[d]);
      if (table.by.includes("day") && row.day) { query.set("from", row.day); query.set("to", row.day); }
      const breached = (row.sla_first_response_breached ?? 0) + (row.sla_resolution_breached ?? 0);
      tr.append(el("td", { class: "num" }, breached
        ? el("a", { href: `#/breached?${query}`, text: say("report_show_breached", { n: breached }) })
        : "—"));
    }
    return tr;
  };
  // a region that scrolls sideways takes the keyboard's focus, so it can be scrolled without a mouse
  return el("div", { class: "report-scroll", tabindex: "0", role: "region", "aria-label": say(`report_${table.report}`) },
    el("table", { class: "list report" },
    el("caption", { class: "visually-hidden", text: say(`report_${table.report}`) }),
    el("thead", {}, head),
    el("tbody", {}, table.rows.map((row) => line(row, false))),
    table.rows.length && Object.keys(table.totals || {}).length ? el("tfoot", {}, line(table.totals, true)) : null));
}

async function drawChart(ui, canvas, table, c) {
  const measure = CHART_MEASURE[c.report];
  const column = table.columns.find((col) => col.key === measure)
    || table.columns.find((col) => ["count", "share", "number", "minutes"].includes(col.kind));
  if (!column || !table.rows.length) return null;
  const Chart = await loadChart();
  const share = column.kind === "share";
  const trend = table.by[0] === "day" && table.by.length === 1;
  return new Chart(canvas, {
    type: trend ? "line" : "bar",
    data: {
      labels: table.rows.map((row) => rowLabel(ui, table, row)),
      datasets: [{
        label: ui.say(`report_col_${column.key}`),
        data: table.rows.map((row) => (row[column.key] === null ? null : (share ? row[column.key] * 100 : row[column.key]))),
        borderColor: "#0b5cad", backgroundColor: trend ? "rgba(11, 92, 173, 0.15)" : "#0b5cad", fill: trend,
        maxBarThickness: 32,
      }],
    },
    options: {
      animation: false, responsive: true, maintainAspectRatio: false, indexAxis: trend ? "x" : "y",
      scales: { [trend ? "y" : "x"]: { beginAtZero: true, ...(share ? { max: 100 } : {}),
        ticks: { precision: column.kind === "count" ? 0 : undefined } } },
      plugins: { legend: { display: false } },
    },
  });
}

/** Fetches an export with the session's token and saves it (a plain link cannot send it). */
async function download(ui, c, format) {
  const query = `${apiQuery(c)}&format=${format}&lang=${ui.lang}`;
  const types = { csv: "text/csv", xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" };
  const blob = await ui.apiFile(`/reports/${c.report}/export?${query}`, types[format]);
  const link = ui.el("a", { href: URL.createObjectURL(blob), download: `destek-${c.report}-${c.from}-${c.to}.${format}` });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10000);
}

function pickers(ui, c) {
  const { el, say } = ui;
  const dimension = (name, current, none) => el("select", { name },
    none ? el("option", { value: "", text: say("report_by_none") }) : null,
    DIMENSIONS.map((d) => el("option", { value: d, text: say(`report_dim_${d}`), selected: d === current })));
  const form = el("form", { class: "report-pickers" },
    ui.field(say("report_which"), el("select", { name: "report" },
      REPORTS.map((r) => el("option", { value: r, text: say(`report_${r}`), selected: r === c.report })))),
    ui.field(say("report_from"), el("input", { type: "date", name: "from", value: c.from, required: true })),
    ui.field(say("report_to"), el("input", { type: "date", name: "to", value: c.to, required: true })),
    ui.field(say("report_by"), dimension("by1", c.by[0], true)),
    ui.field(say("report_then_by"), dimension("by2", c.by[1], true)),
    el("button", { type: "submit", text: say("report_show") }));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const f = event.target.elements;
    const by = [f.by1.value, f.by2.value].filter(Boolean).filter((d, i, all) => all.indexOf(d) === i);
    location.hash = hashOf({ report: f.report.value, from: f.from.value, to: f.to.value, by });
  });
  return form;
}

/** #/reports: pickers, the chart, the table, downloads. */
export async function reportsView(ui) {
  const { el, say } = ui;
  const c = choices();
  const heading = el("h1", { text: say("reports_title") });
  const form = pickers(ui, c);
  let table;
  try {
    table = await ui.api("GET", `/reports/${c.report}?${apiQuery(c)}`);
    await lookUpNames(ui, table);
  } catch (error) {
    return [heading, form, el("p", { class: "problem", role: "alert", text: ui.explain(error) })];
  }
  const canvas = el("canvas", { id: "report-chart", role: "img", "aria-label": say(`report_${c.report}`) });
  const downloads = el("p", { class: "downloads" },
    ["csv", "xlsx"].map((format) => el("button", { type: "button", class: "link", "data-format": format,
      text: say(`report_download_${format}`),
      onclick: () => download(ui, c, format).catch((error) => ui.problem(ui.explain(error))) })));
  const day = (iso) => dimensionName(ui, "day", iso);
  const period = table.previous_start
    ? say("report_period_compared", { from: day(table.start), to: day(table.end),
      pfrom: day(table.previous_start), pto: day(table.previous_end) })
    : say("report_period", { from: day(table.start), to: day(table.end) });
  const body = table.rows.length
    ? [el("div", { class: "chart" }, canvas), reportTable(ui, table, c)]
    : [el("p", { class: "empty", text: say("report_empty") })];
  const view = [heading, form, el("p", { class: "meta", text: period }), downloads, ...body];
  if (table.rows.length) {
    // drawn once the canvas is in the page; a failed chart leaves the table, which says it all
    requestAnimationFrame(() => drawChart(ui, canvas, table, c).catch(() => canvas.parentElement.remove()));
  }
  return view;
}

/** #/breached?from&to&group...: the SLA report's breached cases, each a link to the case. */
export async function breachedView(ui) {
  const { el, say } = ui;
  const query = new URLSearchParams(location.hash.split("?")[1] || "");
  // the days in words, as the report's own period line says them (not 2026-11-04)
  const day = (iso) => (/^\d{4}-\d{2}-\d{2}$/.test(iso || "") ? dimensionName(ui, "day", iso) : iso || "");
  const heading = el("h1", { text: say("report_breached_title", { from: day(query.get("from")), to: day(query.get("to")) }) });
  const back = el("p", {}, el("a", { href: `#/reports?report=sla&from=${query.get("from") || ""}&to=${query.get("to") || ""}&by=group`, text: say("report_back") }));
  const answer = await ui.api("GET", `/reports/sla/breached?${query}`);
  const items = answer.items || [];
  if (!items.length) return [heading, back, el("p", { class: "empty", text: say("report_no_breached") })];
  const columns = ["number", "subject", "target", "breached_at", "group", "agent", "priority"];
  return [heading, back, el("table", { class: "list" },
    el("thead", {}, el("tr", {}, columns.map((k) => el("th", { scope: "col", text: say(`breached_col_${k}`) })))),
    el("tbody", {}, items.map((b) => el("tr", { "data-case": b.case_id },
      el("td", { class: "number" }, el("a", { href: `#/case/${encodeURIComponent(b.case_id)}`, text: b.number || b.case_id })),
      el("td", { text: b.subject || "—" }),
      el("td", { text: say(`target_${b.target}`) }),
      el("td", { text: ui.when(b.at) }),
      el("td", { text: ui.groupName(b.group) }),
      el("td", { text: ui.staffName(b.agent) }),
      el("td", { text: b.priority ? say(`priority_${b.priority}`) : "—" }))))),
  answer.more ? el("p", { class: "meta", text: say("report_breached_more") }) : null];
}

/** #/sql: read-only SQL over the case-event archive (POST /analytics/sql). */
export function sqlView(ui) {
  const { el, say } = ui;
  const result = el("div", { id: "sql-result" });
  const example = "SELECT type, count(*) AS n FROM events GROUP BY type ORDER BY n DESC";
  const form = el("form", { class: "sql" },
    ui.field(say("sql_label"), el("textarea", { name: "sql", rows: 6, spellcheck: "false", text: example })),
    el("button", { type: "submit", text: say("sql_run") }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button");
    button.disabled = true;
    result.replaceChildren(el("p", { class: "meta", text: say("sql_running") }));
    try {
      const answer = await ui.api("POST", "/analytics/sql", { sql: form.elements.sql.value });
      result.replaceChildren(sqlTable(ui, answer));
    } catch (error) {
      result.replaceChildren(el("p", { class: "problem", role: "alert", text: ui.explain(error) }));
    } finally {
      button.disabled = false;
    }
  });
  return [el("h1", { text: say("sql_title") }), el("p", { class: "meta", text: say("sql_help") }), form, result];
}

function sqlTable(ui, answer) {
  const { el, say } = ui;
  const columns = answer.columns || [];
  const rows = answer.rows || [];
  const locale = ui.lang === "en" ? "en-GB" : "tr-TR";
  const facts = say("sql_facts", { rows: rows.length,
    seconds: new Intl.NumberFormat(locale, { maximumFractionDigits: 2 }).format(answer.seconds ?? 0),
    mb: new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format((answer.bytes_scanned ?? 0) / 1e6) });
  return el("div", {},
    el("p", { class: "meta", text: answer.truncated ? `${facts} · ${say("sql_truncated")}` : facts }),
    el("table", { class: "list" },
      el("thead", {}, el("tr", {}, columns.map((name) => el("th", { scope: "col", text: name })))),
      el("tbody", {}, rows.map((row) => el("tr", {},
        row.map((v) => el("td", { text: v === null || v === undefined ? "—" : String(v) })))))));
}
