// tomtat's page for editors. It uses only the public API (GET /v1/models, POST /v1/summaries),
// so it doubles as an example client. No build step, no external resources.
"use strict";

const $ = (id) => document.getElementById(id);
const KEY_STORE = "tomtat-api-key";
let lastResult = null;
let retryTimer = null;

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

// Known notes of the service, in Vietnamese; anything else is shown as the server wrote it.
const NOTES = [
  [/^extractive model.*$/, "Mô hình trích xuất: các câu được chép nguyên văn từ văn bản gốc, không viết mới."],
  [/^document longer than.*$/, "Văn bản quá dài: phần cuối không được tóm tắt."],
  [/^headline and abstract are written from the first chunk.*$/, "Tiêu đề và tóm tắt được viết từ phần đầu văn bản; các ý chính bao quát toàn bài."],
  [/^.*left out by max_bullets.*$/, "Một số ý chính bị lược bớt theo số ý đã chọn."],
  [/^bullet dropped: not in the source: (.*)/, "Một ý chính bị bỏ vì có chi tiết không có trong văn bản gốc: $1"],
  [/^(headline|abstract|bullet) has what is not in the source: (.*)/, "Có chi tiết không có trong văn bản gốc ($1): $2"],
  [/^rewrite fell back to the extracted sentence: (.*)/, "Một số dòng viết lại bị thay bằng câu gốc (vì có chi tiết không có trong văn bản): $1"],
];

function note(text) {
  for (const [pattern, vi] of NOTES) {
    if (pattern.test(text)) return text.replace(pattern, vi);
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
  const message = MESSAGES[response.status] || `Lỗi ${response.status}.`;
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
  option.textContent = `${data.model.name} (${data.model.kind === "extractive" ? "trích xuất" : "sinh văn bản"})`;
  select.append(option);
  $("model-line").textContent = `Mô hình: ${data.model.name} — ${data.model.description || ""}`;
}

async function summarize() {
  clearError();
  const bullets = Number($("bullets").value);
  if (!Number.isInteger(bullets) || bullets < 1 || bullets > 10) {
    showError("Số ý chính phải là số nguyên từ 1 đến 10.");
    $("bullets").focus();
    return;
  }
  const body = { text: $("text").value, max_bullets: bullets, include_source: true };
  const title = $("title").value.trim();
  if (title) body.title = title;
  $("submit").disabled = true;
  $("busy").hidden = false;
  const started = performance.now();
  try {
    const response = await call("/v1/summaries", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
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
  const reasons = flagged.filter((items) => items.split(", ").some((item) => evidence.text.includes(item)));
  if (reasons.length) {
    el.classList.add("flagged");
    const mark = document.createElement("span");
    mark.className = "flag";
    mark.textContent = `⚠ không có trong văn bản gốc: ${reasons.join(", ")}`;
    el.append(mark);
  }
  const show = () => highlight(index, el);
  el.addEventListener("mouseenter", show);
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
  const cuts = new Set([0, text.length]);
  evidence.forEach((e) => e.sources.forEach((s) => { cuts.add(s.start); cuts.add(s.end); }));
  const points = [...cuts].sort((a, b) => a - b);
  for (let i = 0; i + 1 < points.length; i++) {
    const [a, b] = [points[i], points[i + 1]];
    const lines = evidence
      .map((e, index) => (e.sources.some((s) => s.start <= a && b <= s.end) ? index : -1))
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

function highlight(index, element) {
  document.querySelectorAll(".line.active").forEach((el) => el.classList.remove("active"));
  element.classList.add("active");
  const pieces = [...document.querySelectorAll("#source .src")];
  pieces.forEach((el) => el.classList.toggle("hl", el.dataset.lines.split(" ").includes(String(index))));
  const first = pieces.find((el) => el.classList.contains("hl"));
  if (first) first.scrollIntoView({ block: "center", behavior: "smooth" });
}

function render(data, seconds) {
  lastResult = data;
  const evidence = data.evidence || [];
  const flagged = flags(data.warnings || []);
  $("result").hidden = false;
  $("meta").textContent = `Mô hình: ${data.model} · ${seconds.toFixed(2).replace(".", ",")} giây`;
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
  for (const w of data.warnings || []) {
    const li = document.createElement("li");
    li.textContent = note(w);
    warnings.append(li);
  }
  renderSource(data.source || "", evidence);
  $("copy-status").textContent = "";
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
  const bytes = new Uint8Array(await file.arrayBuffer());
  if (bytes.slice(0, 8192).includes(0)) {
    showError("Tệp này có vẻ là tệp nhị phân, không phải văn bản.");
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
  $("file").addEventListener("change", () => {
    if ($("file").files.length) readFile($("file").files[0]);
  });
  $("copy-text").addEventListener("click", () => lastResult && copy(asText(lastResult), "văn bản"));
  $("copy-md").addEventListener("click", () => lastResult && copy(asMarkdown(lastResult), "Markdown"));
  loadModels();
});
