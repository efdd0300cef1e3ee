// The questionnaire page (screening/take.html): answers are kept as they are given.
//
// - Each answer goes at once into this browser's storage (one key per participation; on a
//   shared computer only for as long as the browser is open) and to the server
//   (take/<pk>/save/, one scale at a time, with a sequence number that grows with every
//   answer: the server ignores a save older than the one it holds) after a pause in answering,
//   at most once every SAVE_GAP while the answers keep coming, and at once when the page is
//   hidden (tab closed, phone locked): a class answering together sends a few saves each, not
//   one an answer (issue 15). When the network drops, the saves wait in a queue and are sent
//   again.
// - On load the page shows the server's answers; a newer copy in this browser (a tab closed
//   before its last save reached the server) wins.
// - Submit sends every answer (take/<pk>/submit/); the server stores it once, so sending it
//   again after a dropped connection is safe. Then the browser's copy is removed.
// - One question per screen (phones) or all on one page: a toggle remembered in this browser.
// No inline script: the Content-Security-Policy forbids it (core/protection.py).
(function () {
  "use strict";

  var form = document.querySelector("form[data-questionnaire]");
  if (!form) { return; }

  var text = form.dataset;
  var storeKey = "xinqiao.screening.answers." + form.dataset.participation;
  var layoutKey = "xinqiao.screening.layout";
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var items = Array.prototype.slice.call(form.querySelectorAll(".q-item"));
  var statusBox = form.querySelector("[data-save-status]");
  var submitError = form.querySelector("[data-submit-error]");
  var submitButton = form.querySelector("[data-submit]");
  var progress = form.querySelector("[data-progress]");
  var progressText = form.querySelector("[data-progress-text]");
  var toggle = form.querySelector("[data-layout-toggle]");

  // --- storage (a browser without it, or a full one, still saves to the server) ------------
  // A shared computer keeps the copy only while the browser is open (the page asks the
  // student to close it): the next student must not find it.
  function answerStore() {
    return form.hasAttribute("data-shared-computer") ? window.sessionStorage : window.localStorage;
  }
  function readLocal() {
    try { return JSON.parse(answerStore().getItem(storeKey) || "{}") || {}; }
    catch (e) { return {}; }
  }
  function writeLocal() {
    try { answerStore().setItem(storeKey, JSON.stringify({ scales: state })); }
    catch (e) { /* private mode or full: the server copy remains */ }
  }
  function readSetting(key) {
    try { return window.localStorage.getItem(key); } catch (e) { return null; }
  }
  function writeSetting(key, value) {
    try { window.localStorage.setItem(key, value); } catch (e) { /* not remembered */ }
  }

  // --- the answers: the server's, or this browser's when newer -------------------------------
  var server = JSON.parse(document.getElementById("questionnaire-saved").textContent || "{}");
  var local = (readLocal().scales) || {};
  var state = {};
  var counter = 0;
  Array.prototype.forEach.call(form.querySelectorAll("[data-scale]"), function (section) {
    var id = section.dataset.scale;
    var fromServer = server[id] || { answers: {}, seq: 0 };
    var mine = local[id];
    if (mine && mine.seq > fromServer.seq) {
      state[id] = { answers: mine.answers || {}, seq: mine.seq, sent: false };
    } else {
      state[id] = { answers: fromServer.answers || {}, seq: fromServer.seq, sent: true };
    }
    counter = Math.max(counter, state[id].seq);
  });

  function scaleOf(item) { return item.closest("[data-scale]").dataset.scale; }
  function isAnswered(item) { return !!item.querySelector("input[type=radio]:checked"); }

  items.forEach(function (item) {
    var answer = state[scaleOf(item)].answers[item.dataset.item];
    Array.prototype.forEach.call(item.querySelectorAll("input[type=radio]"), function (input) {
      input.checked = answer !== undefined && String(answer) === input.value;
    });
  });

  // --- saving to the server, with a queue that survives a dropped network -------------------
  var saveTimer = null;
  var retryTimer = null;
  var retryDelay = 2000;
  var sending = false;
  var stopped = false;  // signed out or refused: saving again would not help
  var SAVE_PAUSE = 2000;  // ms without a new answer before saving
  var SAVE_GAP = 30000;  // ms at least between two saves while answering
  var lastSentAt = 0;

  function setStatus(kind, message) {
    statusBox.textContent = message;
    statusBox.dataset.state = kind;
  }
  function pending() {
    return Object.keys(state).filter(function (id) { return !state[id].sent; });
  }
  function scheduleSave(delay) {
    window.clearTimeout(saveTimer);
    saveTimer = window.setTimeout(flush, delay);
  }
  function scheduleAnswerSave() {
    // Offline, the first try fails at once and the page says so (then the retries take over).
    var gap = navigator.onLine === false ? 0 : lastSentAt + SAVE_GAP - Date.now();
    scheduleSave(Math.max(SAVE_PAUSE, gap));
  }
  function post(url, body) {
    return window.fetch(url, {
      method: "POST",
      credentials: "same-origin",
      keepalive: true,
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-CSRFToken": csrf
      },
      body: JSON.stringify(body)
    }).then(function (response) {
      var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      if (response.redirected || !json) {
        return { kind: "signed_out", status: response.status };
      }
      return response.json().then(function (data) {
        if (response.ok) { return { kind: "ok", data: data }; }
        if (response.status >= 500) { return { kind: "network" }; }
        return { kind: "refused", data: data, status: response.status };
      });
    }, function () { return { kind: "network" }; });
  }
  function offline() {
    setStatus("offline", text.textOffline);
    window.clearTimeout(retryTimer);
    retryTimer = window.setTimeout(flush, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 30000);
  }
  function flush() {
    if (sending || stopped) { return; }
    var waiting = pending();
    if (!waiting.length) { setStatus("saved", text.textSaved); return; }
    var id = waiting[0];
    var seq = state[id].seq;
    sending = true;
    lastSentAt = Date.now();
    setStatus("saving", text.textSaving);
    post(text.saveUrl, { scale: id, answers: state[id].answers, seq: seq }).then(function (result) {
      sending = false;
      if (result.kind === "ok") {
        retryDelay = 2000;
        if (state[id].seq === seq) { state[id].sent = true; writeLocal(); }
        if (pending().length) { scheduleAnswerSave(); } else { setStatus("saved", text.textSaved); }
      } else if (result.kind === "network") {
        offline();
      } else if (result.kind === "signed_out") {
        stopped = true;
        setStatus("error", text.textSignedOut);
      } else {
        stopped = true;
        setStatus("error", ((result.data && result.data.errors) || []).join(" ") || text.textOffline);
      }
    });
  }
  window.addEventListener("online", function () { retryDelay = 2000; flush(); });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { window.clearTimeout(saveTimer); flush(); }
  });

  // --- progress and the two layouts -------------------------------------------------------
  var current = 0;
  var oneByOne = false;

  function updateProgress() {
    var done = items.filter(isAnswered).length;
    progress.value = done;
    progressText.textContent = text.textProgress
      .replace("{done}", done).replace("{total}", items.length);
  }
  function show(index, focus) {
    current = Math.max(0, Math.min(index, items.length - 1));
    items.forEach(function (item, i) { item.classList.toggle("is-current", i === current); });
    var section = items[current].closest("[data-scale]");
    Array.prototype.forEach.call(form.querySelectorAll(".q-scale"), function (s) {
      s.classList.toggle("is-current-scale", s === section);
    });
    form.classList.toggle("is-first", current === 0);
    form.classList.toggle("is-last", current === items.length - 1);
    if (focus && oneByOne) {
      items[current].focus({ preventScroll: true });
      form.scrollIntoView({ block: "start" });
    }
  }
  function setLayout(steps, remember) {
    oneByOne = steps;
    form.classList.toggle("q-one-by-one", steps);
    form.querySelector("[data-steps]").hidden = !steps;
    toggle.textContent = steps ? text.textAll : text.textOneByOne;
    toggle.setAttribute("aria-pressed", steps ? "true" : "false");
    if (remember) { writeSetting(layoutKey, steps ? "steps" : "all"); }
    show(current, false);
  }
  function firstUnanswered() {
    for (var i = 0; i < items.length; i += 1) { if (!isAnswered(items[i])) { return i; } }
    return -1;
  }

  items.forEach(function (item) { item.setAttribute("tabindex", "-1"); });
  var remembered = readSetting(layoutKey);
  var phone = window.matchMedia("(max-width: 700px)").matches;
  var start = firstUnanswered();
  current = start === -1 ? items.length - 1 : start;
  setLayout(remembered ? remembered === "steps" : phone, false);
  updateProgress();
  form.querySelector("[data-toolbar]").hidden = false;
  form.querySelector("[data-progress-box]").hidden = false;
  if (pending().length) { scheduleSave(0); } else { setStatus("saved", text.textSaved); }

  toggle.addEventListener("click", function () { setLayout(!oneByOne, true); });
  form.querySelector("[data-prev]").addEventListener("click", function () { show(current - 1, true); });
  form.querySelector("[data-next]").addEventListener("click", function () { show(current + 1, true); });

  // An answer chosen by a tap moves on to the next question; arrow keys only choose.
  var tapped = false;
  form.addEventListener("pointerdown", function (event) {
    tapped = !!event.target.closest(".q-option");
  });
  form.addEventListener("change", function (event) {
    var input = event.target;
    if (input.type !== "radio") { return; }
    var item = input.closest(".q-item");
    var id = scaleOf(item);
    counter += 1;
    state[id].answers[item.dataset.item] = Number(input.value);
    state[id].seq = counter;
    state[id].sent = false;
    writeLocal();
    item.classList.remove("is-missing");
    item.querySelector(".q-missing").hidden = true;
    updateProgress();
    setStatus("saving", text.textSaving);
    scheduleAnswerSave();
    if (oneByOne && tapped && items.indexOf(item) === current && current < items.length - 1) {
      window.setTimeout(function () { show(current + 1, true); }, 250);
    }
    tapped = false;
  });

  // --- submit -------------------------------------------------------------------------------
  function showSubmitError(message) {
    submitError.textContent = message;
    submitError.hidden = !message;
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var missing = items.filter(function (item) { return !isAnswered(item); });
    items.forEach(function (item) {
      var absent = missing.indexOf(item) !== -1;
      item.classList.toggle("is-missing", absent);
      item.querySelector(".q-missing").hidden = !absent;
    });
    if (missing.length) {
      showSubmitError(text.textMissing);
      show(items.indexOf(missing[0]), false);
      missing[0].scrollIntoView({ block: "center" });
      missing[0].focus({ preventScroll: true });
      return;
    }
    var answers = {};
    Object.keys(state).forEach(function (id) { answers[id] = state[id].answers; });
    submitButton.disabled = true;
    submitButton.setAttribute("aria-busy", "true");
    showSubmitError("");
    setStatus("saving", text.textSending);
    post(text.submitUrl, { answers: answers }).then(function (result) {
      if (result.kind === "ok") {
        try { answerStore().removeItem(storeKey); } catch (e) { /* nothing kept */ }
        window.location.assign(result.data.next);
        return;
      }
      submitButton.disabled = false;
      submitButton.removeAttribute("aria-busy");
      if (result.kind === "network") {
        showSubmitError(text.textSendFailed);
        setStatus("offline", text.textOffline);
      } else if (result.kind === "signed_out") {
        showSubmitError(text.textSignedOut);
        setStatus("error", text.textSignedOut);
      } else {
        showSubmitError(((result.data && result.data.errors) || []).join(" ") || text.textSendFailed);
        setStatus("error", "");
      }
    });
  });
})();
