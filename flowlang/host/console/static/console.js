// flowlang console: the little behaviour the pages need. No inline scripts (the CSP forbids them).
"use strict";

// Times: shown in the browser's time zone; the UTC text stays in the title (shown on hover).
function localTimes(root) {
  for (const el of root.querySelectorAll("time[datetime]")) {
    const moment = new Date(el.getAttribute("datetime"));
    if (!Number.isNaN(moment.getTime())) {
      el.title = el.textContent;
      el.textContent = moment.toLocaleString();
    }
  }
}

// Search boxes with data-filter hide the rows (data-testid = the filter) that do not hold every word.
function liveFilters(root) {
  for (const box of root.querySelectorAll("input[data-filter]")) {
    const rows = root.querySelectorAll(`[data-testid="${box.dataset.filter}"]`);
    box.addEventListener("input", () => {
      const words = box.value.toLowerCase().split(/\s+/).filter(Boolean);
      for (const row of rows) {
        const text = (row.dataset.search || row.textContent).toLowerCase();
        row.hidden = !words.every((w) => text.includes(w));
      }
    });
  }
}

// Forms with data-confirm ask first.
function confirmations(root) {
  for (const form of root.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  }
}

// The code editor: line numbers beside the textarea, scrolled with it.
function editors(root) {
  for (const editor of root.querySelectorAll(".editor")) {
    const gutter = editor.querySelector(".gutter");
    const area = editor.querySelector("textarea");
    if (!gutter || !area) continue;
    const number = () => {
      const count = area.value.split("\n").length;
      gutter.textContent = Array.from({ length: count }, (_, i) => String(i + 1)).join("\n");
      gutter.style.height = `${area.clientHeight}px`;
    };
    area.addEventListener("input", number);
    area.addEventListener("scroll", () => { gutter.scrollTop = area.scrollTop; });
    new ResizeObserver(number).observe(area);
    number();
  }
}

// Flowchart boxes lead to their source line when the page shows the source.
function chartLinks(root) {
  for (const node of root.querySelectorAll('[data-testid="flowchart-node"][data-line]')) {
    node.addEventListener("click", (event) => {
      const line = document.getElementById(`L${node.dataset.line}`);
      if (line && !event.target.closest("a")) {
        line.scrollIntoView({ block: "center" });
        window.location.hash = `L${node.dataset.line}`;
      }
    });
  }
}

// A page showing something still running (data-refresh="SECONDS" on <main>) reloads until it ended.
function refresh(root) {
  const main = root.querySelector("main[data-refresh]");
  if (!main) return;
  const seconds = Number(main.dataset.refresh) || 2;
  window.setTimeout(() => window.location.reload(), seconds * 1000);
}

// A file input with data-fills="ID" puts the chosen file's text into the textarea #ID (import).
function fileFills(root) {
  for (const input of root.querySelectorAll("input[type=file][data-fills]")) {
    input.addEventListener("change", () => {
      const target = document.getElementById(input.dataset.fills);
      const file = input.files && input.files[0];
      if (!target || !file) return;
      file.text().then((text) => { target.value = text; });
    });
  }
}

document.addEventListener("DOMContentLoaded", () => {
  localTimes(document);
  liveFilters(document);
  confirmations(document);
  editors(document);
  chartLinks(document);
  refresh(document);
  fileFills(document);
});
