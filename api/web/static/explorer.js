// The explorer's small script: suggestions as one types a name, and the SPARQL editor.
//
// Every page works without it. Nothing from the data is ever parsed as HTML here: elements are
// made with createElement and filled with textContent, so a label such as
// "<img src=x onerror=...>" is shown as the text it is. Requests go to this service only.
(function () {
  "use strict";

  const root = document.body.dataset.root || "";
  const SUGGESTIONS = 8;
  const DELAY_MS = 150;

  function debounce(action, delay) {
    let timer = null;
    return function (...args) {
      clearTimeout(timer);
      timer = setTimeout(() => action.apply(this, args), delay);
    };
  }

  function element(tag, className, text) {
    const made = document.createElement(tag);
    if (className) made.className = className;
    if (text !== undefined && text !== null) made.textContent = String(text);
    return made;
  }

  // --- suggestions under a name field ---------------------------------------------------------

  let counter = 0;

  function attachSuggestions(input) {
    // "open": choosing goes to the entity's page; "fill": it fills the field with the identifier.
    const mode = input.dataset.suggest;
    const list = element("ul", "suggestions");
    list.id = (input.id || "suggest-" + ++counter) + "-suggestions";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    input.insertAdjacentElement("afterend", list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("aria-expanded", "false");

    let hits = [];
    let active = -1;
    let pending = null;
    let asked = "";

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      const options = list.children;
      for (let i = 0; i < options.length; i++) {
        options[i].setAttribute("aria-selected", i === index ? "true" : "false");
      }
      active = index;
      if (index >= 0 && options[index]) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function choose(hit) {
      close();
      if (mode === "open") {
        window.location.assign(root + "/explore/entity/" + encodeURIComponent(hit.id));
      } else {
        input.value = hit.id;
        input.dispatchEvent(new Event("change", { bubbles: true }));
      }
    }

    function show(found) {
      hits = found;
      list.replaceChildren();
      found.forEach((hit, index) => {
        const option = element("li", "suggestion");
        option.id = list.id + "-" + index;
        option.setAttribute("role", "option");
        option.dataset.id = hit.id;
        option.appendChild(element("span", "label", hit.label));
        option.appendChild(element("span", "class", hit.class_label));
        option.appendChild(element("code", "id", hit.id));
        if (hit.matched && hit.matched !== hit.label) {
          option.appendChild(element("span", "matched", hit.matched));
        }
        list.appendChild(option);
      });
      if (found.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
        highlight(-1);
      } else {
        close();
      }
    }

    const lookUp = debounce(async function () {
      const text = input.value.trim();
      if (!text) {
        close();
        return;
      }
      if (pending) pending.abort();
      pending = new AbortController();
      asked = text;
      const url = root + "/api/entities?" + new URLSearchParams({ q: text, limit: SUGGESTIONS });
      try {
        const response = await fetch(url, {
          headers: { Accept: "application/json" },
          signal: pending.signal,
        });
        if (!response.ok) {
          close();
          return;
        }
        const page = await response.json();
        // An answer to an older text may arrive after the field changed again.
        if (asked === input.value.trim() && Array.isArray(page.items)) show(page.items);
      } catch (error) {
        if (error.name !== "AbortError") close();
      }
    }, DELAY_MS);

    input.addEventListener("input", lookUp);
    input.addEventListener("keydown", (event) => {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (!hits.length) return;
        event.preventDefault();
        if (list.hidden) {
          list.hidden = false;
          input.setAttribute("aria-expanded", "true");
        }
        const step = event.key === "ArrowDown" ? 1 : -1;
        // Cycles through the suggestions and back to the text as typed (-1).
        let next = active + step;
        if (next >= hits.length) next = -1;
        if (next < -1) next = hits.length - 1;
        highlight(next);
      } else if (event.key === "Enter") {
        if (!list.hidden && active >= 0 && hits[active]) {
          event.preventDefault();
          choose(hits[active]);
        }
      } else if (event.key === "Escape") {
        close();
      }
    });
    input.addEventListener("blur", close);
    // Keep the focus in the field while a suggestion is clicked, so blur does not close first.
    list.addEventListener("mousedown", (event) => event.preventDefault());
    list.addEventListener("click", (event) => {
      const option = event.target.closest("li[role=option]");
      if (!option) return;
      const index = Array.prototype.indexOf.call(list.children, option);
      if (hits[index]) choose(hits[index]);
    });
  }

  document.querySelectorAll("input[data-suggest]").forEach(attachSuggestions);

  // --- the SPARQL editor ---------------------------------------------------------------------

  const editor = document.getElementById("sparql-form");
  if (!editor) return;

  const textarea = document.getElementById("sparql-query");
  const output = document.getElementById("sparql-output");
  const downloads = document.getElementById("sparql-downloads");
  const examples = document.getElementById("example");
  const endpoint = editor.dataset.endpoint;
  const entities = (editor.dataset.base || "") + "id/";

  function updateDownloads() {
    downloads.querySelectorAll("a[data-format]").forEach((link) => {
      link.href = endpoint + "?" + new URLSearchParams({ query: textarea.value, format: link.dataset.format });
    });
  }

  function showDownloads(kind) {
    downloads.dataset.kind = kind;
    downloads.querySelectorAll("a[data-format]").forEach((link) => {
      link.hidden = !link.classList.contains(kind);
    });
  }

  function cell(term) {
    const td = element("td");
    if (!term) return td;
    const local = term.type === "uri" && term.value.startsWith(entities)
      ? term.value.slice(entities.length) : "";
    if (local && /^[\w.~-]+$/.test(local)) {
      const link = element("a", null, "id:" + local);
      link.title = term.value;
      link.href = root + "/explore/entity/" + encodeURIComponent(local);
      td.appendChild(link);
    } else {
      td.textContent = term.value;
    }
    if (term["xml:lang"]) {
      td.appendChild(document.createTextNode(" "));
      td.appendChild(element("small", null, "@" + term["xml:lang"]));
    }
    return td;
  }

  function showTable(variables, bindings) {
    const count = element("p", "count", bindings.length + (bindings.length === 1 ? " row" : " rows"));
    const table = element("table", "results");
    const head = table.createTHead().insertRow();
    variables.forEach((name) => head.appendChild(element("th", null, name)));
    const body = table.createTBody();
    bindings.forEach((binding) => {
      const row = body.insertRow();
      variables.forEach((name) => row.appendChild(cell(binding[name])));
    });
    const scroll = element("div", "scroll");
    scroll.appendChild(table);
    output.replaceChildren(count, scroll);
  }

  function showProblem(status, title, detail) {
    const box = element("section", "problem");
    box.setAttribute("role", "alert");
    const heading = element("h2", null, title + " ");
    heading.appendChild(element("small", null, "(" + status + ")"));
    box.appendChild(heading);
    box.appendChild(element("p", null, detail));
    output.replaceChildren(box);
  }

  async function run() {
    const query = textarea.value;
    output.replaceChildren(element("p", "running", "Running…"));
    history.replaceState(null, "", "?" + new URLSearchParams({ query }));
    let response;
    try {
      response = await fetch(endpoint, {
        method: "POST",
        headers: {
          Accept: "application/sparql-results+json, text/turtle;q=0.9",
          "Content-Type": "application/x-www-form-urlencoded",
        },
        body: new URLSearchParams({ query }),
      });
    } catch (error) {
      showProblem("—", "No answer", "The service could not be reached: " + error.message);
      return;
    }
    const type = response.headers.get("Content-Type") || "";
    if (!response.ok) {
      let title = response.statusText || "Error";
      let detail = "The query failed.";
      try {
        const problem = await response.json();
        title = problem.title || title;
        detail = problem.detail || detail;
      } catch (error) {
        detail = await response.text().catch(() => detail);
      }
      showProblem(response.status, title, detail);
      return;
    }
    if (type.startsWith("application/sparql-results+json")) {
      const answer = await response.json();
      showDownloads("solutions");
      if (typeof answer.boolean === "boolean") {
        output.replaceChildren(element("p", "boolean", answer.boolean ? "Yes" : "No"));
      } else {
        showTable(answer.head.vars || [], (answer.results && answer.results.bindings) || []);
      }
    } else {
      showDownloads("triples");
      output.replaceChildren(element("pre", "turtle", await response.text()));
    }
  }

  editor.addEventListener("submit", (event) => {
    event.preventDefault();
    run();
  });
  textarea.addEventListener("input", debounce(updateDownloads, DELAY_MS));
  if (examples) {
    const load = document.querySelector("#sparql-examples button.load");
    if (load) load.hidden = true;
    examples.addEventListener("change", () => {
      const chosen = examples.selectedOptions[0];
      if (!chosen || chosen.dataset.query === undefined) return;
      textarea.value = chosen.dataset.query;
      updateDownloads();
      output.replaceChildren();
    });
  }
  updateDownloads();
})();
