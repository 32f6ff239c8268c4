// Loopback web chat: renders the agent's outputs and sends replies over one WebSocket.
// The per-start token travels in the URL fragment (never sent in HTTP requests or
// Referer headers) and is presented once, in the WebSocket URL. Every word the page
// shows comes from the server (`ui`), in the conversation's language. New messages go
// into a role="log" region, so screen readers announce them; a step's picture comes
// with its alt text; every control is reachable by keyboard, and focus returns to the
// answer field after each turn. At a file question the page also offers a file input and
// takes a file dropped anywhere on the window: it goes to this same server only (token in
// a header), which keeps it on this machine and tells the path to send as the reply; a
// signed copy made beside it comes back as a download link.
"use strict";
(function () {
  const MASK = "••••••";
  const NUMERIC_SECRETS = ["pin", "puk", "sms_code"];
  const PROMPTS = ["question", "choice", "secret_request", "confirm_request", "language_request"];
  const token = decodeURIComponent(location.hash.slice(1));
  const lang = new URLSearchParams(location.search).get("lang");
  const log = document.getElementById("log");
  const messages = document.getElementById("messages");
  const calm = window.matchMedia("(prefers-reduced-motion: reduce)");
  const choices = document.getElementById("choices");
  const form = document.getElementById("reply");
  const input = document.getElementById("reply-input");
  const label = document.getElementById("reply-label");
  const send = document.getElementById("send");
  const hint = document.getElementById("hint");
  const status = document.getElementById("status");
  const filePanel = document.getElementById("file");
  const fileInput = document.getElementById("file-input");
  const fileLabel = document.getElementById("file-label");
  const fileHint = document.getElementById("file-hint");
  const fileStatus = document.getElementById("file-status");
  let uploadLimit = 0;
  let wantsFile = false;
  let ui = {};
  let secretPrompt = false;
  let ended = false;

  function add(text, cls, who, picture) {
    const item = document.createElement("li");
    if (who) {
      const speaker = document.createElement("span");
      speaker.className = "visually-hidden";
      speaker.textContent = who + ": ";
      item.appendChild(speaker);
    }
    item.appendChild(document.createTextNode(text));
    if (picture) {
      const figure = document.createElement("figure");
      const image = document.createElement("img");
      image.src = picture.src;
      image.alt = picture.alt;
      image.width = 480;
      image.height = 240;
      figure.appendChild(image);
      item.appendChild(figure);
    }
    if (cls) item.className = cls;
    messages.appendChild(item);
    item.scrollIntoView({ block: "end", behavior: calm.matches ? "auto" : "smooth" });
  }

  function setEnabled(enabled) {
    input.disabled = !enabled;
    send.disabled = !enabled;
    fileInput.disabled = !enabled;
  }

  function offerFile(wanted) {
    wantsFile = wanted;
    filePanel.hidden = !wanted;
    fileInput.value = "";
    fileStatus.textContent = "";
  }

  function addDownload(download) {
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.href = download.url;
    link.download = download.name;
    link.textContent = (ui.download || "") + ": " + download.name;
    item.appendChild(link);
    messages.appendChild(item);
    item.scrollIntoView({ block: "end", behavior: calm.matches ? "auto" : "smooth" });
  }

  function upload(file) {
    if (!wantsFile || ended) return;
    if (uploadLimit && file.size > uploadLimit) {
      fileStatus.textContent = ui.file_too_large || "";
      return;
    }
    fileStatus.textContent = ui.file_sending || "";
    fileInput.disabled = true;
    fetch("/upload", {
      method: "POST",
      headers: { "x-token": token, "x-file-name": encodeURIComponent(file.name) },
      body: file,
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (response.ok && data.path) {
          offerFile(false);
          add(data.name, "me", ui.you);
          ws.send(JSON.stringify({ type: "reply", text: data.path }));
          return;
        }
        fileStatus.textContent = response.status === 413 ? (ui.file_too_large || "") : (ui.file_failed || "");
        fileInput.disabled = false;
      });
    }).catch(function () {
      fileStatus.textContent = ui.file_failed || "";
      fileInput.disabled = false;
    });
  }

  function setPrompt(secretKind) {
    secretPrompt = secretKind !== null;
    input.value = "";  // a half-typed answer never lands in the next (maybe secret) one
    input.type = secretPrompt ? "password" : "text";
    input.inputMode = secretPrompt && NUMERIC_SECRETS.includes(secretKind) ? "numeric" : "text";
    const named = secretPrompt ? (ui["secret." + secretKind] || ui["secret.pin"]) : ui.reply_label;
    label.textContent = named || label.textContent;
    hint.textContent = secretPrompt ? (ui.secret_hint || "") : "";
  }

  function showChoices(list) {
    choices.replaceChildren();
    list.forEach(function (choice, index) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = (index + 1) + ". " + choice.text;
      button.addEventListener("click", function () { reply(String(index + 1), choice.text); });
      choices.appendChild(button);
    });
  }

  function reply(value, shown) {
    add(secretPrompt ? MASK : shown, "me", ui.you);
    ws.send(JSON.stringify({ type: "reply", text: value }));
    input.value = "";  // a secret is not kept in the page after it is sent
    choices.replaceChildren();
  }

  function applyUi(turn) {
    if (turn.lang) {
      document.documentElement.lang = turn.lang;
      document.documentElement.dir = turn.dir || "ltr";
    }
    if (turn.ui) {
      ui = turn.ui;
      send.textContent = ui.send || send.textContent;
      fileLabel.textContent = ui.file_label || fileLabel.textContent;
      fileHint.textContent = ui.file_hint || "";
      log.setAttribute("aria-label", ui.log_label || "");
      choices.setAttribute("aria-label", ui.choices_label || "");
    }
  }

  function render(turn) {
    applyUi(turn);
    uploadLimit = turn.upload_limit || uploadLimit;
    let prompt = null;
    (turn.outputs || []).forEach(function (out) {
      const cls = out.kind === "progress" || out.kind === "end" ? out.kind : "";
      add(out.text, out.from_helpdesk ? (cls + " helpdesk").trim() : cls, null, out.picture);
      if (PROMPTS.includes(out.kind)) prompt = out;
      if (out.kind === "end") ended = true;
    });
    (turn.downloads || []).forEach(addDownload);
    if (ended) {
      offerFile(false);
      setPrompt(null);
      setEnabled(false);
      choices.replaceChildren();
      status.textContent = ui.ended || "";
      return;
    }
    if (prompt) {  // a turn without a question (a card event) leaves the current one open
      showChoices(prompt.choices || []);
      setPrompt(prompt.kind === "secret_request" ? (prompt.secret_kind || "pin") : null);
      offerFile(Boolean(prompt.accepts_file));
    }
    setEnabled(true);
    input.focus();
  }

  const params = "token=" + encodeURIComponent(token) + (lang ? "&lang=" + encodeURIComponent(lang) : "");
  const ws = new WebSocket("ws://" + location.host + "/ws?" + params);
  ws.addEventListener("message", function (event) { render(JSON.parse(event.data)); });
  ws.addEventListener("close", function (event) {
    setEnabled(false);
    choices.replaceChildren();
    if (event.code === 4000) status.textContent = ui.replaced || "";
    else if (!ended) status.textContent = ui.disconnected || "Bağlantı kesildi.";
  });
  fileInput.addEventListener("change", function () {
    if (fileInput.files && fileInput.files.length) upload(fileInput.files[0]);
  });
  // A file dropped anywhere on the window: the page never navigates to it.
  window.addEventListener("dragover", function (event) {
    event.preventDefault();
    if (event.dataTransfer) event.dataTransfer.dropEffect = wantsFile ? "copy" : "none";
    filePanel.classList.toggle("over", wantsFile);
  });
  window.addEventListener("dragleave", function () { filePanel.classList.remove("over"); });
  window.addEventListener("drop", function (event) {
    event.preventDefault();
    filePanel.classList.remove("over");
    const files = event.dataTransfer ? event.dataTransfer.files : null;
    if (files && files.length) upload(files[0]);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    const value = input.value.trim();
    if (!value) return;
    reply(value, value);
  });
})();
