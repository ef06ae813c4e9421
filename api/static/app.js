// tomtat's page for editors. It uses only the public API (GET /v1/models, POST /v1/summaries),
// so it doubles as an example client. No build step, no external resources.
"use strict";

const $ = (id) => document.getElementById(id);
const KEY_STORE = "tomtat-api-key";
let lastResult = null;
let retryTimer = null;
// A .docx, .pdf or .html file chosen in the picker: the server reads it (multipart upload).
let pendingFile = null;
// "one": a summary of one article (POST /v1/summaries); "many": a digest of several (POST /v1/digests).
let mode = "one";
// Files chosen in "many" mode that are not all plain text: the server reads them (one article each).
let pendingFiles = null;
// A line of only dashes separates the articles pasted in "many" mode.
const ARTICLE_SEPARATOR = /^\s*-{3,}\s*$/;

const MESSAGES = {
  400: "Yêu cầu không hợp lệ.",
  401: "Máy chủ yêu cầu khóa API hợp lệ.",
  413: "Văn bản quá dài để tóm tắt trong một lần. Hãy chia nhỏ văn bản.",
  422: "Không thể tóm tắt văn bản này.",
  429: "Máy chủ đang bận.",
  500: "Máy chủ gặp lỗi khi tóm tắt.",
  503: "Mô hình đang được nạp hoặc chưa sẵn sàng.",
  504: "Tóm tắt mất quá nhiều thời gian. Hãy thử lại sau.",
};
const EMPTY_TEXT = "Văn bản trống: hãy dán hoặc tải lên một bài viết để tóm tắt.";
// Errors about an uploaded file, by the service's error code.
const FILE_ERRORS = {
  unsupported_format: "Không đọc được loại tệp này. Hãy dùng tệp .txt, .docx, .pdf hoặc .html.",
  no_text_layer: "Tệp PDF này không có lớp chữ (có thể là bản quét). Hãy nhận dạng chữ (OCR) trước rồi tải lên lại.",
  encrypted_pdf: "Tệp PDF này có mật khẩu. Hãy gỡ mật khẩu (hoặc in ra một tệp PDF mới) rồi tải lên lại.",
  damaged_file: "Tệp bị hỏng, không đọc được. Hãy mở và lưu lại tệp rồi thử lại.",
  invalid_encoding: "Tệp văn bản không phải UTF-8. Hãy chuyển mã sang UTF-8 trước.",
  too_many_pages: "Tệp có quá nhiều trang. Hãy tách tệp thành nhiều phần.",
  document_too_large: "Tệp quá lớn khi giải nén. Hãy tách tệp thành nhiều phần.",
  empty_document: "Không tìm thấy nội dung bài viết trong tệp.",
  too_many_documents: "Quá nhiều bài cho một lần tổng hợp. Hãy bớt số bài (hoặc gửi một tác vụ nền qua API).",
};
const SERVER_READS = /\.(docx|pdf|html?)$/i;
const ONE_COLUMN = "(max-width: 860px)"; // as in style.css

// Known notes of the service, in Vietnamese; anything else is shown as the server wrote it.
const NOTES = [
  [/^extractive model.*$/, "Mô hình trích xuất: các câu được chép nguyên văn từ văn bản gốc, không viết mới."],
  [/^document longer than.*$/, "Văn bản quá dài: phần cuối không được tóm tắt."],
  [/^headline and abstract are written from the first chunk.*$/, "Tiêu đề và tóm tắt được viết từ phần đầu văn bản; các ý chính bao quát toàn bài."],
  [/^.*left out by max_bullets.*$/, "Một số ý chính bị lược bớt theo số ý đã chọn."],
  [/^(\d+) bullet\(s\) fit within max_words (\d+) \(max_bullets (\d+)\).*$/, "Chỉ $1 ý chính vừa giới hạn $2 từ (đã chọn $3 ý); tăng giới hạn số từ để có thêm ý."],
  [/^the text has (\d+) distinct point\(s\) for bullets \(max_bullets (\d+)\)$/, "Văn bản chỉ có $1 ý chính khác nhau (đã chọn $2 ý)."],
  [/^bullet dropped: not in the source: (.*)/, "Một ý chính bị bỏ vì có chi tiết không có trong văn bản gốc: $1"],
  [/^(headline|abstract|bullet) has what is not in the source: (.*)/, "Có chi tiết không có trong văn bản gốc ($1): $2"],
  [/^rewrite fell back to the extracted sentence: (.*)/, "Một số dòng viết lại bị thay bằng câu gốc (vì có chi tiết không có trong văn bản): $1"],
  [/^no bullets: the faithfulness guard dropped.*$/, "Không còn ý chính nào: các ý chính mô hình viết đều có chi tiết không có trong văn bản gốc nên đã bị bỏ."],
  [/^figures differ across articles: (.*)$/, "Số liệu khác nhau giữa các bài: $1"],
  [/^no trained digest scorer.*$/, "Chưa có bộ chấm điểm tổng hợp đã huấn luyện: các câu được chọn theo điểm ý chính."],
];
// The note about the kind of model (not a warning about this summary): shown apart, as a note.
const MODEL_NOTE = /^extractive model/;

function note(text) {
  for (const [pattern, vi] of NOTES) {
    // a digest's articles are named by the page's ids ("bai-2"): say "bài 2"
    if (pattern.test(text)) return text.replace(pattern, vi).replace(/\(article (?:bai-)?([^)]*)\)/g, "(bài $1)").replace(/ vs /g, " và ");
  }
  return text;
}

function authHeaders() {
  const key = sessionStorage.getItem(KEY_STORE);
  return key ? { Authorization: "Bearer " + key } : {};
}

async function call(path, options = {}) {
  return fetch(path, { ...options, headers: { ...(options.headers || {}), ...authHeaders() } });
}

function askKey(then) {
  const dialog = $("key-dialog");
  dialog.onclose = () => {
    const key = $("key").value.trim();
    if (key) {
      sessionStorage.setItem(KEY_STORE, key);
      then();
    }
  };
  $("key").value = "";
  dialog.showModal();
  $("key").focus();
}

function showError(message, detail) {
  const box = $("error");
  box.textContent = "";
  const main = document.createElement("p");
  main.textContent = message;
  box.append(main);
  if (detail) {
    const small = document.createElement("p");
    small.className = "muted";
    small.textContent = "Chi tiết: " + detail;
    box.append(small);
  }
  box.hidden = false;
  staleResult();
}

// After an error the result on screen is not the answer to what was asked: grey it, say so.
function staleResult() {
  if ($("result").hidden) return;
  $("result").classList.add("stale");
  $("stale").hidden = false;
}

function clearError() {
  $("error").hidden = true;
  $("error").textContent = "";
  if (retryTimer) clearInterval(retryTimer);
  retryTimer = null;
}

// 429 and 503 carry Retry-After: count down, then try again by ourselves.
function retryLater(seconds, message, again) {
  let left = Math.max(1, Math.round(seconds));
  const tick = () => showError(`${message} Tự động thử lại sau ${left} giây…`);
  tick();
  retryTimer = setInterval(() => {
    left -= 1;
    if (left <= 0) {
      clearInterval(retryTimer);
      retryTimer = null;
      again();
    } else {
      tick();
    }
  }, 1000);
}

async function failed(response, again) {
  let detail = "";
  let code = "";
  try {
    const body = await response.json();
    detail = body.error ? body.error.message : JSON.stringify(body);
    code = body.error ? body.error.code : "";
  } catch (_) {
    detail = response.statusText;
  }
  const message = FILE_ERRORS[code] || MESSAGES[response.status] || `Lỗi ${response.status}.`;
  if (response.status === 401) {
    showError(message);
    askKey(again);
  } else if (response.status === 429 || response.status === 503) {
    retryLater(Number(response.headers.get("Retry-After") || 5), message, again);
  } else if (response.status === 422 && code === "invalid_text" && /empty/.test(detail)) {
    showError(EMPTY_TEXT, detail);
  } else {
    showError(message, detail);
  }
}

async function loadModels() {
  let response;
  try {
    response = await call("/v1/models");
  } catch (_) {
    $("model-line").textContent = "Không kết nối được máy chủ.";
    return;
  }
  if (!response.ok) {
    if (response.status === 503) {
      $("model-line").textContent = "Mô hình đang được nạp…";
      setTimeout(loadModels, 1000 * Number(response.headers.get("Retry-After") || 5));
    } else if (response.status === 401) {
      $("model-line").textContent = "Máy chủ yêu cầu khóa API.";
      askKey(loadModels);
    }
    return;
  }
  const data = await response.json();
  const select = $("model");
  select.textContent = "";
  const option = document.createElement("option");
  option.value = data.model.name;
  const kind = data.model.kind === "extractive" ? "trích xuất" : "sinh văn bản";
  option.textContent = `${data.model.name} (${kind}${data.model.preview ? ", thử nghiệm" : ""})`;
  select.append(option);
  // the registry's Vietnamese description; its English one is for developers
  const line = $("model-line");
  line.textContent = `Mô hình: ${data.model.name} — ${data.model.description_vi || kind}`;
  line.classList.toggle("preview", Boolean(data.model.preview));
  if (data.model.preview) line.textContent = `⚠ ${line.textContent}`;
}

async function summarize() {
  clearError();
  const bullets = Number($("bullets").value);
  if (!Number.isInteger(bullets) || bullets < 1 || bullets > 10) {
    showError("Số ý chính phải là số nguyên từ 1 đến 10.");
    $("bullets").focus();
    return;
  }
  if (mode === "many") {
    digest(bullets);
    return;
  }
  const title = $("title").value.trim();
  $("submit").disabled = true;
  $("busy").hidden = false;
  const started = performance.now();
  try {
    const response = await call("/v1/summaries", pendingFile ? fileRequest(pendingFile, bullets, title) : textRequest(bullets, title));
    if (!response.ok) {
      await failed(response, summarize);
      return;
    }
    render(await response.json(), (performance.now() - started) / 1000);
  } catch (_) {
    showError("Không kết nối được máy chủ. Hãy kiểm tra mạng rồi thử lại.");
  } finally {
    $("submit").disabled = false;
    $("busy").hidden = true;
  }
}

function textRequest(bullets, title) {
  const body = { text: $("text").value, max_bullets: bullets, include_source: true };
  if (title) body.title = title;
  return { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
}

// The same fields as a multipart form; the browser sets its Content-Type (with the boundary).
function fileRequest(file, bullets, title) {
  const form = new FormData();
  form.append("file", file, file.name);
  form.append("max_bullets", String(bullets));
  form.append("include_source", "true");
  if (title) form.append("title", title);
  return { method: "POST", body: form };
}

function chooseServerFile(file) {
  pendingFile = file;
  $("text").value = "";
  $("file-note").textContent = `Máy chủ sẽ đọc tệp «${file.name}» khi tóm tắt (gõ vào ô văn bản để bỏ tệp).`;
  $("file-note").hidden = false;
}

function dropServerFile() {
  pendingFile = null;
  pendingFiles = null;
  $("file-note").hidden = true;
  $("file-note").textContent = "";
}

// The lines that the faithfulness guard flagged, by part, with the reason.
function flags(warnings) {
  const out = { headline: [], abstract: [], bullet: [] };
  for (const w of warnings) {
    const m = /^(headline|abstract|bullet) has what is not in the source: (.*)/.exec(w);
    if (m) out[m[1]].push(m[2]);
  }
  return out;
}

function lineElement(tag, evidence, index, flagged) {
  const el = document.createElement(tag);
  el.className = "line";
  el.tabIndex = 0;
  el.dataset.line = String(index);
  el.textContent = evidence.text;
  el.setAttribute("role", "button");
  el.setAttribute("aria-label", `${evidence.text} — xem câu gốc`);
  // a digest's line names its articles ("[1, 3]"): the numbers of the source box
  const articles = [...new Set(evidence.sources.filter((s) => Number.isInteger(s.document)).map((s) => s.document + 1))];
  if (articles.length) {
    articles.sort((a, b) => a - b);
    const mark = document.createElement("span");
    mark.className = "doc-mark";
    mark.textContent = `[${articles.join(", ")}]`;
    mark.title = `Bài ${articles.join(", ")}`;
    el.append(mark);
    el.setAttribute("aria-label", `${evidence.text} — bài ${articles.join(", ")}, xem câu gốc`);
  }
  const reasons = flagged.filter((items) => items.split(", ").some((item) => evidence.text.includes(item)));
  if (reasons.length) {
    el.classList.add("flagged");
    const mark = document.createElement("span");
    mark.className = "flag";
    mark.textContent = `⚠ không có trong văn bản gốc: ${reasons.join(", ")}`;
    el.append(mark);
  }
  const show = () => highlight(index, el, true);
  // hovering only scrolls the source box: the page itself moves on a click, a tap or a key
  el.addEventListener("mouseenter", () => highlight(index, el, false));
  el.addEventListener("focus", show);
  el.addEventListener("click", show);
  el.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      show();
    }
  });
  return el;
}

// The cleaned source, cut at every span boundary; each piece knows which lines rest on it.
function renderSource(text, evidence) {
  const box = $("source");
  box.textContent = "";
  renderPieces(box, text, evidence, null);
}

// A digest's articles one after another, numbered as the lines' marks; each cut at its own spans.
function renderArticles(texts, ids, evidence) {
  const box = $("source");
  box.textContent = "";
  texts.forEach((text, index) => {
    const article = document.createElement("div");
    article.className = "article";
    article.dataset.document = String(index);
    const label = document.createElement("span");
    label.className = "article-label";
    const id = ids[index] || "";
    label.textContent = /^bai-\d+$/.test(id) ? `Bài ${index + 1}` : `Bài ${index + 1} · ${id}`;
    article.append(label);
    renderPieces(article, text, evidence, index);
    box.append(article);
  });
}

// `text` into `box`, cut at the spans of `evidence` in it (those of article `documentIndex`; null: all).
function renderPieces(box, text, evidence, documentIndex) {
  const spans = evidence.map((e) => e.sources.filter((s) => documentIndex === null || s.document === documentIndex));
  const cuts = new Set([0, text.length]);
  spans.forEach((list) => list.forEach((s) => { cuts.add(s.start); cuts.add(s.end); }));
  const points = [...cuts].sort((a, b) => a - b);
  for (let i = 0; i + 1 < points.length; i++) {
    const [a, b] = [points[i], points[i + 1]];
    const lines = spans
      .map((list, index) => (list.some((s) => s.start <= a && b <= s.end) ? index : -1))
      .filter((index) => index >= 0);
    if (!lines.length) {
      box.append(document.createTextNode(text.slice(a, b)));
      continue;
    }
    const span = document.createElement("span");
    span.className = "src";
    span.dataset.lines = lines.join(" ");
    span.textContent = text.slice(a, b);
    box.append(span);
  }
}

function highlight(index, element, scrollPage) {
  document.querySelectorAll(".line.active").forEach((el) => el.classList.remove("active"));
  element.classList.add("active");
  const pieces = [...document.querySelectorAll("#source .src")];
  pieces.forEach((el) => el.classList.toggle("hl", el.dataset.lines.split(" ").includes(String(index))));
  const first = pieces.find((el) => el.classList.contains("hl"));
  if (!first) return;
  if (scrollPage) {
    first.scrollIntoView({ block: "center", behavior: "smooth" });
  } else {
    const box = $("source");
    const top = first.getBoundingClientRect().top - box.getBoundingClientRect().top + box.scrollTop;
    box.scrollTo({ top: top - box.clientHeight / 2, behavior: "smooth" });
  }
}

function render(data, seconds) {
  lastResult = data;
  const evidence = data.evidence || [];
  const flagged = flags(data.warnings || []);
  $("result").hidden = false;
  const count = data.ids ? ` · ${data.ids.length} bài` : "";
  $("meta").textContent = `Mô hình: ${data.model}${count} · ${seconds.toFixed(2).replace(".", ",")} giây`;
  const headline = lineElement("p", evidence[0] || { text: data.headline, sources: [] }, 0, flagged.headline);
  headline.classList.add("headline");
  $("headline").replaceChildren(headline);
  const abstract = $("abstract");
  abstract.textContent = "";
  evidence.forEach((e, i) => {
    if (e.part === "abstract") {
      abstract.append(lineElement("span", e, i, flagged.abstract), document.createTextNode(" "));
    }
  });
  const list = $("bullet-list");
  list.textContent = "";
  evidence.forEach((e, i) => {
    if (e.part === "bullet") list.append(lineElement("li", e, i, flagged.bullet));
  });
  const warnings = $("warnings");
  warnings.textContent = "";
  const modelNote = (data.warnings || []).find((w) => MODEL_NOTE.test(w));
  $("model-note").textContent = modelNote ? note(modelNote) : "";
  $("model-note").hidden = !modelNote;
  for (const w of data.warnings || []) {
    if (w === modelNote) continue;
    const li = document.createElement("li");
    li.textContent = note(w);
    warnings.append(li);
  }
  if (Array.isArray(data.sources)) renderArticles(data.sources, data.ids || [], evidence);
  else renderSource(data.source || "", evidence);
  $("copy-status").textContent = "";
  $("result").classList.remove("stale");
  $("stale").hidden = true;
  // one column (a phone): the result is below the form, out of sight; bring it up
  if (window.matchMedia(ONE_COLUMN).matches) $("result").scrollIntoView({ block: "start" });
}

// "Nhiều bài": the pasted text cut at separator lines, each non-empty piece an article.
function splitArticles(text) {
  const articles = [[]];
  for (const line of text.split(/\r?\n/)) {
    if (ARTICLE_SEPARATOR.test(line)) articles.push([]);
    else articles[articles.length - 1].push(line);
  }
  return articles.map((lines) => lines.join("\n").trim()).filter((article) => article);
}

async function digest(bullets) {
  if (pendingFiles) {
    sendDigest(digestFiles(pendingFiles, bullets), bullets);
    return;
  }
  const articles = splitArticles($("text").value);
  if (articles.length < 2) {
    showError(
      articles.length ? "Chỉ có một bài. Hãy thêm bài khác, ngăn cách bằng một dòng chỉ có ---." : EMPTY_TEXT,
    );
    $("text").focus();
    return;
  }
  const body = {
    documents: articles.map((text, i) => ({ id: `bai-${i + 1}`, text })),
    max_bullets: bullets,
    include_source: true,
  };
  sendDigest({ method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) }, bullets);
}

// The chosen files as a multipart form, one `file` field each: the server reads them (and names them by file name).
function digestFiles(files, bullets) {
  const form = new FormData();
  for (const file of files) form.append("file", file, file.name);
  form.append("max_bullets", String(bullets));
  form.append("include_source", "true");
  return { method: "POST", body: form };
}

async function sendDigest(request, bullets) {
  $("submit").disabled = true;
  $("busy").hidden = false;
  const started = performance.now();
  try {
    const response = await call("/v1/digests", request);
    if (!response.ok) {
      await failed(response, () => digest(bullets));
      return;
    }
    render(await response.json(), (performance.now() - started) / 1000);
  } catch (_) {
    showError("Không kết nối được máy chủ. Hãy kiểm tra mạng rồi thử lại.");
  } finally {
    $("submit").disabled = false;
    $("busy").hidden = true;
  }
}

// Files chosen in "many" mode, one article each: plain text ones are read here into the text box,
// joined with separator lines; if any is a .docx, .pdf or .html (or not UTF-8), the server reads them all.
async function readFiles(files) {
  clearError();
  dropServerFile();
  const texts = [];
  for (const file of files) {
    const bytes = new Uint8Array(await file.arrayBuffer());
    try {
      if (SERVER_READS.test(file.name) || bytes.slice(0, 8192).includes(0)) throw new Error("not text");
      texts.push(new TextDecoder("utf-8", { fatal: true }).decode(bytes).trim());
    } catch (_) {
      pendingFiles = files;
      $("text").value = "";
      $("file-note").textContent = `Máy chủ sẽ đọc ${files.length} tệp khi tóm tắt (gõ vào ô văn bản để bỏ các tệp).`;
      $("file-note").hidden = false;
      return;
    }
  }
  $("text").value = texts.join("\n\n---\n\n");
}

function setMode(value) {
  mode = value;
  const many = value === "many";
  clearError();
  dropServerFile();
  $("file").value = "";
  $("file").multiple = many;
  $("file-name").textContent = "Chưa chọn tệp";
  $("title-field").hidden = many;
  document.querySelector("label[for=file]").textContent = many
    ? "Hoặc chọn nhiều tệp, mỗi tệp một bài"
    : "Hoặc tải tệp .txt, .docx, .pdf, .html";
  $("many-hint").hidden = !many;
  $("text-label").textContent = many ? "Các bài báo, ngăn cách bằng một dòng ---" : "Bài báo hoặc báo cáo";
  $("text").placeholder = many
    ? "Bài thứ nhất…\n---\nBài thứ hai…\n---\n(Ctrl+Enter để tóm tắt)"
    : "Dán văn bản vào đây (Ctrl+Enter để tóm tắt)";
  $("submit").textContent = many ? "Tóm tắt các bài" : "Tóm tắt";
}

function asText(result) {
  return [result.headline, "", result.abstract, "", ...result.bullets.map((b) => `- ${b}`)].join("\n");
}

function asMarkdown(result) {
  return [`# ${result.headline}`, "", result.abstract, "", ...result.bullets.map((b) => `- ${b}`)].join("\n");
}

async function copy(text, label) {
  const buffer = $("copy-buffer");
  buffer.value = text;
  try {
    await navigator.clipboard.writeText(text);
  } catch (_) {
    buffer.select();
    document.execCommand("copy");
  }
  $("copy-status").textContent = `Đã chép (${label}).`;
}

async function readFile(file) {
  clearError();
  dropServerFile();
  if (SERVER_READS.test(file.name)) {
    chooseServerFile(file);
    return;
  }
  const bytes = new Uint8Array(await file.arrayBuffer());
  const head = String.fromCharCode(...bytes.slice(0, 16));
  if (head.startsWith("%PDF") || head.startsWith("PK") || /^\s*<(!doctype|html)/i.test(head) || bytes.slice(0, 8192).includes(0)) {
    // not plain text: the server tells the format by content (and names what it cannot read)
    chooseServerFile(file);
    return;
  }
  try {
    $("text").value = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch (_) {
    showError(
      "Tệp không phải văn bản UTF-8. Hãy chuyển mã trước (ví dụ từ cp1258 hoặc latin-1): " +
        `iconv -f cp1258 -t utf-8 ${file.name}`,
    );
  }
}

document.addEventListener("DOMContentLoaded", () => {
  $("form").addEventListener("submit", (event) => {
    event.preventDefault();
    summarize();
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      summarize();
    }
  });
  // the browser's own file button speaks the browser's language: ours opens the same picker
  $("file").tabIndex = -1;
  $("file-button").addEventListener("click", () => $("file").click());
  $("file").addEventListener("change", () => {
    const files = [...$("file").files];
    $("file-name").textContent = files.length ? files.map((f) => f.name).join(", ") : "Chưa chọn tệp";
    if (mode === "many" && files.length) readFiles(files);
    else if (files.length) readFile(files[0]);
  });
  for (const id of ["mode-one", "mode-many"]) $(id).addEventListener("change", () => setMode($(id).value));
  if ($("mode-many").checked) setMode("many"); // the browser may restore the choice on reload
  $("text").addEventListener("input", () => {
    if (pendingFile || pendingFiles) {
      dropServerFile();
      $("file").value = "";
      $("file-name").textContent = "Chưa chọn tệp";
    }
  });
  $("copy-text").addEventListener("click", () => lastResult && copy(asText(lastResult), "văn bản"));
  $("copy-md").addEventListener("click", () => lastResult && copy(asMarkdown(lastResult), "Markdown"));
  loadModels();
});
