// Précis editors' page: no framework, no CDN; talks to the API of the server it came from.
"use strict";
const $ = (id) => document.getElementById(id);
const state = { last: null, streamed: 0, forceLanguage: false };
const PRESETS = ["short", "medium", "long"];

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
  let message = `${response.status} ${response.statusText}`, problem = {};
  try {
    problem = await response.json();
    message = problem.detail || problem.title || message;
    if (response.status === 401 || response.status === 403) $("key-box").open = true;
  } catch (_) { /* not JSON */ }
  return Object.assign(new Error(message), { problem });
}

function looksLikeHtml(text) {
  return /^\s*</.test(text) && /<\/?(p|div|html|body|article|h1|span|br)\b/i.test(text);
}

function requestBody() {
  const article = $("article").value;
  const body = looksLikeHtml(article) ? { html: article } : { text: article };
  const focus = $("focus").value.trim();
  if (focus) body.focus = focus;
  const purpose = $("purpose").value;
  if (purpose === "summary") {
    // Other purposes set their own length and layout.
    const unit = $("length-unit").value;
    if (PRESETS.includes(unit)) body.length = unit;
    else body[unit] = Number($("length-value").value);
    body.format = $("format").value;
  } else {
    body.purpose = purpose;
  }
  if (state.forceLanguage) body.language = "force";
  body.include_text = true;
  return body;
}

function showError(message, problem = {}) {
  // An article in a language the model does not declare: offer to summarise it anyway.
  const language = (problem.type || "").endsWith("/unsupported-language");
  $("error").textContent = language ? message.split(' Send "language"')[0] : message;
  $("error").hidden = false;
  $("force-box").hidden = !language;
}

function plainCoverage(input) {
  const words = input.words.toLocaleString("en");
  const parts = input.chunks === 1 ? "in one part" : `in ${input.chunks} parts`;
  if (input.truncated) {
    return `Summarised the first ${Math.round(input.coverage * 100)}% of the article's ${words} words ${parts}; the rest was left out.`;
  }
  return `Summarised all ${words} words ${parts}.`;
}

function plainCount(body) {
  const characters = (body.characters ?? body.summary.length).toLocaleString("en");
  const purpose = body.purpose;
  if (!purpose) return `${characters} characters.`;
  if (purpose.unit.includes("weighted")) {
    const link = purpose.limit < 280 ? " (the rest of X's 280 is left for a link)" : "";
    return `${purpose.measured} of ${purpose.limit} weighted characters, as X counts them${link}; ${characters} characters.`;
  }
  if (purpose.name === "key_points") return `${characters} characters; each point at most ${purpose.limit} ${purpose.unit}.`;
  return `${purpose.measured} of ${purpose.limit} ${purpose.unit}.`;
}

// The detected language, and how an article not in English was read: its sentence rules and
// its ranking (shared words when the embedding model does not know the language).
function plainLanguage(input) {
  const language = input.language;
  if (!language) return "";
  const sure = language.confidence >= 0.9 ? "" : ` (${Math.round(language.confidence * 100)}% sure)`;
  let text = `Language: ${language.name}${sure}.`;
  if (input.read_as && input.read_as !== language.code) {
    text += ` Too unsure to tell: read as ${input.read_as === "en" ? "English" : input.read_as}.`;
  }
  const how = [];
  if (input.splitter === "generic") how.push("sentences split at punctuation (no rules for this language)");
  else if (input.splitter && input.splitter.startsWith("pysbd:")) how.push(`sentences split by ${language.name} rules`);
  if (input.ranking === "lexical") how.push("ranked by the words sentences share (no embedding model for this language)");
  if (how.length) text += ` ${how.join("; ").replace(/^./, (c) => c.toUpperCase())}.`;
  return text;
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

function sourceRanges(sentence, chars) {
  // A shortened sentence points at the words it kept (spans); any other at its support.
  if (!Array.isArray(sentence.spans) || !sentence.spans.length) return sentence.support;
  const merged = [];
  for (const [start, end] of [...sentence.spans].sort((a, b) => a[0] - b[0])) {
    const last = merged[merged.length - 1];
    // Kept words separated only by spaces read as one run.
    if (last && !chars.slice(last.end, start).join("").trim()) last.end = Math.max(last.end, end);
    else merged.push({ start, end });
  }
  return merged;
}

function renderSource(text, sentences) {
  // The article cut at every range's ends; each piece tagged with the summary sentences
  // whose ranges cover it. Offsets count code points (Python's), not UTF-16 units.
  const chars = Array.from(text);
  const ranges = [];
  sentences.forEach((sentence, i) => {
    for (const r of sourceRanges(sentence, chars)) {
      if (r.end > r.start) ranges.push({ start: r.start, end: Math.min(r.end, chars.length), owner: i });
    }
  });
  const cuts = [...new Set([0, chars.length, ...ranges.flatMap((r) => [r.start, r.end])])]
    .filter((at) => at >= 0 && at <= chars.length).sort((a, b) => a - b);
  let html = "";
  for (let k = 0; k + 1 < cuts.length; k++) {
    const [a, b] = [cuts[k], cuts[k + 1]];
    const piece = escapeHtml(chars.slice(a, b).join(""));
    const owners = [...new Set(ranges.filter((r) => r.start <= a && r.end >= b).map((r) => r.owner))];
    html += owners.length ? `<span class="src" data-owners="${owners.join(" ")}">${piece}</span>` : piece;
  }
  $("source").innerHTML = html;
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

function sentenceItem(sentence) {
  const li = document.createElement("li");
  li.innerHTML = markFlags(sentence);
  if (sentence.compressed || sentence.truncated) {
    const tag = document.createElement("span");
    tag.className = "tag";
    tag.textContent = sentence.truncated ? " (cut short)" : " (shortened)";
    tag.title = sentence.truncated ? "Cut at a word to fit the limit" : "Some words of the article sentence were left out to fit the limit";
    li.appendChild(tag);
  }
  return li;
}

function render(body) {
  state.last = body;
  $("stream-status").hidden = true;
  const unmatched = body.focus_matched === false;
  $("focus-note").hidden = !unmatched;
  $("focus-note").textContent = unmatched ? `Nothing in this article is about “${body.focus}”: here is the general summary.` : "";
  $("coverage").textContent = plainCoverage(body.input);
  $("count").textContent = plainCount(body);
  $("language").textContent = plainLanguage(body.input);
  const list = $("summary");
  list.innerHTML = "";
  body.sentences.forEach((sentence, i) => {
    const li = sentenceItem(sentence);
    li.dataset.index = i;
    li.tabIndex = 0;
    li.addEventListener("mouseenter", () => highlight(i));
    li.addEventListener("focus", () => highlight(i));
    li.addEventListener("click", () => highlight(i));
    list.appendChild(li);
  });
  $("flags-note").hidden = !body.sentences.some((s) => s.unsupported.length);
  renderSource(body.input.text || "", body.sentences);
  $("result").hidden = false;
}

// --- streaming: server-sent events read from the fetch body (no EventSource: it cannot POST) ---
async function readEvents(response, onEvent) {
  // Calls onEvent(name, data) for each event of a text/event-stream body, in order.
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "", name = "", data = [];
  const dispatch = () => {
    if (data.length) onEvent(name || "message", data.join("\n"));
    name = "";
    data = [];
  };
  const line = (text) => {
    if (text === "") return dispatch();
    if (text.startsWith(":")) return; // a comment (keep-alive)
    const colon = text.indexOf(":");
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? "" : text.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") name = value;
    else if (field === "data") data.push(value);
  };
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      // A chunk ending in "\r" may be half of "\r\n": keep it for the next chunk.
      const cut = buffer.endsWith("\r") ? buffer.length - 1 : buffer.length;
      const lines = buffer.slice(0, cut).split(/\r\n|\r|\n/);
      buffer = lines.pop() + buffer.slice(cut);
      lines.forEach(line);
    }
    if (buffer) line(buffer.replace(/\r$/, ""));
    dispatch();
  } finally {
    reader.cancel().catch(() => {});
  }
}

function startStream() {
  state.streamed = 0;
  for (const id of ["focus-note", "flags-note"]) $(id).hidden = true;
  for (const id of ["coverage", "count", "language"]) $(id).textContent = "";
  $("summary").innerHTML = "";
  $("source").innerHTML = "<p class=\"muted\">The article appears here once the summary is complete.</p>";
  $("stream-status").textContent = "Summarising: sentences appear as they are ready…";
  $("stream-status").hidden = false;
  $("result").hidden = false;
}

function addStreamed(sentence) {
  state.streamed += 1;
  const li = sentenceItem(sentence);
  li.classList.add("arriving");
  $("summary").appendChild(li);
  $("stream-status").textContent = `Summarising: ${state.streamed} ${state.streamed === 1 ? "sentence" : "sentences"} so far…`;
}

async function readSummaryStream(response) {
  startStream();
  let final = null;
  await readEvents(response, (name, data) => {
    if (name === "sentence") addStreamed(JSON.parse(data));
    else if (name === "done") { final = JSON.parse(data); render(final); }
    else if (name === "error") {
      let problem = {};
      try { problem = JSON.parse(data); } catch (_) { /* not JSON */ }
      throw Object.assign(new Error(problem.detail || problem.title || "The summary failed."), { problem });
    }
  });
  if (!final) throw new Error("The server stopped before the summary was complete: try again.");
}

async function summarise(event) {
  event.preventDefault();
  $("error").hidden = true;
  $("force-box").hidden = true;
  const body = requestBody();
  state.forceLanguage = false; // "Summarise it anyway" counts for one request
  if (!$("article").value.trim()) { showError("Paste an article first."); return; }
  $("submit").disabled = true;
  $("submit").textContent = "Summarising…";
  try {
    const response = await fetch("/v1/summarize", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "text/event-stream", ...apiKeyHeaders() },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw await problemOf(response);
    if ((response.headers.get("Content-Type") || "").startsWith("text/event-stream")) await readSummaryStream(response);
    else render(await response.json());
  } catch (error) {
    $("result").hidden = true;
    showError(error instanceof TypeError ? "Could not reach the server." : error.message, error.problem);
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
$("purpose").addEventListener("change", () => {
  const own = $("purpose").value !== "summary";
  for (const id of ["length-unit", "length-value", "format"]) $(id).disabled = own;
  $("purpose-help").hidden = !own;
});
$("length-unit").addEventListener("change", () => {
  const custom = !PRESETS.includes($("length-unit").value);
  $("length-value").hidden = !custom;
  if (custom) $("length-value").value = { max_sentences: 3, max_words: 60, max_chars: 400 }[$("length-unit").value];
});
$("force").addEventListener("click", () => { state.forceLanguage = true; $("form").requestSubmit(); });
$("clear").addEventListener("click", () => { $("article").value = ""; $("result").hidden = true; $("error").hidden = true; $("force-box").hidden = true; $("article").focus(); });
$("copy").addEventListener("click", async () => {
  if (!state.last) return;
  try { await navigator.clipboard.writeText(state.last.summary); $("copy").textContent = "Copied"; }
  catch (_) { $("copy").textContent = "Copy failed"; }
  setTimeout(() => { $("copy").textContent = "Copy"; }, 1500);
});
$("api-key").value = sessionStorage.getItem("precis-api-key") || "";
$("api-key").addEventListener("change", () => { sessionStorage.setItem("precis-api-key", $("api-key").value); loadModels(); });
loadModels();
