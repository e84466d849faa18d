// Précis editors' page: no framework, no CDN; talks to the API of the server it came from.
"use strict";
const $ = (id) => document.getElementById(id);
const state = { last: null };

function apiKeyHeaders() {
  const key = sessionStorage.getItem("precis-api-key") || "";
  return key ? { Authorization: `Bearer ${key}` } : {};
}

async function loadModels() {
  try {
    const response = await fetch("/v1/models", { headers: apiKeyHeaders() });
    if (!response.ok) throw await problemOf(response);
    const body = await response.json();
    const select = $("model");
    select.innerHTML = "";
    for (const model of body.models) {
      const option = document.createElement("option");
      option.value = model.name || model.requested;
      option.textContent = `${model.name || model.requested} (${model.engine || model.status})`;
      select.appendChild(option);
    }
    const m = body.models[0];
    $("model-line").textContent = m.status === "ready"
      ? `Model: ${m.name} — ${m.engine}${m.engine === "extractive" ? ", every sentence comes from the article" : ", generated: check the flags"}.`
      : `Model ${m.requested} is ${m.status}${m.error ? ": " + m.error : ""}.`;
  } catch (error) {
    $("model-line").textContent = `Model information unavailable: ${error.message}`;
  }
}

async function problemOf(response) {
  let message = `${response.status} ${response.statusText}`;
  try {
    const problem = await response.json();
    message = problem.detail || problem.title || message;
    if (response.status === 401 || response.status === 403) $("key-box").open = true;
  } catch (_) { /* not JSON */ }
  return new Error(message);
}

function looksLikeHtml(text) {
  return /^\s*</.test(text) && /<\/?(p|div|html|body|article|h1|span|br)\b/i.test(text);
}

function requestBody() {
  const article = $("article").value;
  const body = looksLikeHtml(article) ? { html: article } : { text: article };
  const unit = $("length-unit").value;
  if (["short", "medium", "long"].includes(unit)) body.length = unit;
  else body[unit] = Number($("length-value").value);
  body.format = $("format").value;
  body.include_text = true;
  return body;
}

function showError(message) {
  $("error").textContent = message;
  $("error").hidden = false;
}

function plainCoverage(input) {
  const words = input.words.toLocaleString("en");
  const parts = input.chunks === 1 ? "in one part" : `in ${input.chunks} parts`;
  if (input.truncated) {
    return `Summarised the first ${Math.round(input.coverage * 100)}% of the article's ${words} words ${parts}; the rest was left out.`;
  }
  return `Summarised all ${words} words ${parts}.`;
}

function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}

function markFlags(sentence) {
  let html = escapeHtml(sentence.text);
  for (const flag of sentence.unsupported) {
    const escaped = escapeHtml(flag.text);
    html = html.split(escaped).join(`<mark class="flag" title="${flag.kind} not found in the article">${escaped}</mark>`);
  }
  return html;
}

function renderSource(text, sentences) {
  // Every support span of every summary sentence, in article order, tagged with the
  // summary sentences it supports.
  const spans = new Map();
  sentences.forEach((sentence, i) => {
    for (const support of sentence.support) {
      const key = `${support.start}:${support.end}`;
      if (!spans.has(key)) spans.set(key, { start: support.start, end: support.end, owners: [] });
      spans.get(key).owners.push(i);
    }
  });
  const ordered = [...spans.values()].sort((a, b) => a.start - b.start);
  let html = "", at = 0;
  for (const span of ordered) {
    if (span.start < at) continue;
    html += escapeHtml(text.slice(at, span.start));
    html += `<span class="src" data-owners="${span.owners.join(" ")}">${escapeHtml(text.slice(span.start, span.end))}</span>`;
    at = span.end;
  }
  $("source").innerHTML = html + escapeHtml(text.slice(at));
}

function highlight(index) {
  document.querySelectorAll("#summary li").forEach((li) => li.classList.toggle("active", Number(li.dataset.index) === index));
  let first = null;
  document.querySelectorAll("#source .src").forEach((span) => {
    const on = index !== null && span.dataset.owners.split(" ").map(Number).includes(index);
    span.classList.toggle("active", on);
    if (on && !first) first = span;
  });
  if (first) first.scrollIntoView({ block: "nearest" });
}

function render(body) {
  state.last = body;
  $("coverage").textContent = plainCoverage(body.input);
  const list = $("summary");
  list.innerHTML = "";
  body.sentences.forEach((sentence, i) => {
    const li = document.createElement("li");
    li.dataset.index = i;
    li.tabIndex = 0;
    li.innerHTML = markFlags(sentence);
    li.addEventListener("mouseenter", () => highlight(i));
    li.addEventListener("focus", () => highlight(i));
    li.addEventListener("click", () => highlight(i));
    list.appendChild(li);
  });
  $("flags-note").hidden = !body.sentences.some((s) => s.unsupported.length);
  renderSource(body.input.text || "", body.sentences);
  $("result").hidden = false;
}

async function summarise(event) {
  event.preventDefault();
  $("error").hidden = true;
  if (!$("article").value.trim()) { showError("Paste an article first."); return; }
  $("submit").disabled = true;
  $("submit").textContent = "Summarising…";
  try {
    const response = await fetch("/v1/summarize", {
      method: "POST",
      headers: { "Content-Type": "application/json", ...apiKeyHeaders() },
      body: JSON.stringify(requestBody()),
    });
    if (!response.ok) throw await problemOf(response);
    render(await response.json());
  } catch (error) {
    $("result").hidden = true;
    showError(error instanceof TypeError ? "Could not reach the server." : error.message);
  } finally {
    $("submit").disabled = false;
    $("submit").textContent = "Summarise";
  }
}

async function readFile(file) {
  if (file) $("article").value = await file.text();
}

$("form").addEventListener("submit", summarise);
$("article").addEventListener("keydown", (e) => { if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) $("form").requestSubmit(); });
$("article").addEventListener("dragover", (e) => { e.preventDefault(); $("article").classList.add("dragging"); });
$("article").addEventListener("dragleave", () => $("article").classList.remove("dragging"));
$("article").addEventListener("drop", (e) => { e.preventDefault(); $("article").classList.remove("dragging"); readFile(e.dataTransfer.files[0]); });
$("file").addEventListener("change", (e) => readFile(e.target.files[0]));
$("length-unit").addEventListener("change", () => {
  const custom = !["short", "medium", "long"].includes($("length-unit").value);
  $("length-value").hidden = !custom;
  if (custom) $("length-value").value = { max_sentences: 3, max_words: 60, max_chars: 400 }[$("length-unit").value];
});
$("clear").addEventListener("click", () => { $("article").value = ""; $("result").hidden = true; $("error").hidden = true; $("article").focus(); });
$("copy").addEventListener("click", async () => {
  if (!state.last) return;
  try { await navigator.clipboard.writeText(state.last.summary); $("copy").textContent = "Copied"; }
  catch (_) { $("copy").textContent = "Copy failed"; }
  setTimeout(() => { $("copy").textContent = "Copy"; }, 1500);
});
$("api-key").value = sessionStorage.getItem("precis-api-key") || "";
$("api-key").addEventListener("change", () => { sessionStorage.setItem("precis-api-key", $("api-key").value); loadModels(); });
loadModels();
