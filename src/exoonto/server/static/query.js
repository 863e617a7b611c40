// The query page: stored-query picker, parameter form, run, results table. No libraries.
"use strict";
(function () {
  const BASE = "https://w3id.org/exoonto/";
  const form = document.getElementById("query-form");
  const picker = document.getElementById("stored");
  const summary = document.getElementById("stored-summary");
  const paramsBox = document.getElementById("params");
  const editor = document.getElementById("query");
  const status = document.getElementById("status");
  const results = document.getElementById("results");
  let catalogue = [];
  let storedText = null; // the editor text of the chosen stored query, unedited

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function chosen() {
    return catalogue.find((q) => q.id === picker.value) || null;
  }

  async function loadCatalogue() {
    try {
      const response = await fetch("/queries", { headers: { Accept: "application/json" } });
      catalogue = await response.json();
    } catch (err) {
      catalogue = [];
    }
    for (const q of catalogue) {
      picker.appendChild(el("option", { value: q.id }, q.id + " — " + (q.summary || "")));
    }
    const wanted = new URLSearchParams(location.search).get("stored");
    if (wanted && catalogue.some((q) => q.id === wanted)) {
      picker.value = wanted;
      pick();
    }
  }

  function pick() {
    paramsBox.replaceChildren();
    results.replaceChildren();
    status.textContent = "";
    const q = chosen();
    if (!q) {
      summary.textContent = "";
      storedText = null;
      return;
    }
    summary.textContent = q.description || q.summary || "";
    // the editor shows the SPARQL; the "#+" metadata header is what the summary above says
    const body = q.query.split("\n").filter((line) => !line.startsWith("#+")).join("\n").trim();
    editor.value = body;
    storedText = body;
    results.replaceChildren();
    status.textContent = "";
    for (const p of q.params || []) {
      const id = "param-" + p.name;
      const row = el("div", { class: "row" });
      row.appendChild(el("label", { for: id }, p.name + (p.required ? "" : " (optional)")));
      let input;
      if (p.enum && p.enum.length) {
        input = el("select", { id: id, name: p.name });
        if (!p.required) input.appendChild(el("option", { value: "" }, "—"));
        for (const v of p.enum) input.appendChild(el("option", { value: v }, v));
      } else {
        input = el("input", { id: id, name: p.name, type: "text" });
        if (p.default !== undefined && p.default !== null) input.value = p.default;
        if (p.example) input.placeholder = p.example;
      }
      input.dataset.param = p.name;
      row.appendChild(input);
      if (p.description) row.appendChild(el("span", { class: "muted" }, p.description));
      paramsBox.appendChild(row);
    }
  }

  function cell(term) {
    const td = el("td");
    if (!term) return td;
    if (term.type === "uri") {
      const href = term.value.startsWith(BASE) ? "/" + term.value.slice(BASE.length) : term.value;
      td.appendChild(el("a", { href: href }, term.value.startsWith(BASE) ? term.value.slice(BASE.length) : term.value));
    } else {
      td.textContent = term.value;
      if (term["xml:lang"] && term["xml:lang"] !== "en") {
        td.appendChild(el("span", { class: "tag" }, " @" + term["xml:lang"]));
      }
      if (term["xml:lang"]) td.lang = term["xml:lang"];
    }
    return td;
  }

  function showTable(data) {
    results.replaceChildren();
    if (typeof data.boolean === "boolean") {
      results.appendChild(el("p", { class: "boolean" }, "ASK: " + data.boolean));
      return 1;
    }
    const vars = data.head.vars;
    const rows = data.results.bindings;
    const table = el("table", { class: "list", id: "results-table" });
    const head = el("tr");
    for (const v of vars) head.appendChild(el("th", {}, v));
    table.appendChild(el("thead")).appendChild(head);
    const body = el("tbody");
    for (const row of rows) {
      const tr = el("tr");
      for (const v of vars) tr.appendChild(cell(row[v]));
      body.appendChild(tr);
    }
    table.appendChild(body);
    results.appendChild(table);
    return rows.length;
  }

  async function run(event) {
    event.preventDefault();
    const q = chosen();
    let request;
    const accept = "application/sparql-results+json, text/turtle;q=0.9";
    if (q && editor.value === storedText) {
      const params = new URLSearchParams();
      for (const input of paramsBox.querySelectorAll("[data-param]")) {
        if (input.value !== "") params.set(input.dataset.param, input.value);
      }
      request = fetch("/queries/" + encodeURIComponent(q.id) + "?" + params.toString(), {
        headers: { Accept: accept },
      });
    } else {
      request = fetch("/sparql", {
        method: "POST",
        headers: { Accept: accept, "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ query: editor.value }).toString(),
      });
    }
    status.textContent = "running…";
    status.className = "muted";
    const started = performance.now();
    try {
      const response = await request;
      const ms = Math.round(performance.now() - started);
      const type = response.headers.get("Content-Type") || "";
      if (!response.ok) {
        results.replaceChildren(el("pre", { class: "error" }, response.status + " " + (await response.text())));
        status.textContent = "error " + response.status;
        status.className = "error-text";
        return;
      }
      if (type.includes("json")) {
        const n = showTable(await response.json());
        status.textContent = n + (n === 1 ? " row" : " rows") + " in " + ms + " ms";
      } else {
        results.replaceChildren(el("pre", { class: "graph" }, await response.text()));
        status.textContent = "graph in " + ms + " ms";
      }
    } catch (err) {
      results.replaceChildren(el("pre", { class: "error" }, String(err)));
      status.textContent = "failed";
    }
  }

  picker.addEventListener("change", pick);
  form.addEventListener("submit", run);
  loadCatalogue();
})();
