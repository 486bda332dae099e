// destek console: the product catalog on #/admin/catalog (docs/console-and-site.md). The category tree
// (each branch opens and closes), a chosen category's form (rename, move it with everything
// under it: its new parent is chosen from the categories outside its own subtree, the API
// refuses a cycle anyway), its products with their attributes and warranty, and a product form
// (attributes as rows: name, allowed values, default). Every write carries the version it was
// read at: a 409 reloads the screen and says so. Imported by console.js, which hands in its
// helpers (`ui`); every text comes from the strings files through ui.say.

const ATTRIBUTE_ROWS = 2; // empty attribute rows a product form offers besides the ones it has

/** The catalog screen; `?category=` chooses a category, `&product=` a product to edit. */
export async function catalogAdmin(ui) {
  const { el, say } = ui;
  const params = new URLSearchParams(location.hash.split("?")[1] || "");
  const tree = await ui.api("GET", "/product-categories");
  const flat = [];
  const walk = (nodes, depth) => nodes.forEach((n) => { flat.push([n, depth]); walk(n.children, depth + 1); });
  walk(tree, 0);
  const chosen = (flat.find(([n]) => n.id === params.get("category")) || [])[0] || null;
  const products = chosen ? (await ui.api("GET", `/products?category_id=${encodeURIComponent(chosen.id)}&limit=100`)).items : [];
  const product = products.find((p) => p.id === params.get("product")) || null;
  const nameOf = (n) => (ui.lang === "en" && n.name_en ? n.name_en : n.name);
  return el("div", { class: "catalog-admin" },
    el("section", { class: "catalog-tree", "aria-label": say("catalog_tree") },
      el("h2", { text: say("catalog_tree") }),
      tree.length ? branch(ui, tree, chosen, nameOf) : el("p", { text: say("catalog_empty") })),
    chosen ? categoryForm(ui, chosen, flat, nameOf) : null,
    chosen ? productList(ui, chosen, products, flat, nameOf) : null,
    chosen && ui.can("products", product ? "edit" : "add") ? productForm(ui, chosen, product, flat, nameOf) : null,
    ui.can("products", "add") ? newCategoryForm(ui, chosen, flat, nameOf) : null);
}

/** A level of the tree: a branch with children is a <details> (open on the way to the chosen one). */
function branch(ui, nodes, chosen, nameOf) {
  const { el } = ui;
  return el("ul", { class: "tree" }, nodes.map((n) => {
    const link = el("a", { href: `#/admin/catalog?category=${encodeURIComponent(n.id)}`, text: nameOf(n),
      "aria-current": chosen && chosen.id === n.id ? "true" : null });
    if (!n.children.length) return el("li", { "data-category": n.id }, link);
    const open = Boolean(chosen && chosen.path.includes(n.id));
    // the link stays outside <summary>: a control inside another is unreachable (axe: nested-interactive)
    return el("li", { "data-category": n.id }, link,
      el("details", { open }, el("summary", { text: ui.say("catalog_subcategories", { n: n.children.length }) }),
        branch(ui, n.children, chosen, nameOf)));
  }));
}

function categoryChoice(ui, name, flat, current, none, leaveOut = () => false) {
  const shown = flat.filter(([n]) => !leaveOut(n));
  const words = Object.fromEntries(shown.map(([n, depth]) => [n.id, `${"· ".repeat(depth)}${n.name}`]));
  return ui.choice(name, shown.map(([n]) => n.id), current, (id) => words[id], none);
}

function categoryForm(ui, category, flat, nameOf) {
  const { el, say } = ui;
  if (!ui.can("products", "edit")) return el("h2", { text: nameOf(category) });
  const form = el("form", { id: "catalog-category-form", onsubmit: ui.submit(async () => {
    const get = (n) => form.elements.namedItem(n);
    const body = { version: category.version };
    if (get("name").value !== category.name) body.name = get("name").value;
    if (get("name_en").value !== (category.name_en || "")) body.name_en = get("name_en").value.trim() || null;
    const parent = get("parent_id").value || null;
    if (parent !== (category.parent_id || null)) body.parent_id = parent;
    if (Object.keys(body).length === 1) return;
    await ui.api("PATCH", `/product-categories/${encodeURIComponent(category.id)}`, body);
  }, say("catalog_category_saved")) },
  el("h2", { text: say("catalog_category_edit", { name: nameOf(category) }) }),
  ui.field(say("catalog_name"), el("input", { name: "name", required: true, value: category.name })),
  ui.field(say("catalog_name_en"), el("input", { name: "name_en", value: category.name_en || "" })),
  // moving: anywhere but under itself or its own subcategories (the API says so too: category_cycle)
  ui.field(say("catalog_parent"), categoryChoice(ui, "parent_id", flat, category.parent_id, say("catalog_top"),
    (n) => n.path.includes(category.id))),
  el("button", { type: "submit", text: say("save") }),
  ui.can("products", "delete") ? el("button", { type: "button", class: "danger", text: say("delete"),
    onclick: ui.submit(async () => {
      await ui.api("DELETE", `/product-categories/${encodeURIComponent(category.id)}`);
      location.hash = "#/admin/catalog";
    }, say("deleted")) }) : null);
  return form;
}

function newCategoryForm(ui, chosen, flat) {
  const { el, say } = ui;
  const form = el("form", { id: "catalog-new-category", onsubmit: ui.submit(async () => {
    const get = (n) => form.elements.namedItem(n);
    const made = await ui.api("POST", "/product-categories", { name: get("name").value,
      name_en: get("name_en").value.trim() || null, parent_id: get("parent_id").value || null });
    location.hash = `#/admin/catalog?category=${encodeURIComponent(made.id)}`;
  }, say("catalog_category_added")) },
  el("h2", { text: say("catalog_category_new") }),
  ui.field(say("catalog_name"), el("input", { name: "name", required: true })),
  ui.field(say("catalog_name_en"), el("input", { name: "name_en" })),
  ui.field(say("catalog_parent"), categoryChoice(ui, "parent_id", flat, chosen ? chosen.id : null, say("catalog_top"))),
  el("button", { type: "submit", text: say("add") }));
  return form;
}

const attributeWords = (p) => p.attributes.map((a) => (a.values.length ? `${a.name}: ${a.values.join(" / ")}` : a.name)).join(" · ");

function productList(ui, category, products, flat, nameOf) {
  const { el, say } = ui;
  const categoryName = (id) => { const n = (flat.find(([c]) => c.id === id) || [])[0]; return n ? nameOf(n) : id; };
  const here = `#/admin/catalog?category=${encodeURIComponent(category.id)}`;
  return el("section", { class: "catalog-products", "aria-label": say("catalog_products") },
    el("h2", { text: say("catalog_products_in", { name: nameOf(category) }) }),
    products.length ? el("table", { class: "list" },
      el("thead", {}, el("tr", {}, ["name", "brand_model", "category", "attributes", "warranty"].map((k) => el("th", { scope: "col", text: say(`catalog_col_${k}`) })))),
      el("tbody", {}, products.map((p) => el("tr", { "data-product": p.id },
        el("td", {}, ui.can("products", "edit") ? el("a", { href: `${here}&product=${encodeURIComponent(p.id)}`, text: p.name }) : p.name),
        el("td", { text: [p.brand, p.model, p.sub_model].filter(Boolean).join(" ") }),
        el("td", { text: categoryName(p.category_id) }),
        el("td", { text: attributeWords(p) || "—" }),
        el("td", { text: say("catalog_months", { n: p.warranty_months }) })))))
      : el("p", { text: say("catalog_no_products") }));
}

function productForm(ui, category, product, flat, nameOf) {
  const { el, say } = ui;
  const o = product || {};
  const attributes = [...(o.attributes || []), ...Array(ATTRIBUTE_ROWS).fill(null)];
  const form = el("form", { id: "catalog-product-form", onsubmit: ui.submit(async () => {
    const get = (n) => form.elements.namedItem(n);
    const rows = attributes.map((_, i) => ({
      name: get(`attr${i}_name`).value.trim(),
      values: get(`attr${i}_values`).value.split(",").map((v) => v.trim()).filter(Boolean),
      default: get(`attr${i}_default`).value.trim() || null,
    })).filter((a) => a.name);
    const body = {
      brand: get("brand").value, model: get("model").value, sub_model: get("sub_model").value.trim() || null,
      name: get("name").value, category_id: get("category_id").value,
      warranty_months: get("warranty_months").value === "" ? null : Number(get("warranty_months").value),
      attributes: rows,
    };
    if (product) await ui.api("PATCH", `/products/${encodeURIComponent(product.id)}`, { version: product.version, ...body });
    else await ui.api("POST", "/products", body);
  }, say("catalog_product_saved")) },
  el("h2", { text: product ? say("catalog_product_edit", { name: product.name }) : say("catalog_product_new") }),
  ui.field(say("catalog_product_name"), el("input", { name: "name", required: true, value: o.name || "" })),
  ui.field(say("catalog_brand"), el("input", { name: "brand", required: true, value: o.brand || "" })),
  ui.field(say("catalog_model"), el("input", { name: "model", required: true, value: o.model || "" })),
  ui.field(say("catalog_sub_model"), el("input", { name: "sub_model", value: o.sub_model || "" })),
  ui.field(say("catalog_category"), categoryChoice(ui, "category_id", flat, o.category_id || category.id)),
  ui.field(say("catalog_warranty_months"), el("input", { name: "warranty_months", type: "number", min: 0, max: 120, required: true, value: o.warranty_months ?? 24 })),
  el("table", { class: "list attributes" },
    el("caption", { text: say("catalog_attributes") }),
    el("thead", {}, el("tr", {}, ["name", "values", "default"].map((k) => el("th", { scope: "col", text: say(`catalog_attr_${k}`) })))),
    el("tbody", {}, attributes.map((a, i) => {
      const v = a || { name: "", values: [], default: null };
      const label = (k) => `${say("catalog_attr_n", { n: i + 1 })} ${say(`catalog_attr_${k}`)}`;
      return el("tr", {},
        el("td", {}, el("input", { name: `attr${i}_name`, value: v.name, "aria-label": label("name") })),
        el("td", {}, el("input", { name: `attr${i}_values`, value: v.values.join(", "), "aria-label": label("values") })),
        el("td", {}, el("input", { name: `attr${i}_default`, value: v.default || "", "aria-label": label("default") })));
    }))),
  el("button", { type: "submit", text: say("save") }),
  product && ui.can("products", "delete") ? el("button", { type: "button", class: "danger", text: say("delete"),
    onclick: ui.submit(async () => {
      await ui.api("DELETE", `/products/${encodeURIComponent(product.id)}`);
      location.hash = `#/admin/catalog?category=${encodeURIComponent(category.id)}`;
    }, say("deleted")) }) : null);
  return form;
}
