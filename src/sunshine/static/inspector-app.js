// The inspector app (检查App): inspections done on a phone, kept in an outbox on the phone
// (IndexedDB) and sent when the network allows, exactly once thanks to a key the phone gives
// each record. The server recomputes and judges everything; what is computed here (the
// result preview, the checks before saving) only spares the inspector a round trip.
(function () {
  "use strict";

  const DB_NAME = "sunshine-inspector";
  const DB_VERSION = 1;
  const OUTBOX = "outbox"; // records to send, and those sent (kept a week to show them)
  const DRAFTS = "drafts"; // one unfinished inspection per officer and business
  const KEEP_STORED_MS = 7 * 24 * 3600 * 1000;
  const PHOTO_EDGE = 1600; // the long edge the server keeps too: no point sending more
  const PHOTO_QUALITY = 0.85;
  const MAX_PHOTOS_PER_ITEM = 5;
  const RETRY_MS = 60 * 1000;
  const CLOCK_KEY = "sunshine.inspector.clockOffsetMs";
  const SCOPE = "/gov/app";

  const page = document.getElementById("app-page");
  const appData = document.getElementById("app-data");
  const T = readTexts();
  const me = appData ? Number(appData.dataset.userId) : null;
  const zh = appData ? appData.dataset.locale === "zh_CN" : true;
  let csrfToken = metaToken();

  // -- small helpers ---------------------------------------------------------------------
  function readTexts() {
    const node = document.getElementById("app-texts");
    return node ? JSON.parse(node.textContent) : {};
  }

  function metaToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  function fmt(template, params) {
    return String(template || "").replace(/\{(\w+)\}/g, function (whole, name) {
      return params && name in params ? String(params[name]) : whole;
    });
  }

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(function ([name, value]) {
      if (value === null || value === undefined || value === false) { return; }
      if (name === "text") { node.textContent = value; } else { node.setAttribute(name, value); }
    });
    (children || []).forEach(function (child) { if (child) { node.append(child); } });
    return node;
  }

  // Times the server will judge ("not in the future"): the phone's clock, corrected by what
  // the server's Date header said last (rounded down, so never ahead of the server).
  function serverNow() {
    const offset = Number(localStorage.getItem(CLOCK_KEY) || 0);
    return new Date(Date.now() + (Number.isFinite(offset) ? offset : 0));
  }

  function noteServerClock(response) {
    const said = Date.parse(response.headers.get("Date") || "");
    if (Number.isFinite(said)) { localStorage.setItem(CLOCK_KEY, String(said - Date.now())); }
  }

  // Times are shown in China's time, as the server shows them, whatever the phone's zone.
  const SHANGHAI = new Intl.DateTimeFormat("en-CA", {
    timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  });

  function localTime(iso) {
    if (!iso) { return ""; }
    const parts = {};
    SHANGHAI.formatToParts(new Date(iso)).forEach(function (p) { parts[p.type] = p.value; });
    return parts.year + "-" + parts.month + "-" + parts.day + " " + parts.hour + ":" + parts.minute;
  }

  function dayAfter(iso) {
    const day = localTime(iso).slice(0, 10);
    const next = new Date(day + "T00:00:00Z");
    next.setUTCDate(next.getUTCDate() + 1);
    return next.toISOString().slice(0, 10);
  }

  function newKey() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, function (b) { return b.toString(16).padStart(2, "0"); }).join("");
  }

  // -- IndexedDB -------------------------------------------------------------------------
  let dbPromise = null;

  function openDb() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        const request = indexedDB.open(DB_NAME, DB_VERSION);
        request.onupgradeneeded = function () {
          const db = request.result;
          if (!db.objectStoreNames.contains(OUTBOX)) {
            db.createObjectStore(OUTBOX, { keyPath: "client_key" });
          }
          if (!db.objectStoreNames.contains(DRAFTS)) {
            db.createObjectStore(DRAFTS, { keyPath: "key" });
          }
        };
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { reject(request.error); };
      });
    }
    return dbPromise;
  }

  async function withStore(name, mode, work) {
    const db = await openDb();
    return new Promise(function (resolve, reject) {
      const tx = db.transaction(name, mode);
      const request = work(tx.objectStore(name));
      tx.oncomplete = function () { resolve(request ? request.result : undefined); };
      tx.onerror = function () { reject(tx.error); };
      tx.onabort = function () { reject(tx.error); };
    });
  }

  const idb = {
    get: function (store, key) { return withStore(store, "readonly", function (s) { return s.get(key); }); },
    all: function (store) { return withStore(store, "readonly", function (s) { return s.getAll(); }); },
    put: function (store, value) { return withStore(store, "readwrite", function (s) { return s.put(value); }); },
    remove: function (store, key) { return withStore(store, "readwrite", function (s) { return s.delete(key); }); },
  };

  async function myRecords() {
    const all = await idb.all(OUTBOX);
    return all.filter(function (r) { return r.user_id === me; })
      .sort(function (a, b) { return (b.saved_at || "").localeCompare(a.saved_at || ""); });
  }

  async function forgetOldStored() {
    const cutoff = Date.now() - KEEP_STORED_MS;
    for (const record of await myRecords()) {
      if (record.state === "stored" && Date.parse(record.stored_at || "") < cutoff) {
        await idb.remove(OUTBOX, record.client_key);
      }
    }
  }

  function draftKey(businessId) { return me + ":" + businessId; }

  // -- the record as the server reads it (same JSON as POST /api/v1/inspections) ----------
  function base64Of(dataUrl) { return dataUrl ? dataUrl.slice(dataUrl.indexOf(",") + 1) : null; }

  function bodyOf(record) {
    const form = record.form;
    const order = form.order || Object.keys(form.answers);
    const items = order.filter(function (code) { return form.answers[code] && form.answers[code].outcome; })
      .map(function (code) {
        const answer = form.answers[code];
        return { item: code, outcome: answer.outcome, note: answer.note || "" };
      });
    const answered = new Set(items.map(function (i) { return i.item; }));
    const signatures = [];
    if (form.signatures.me) { signatures.push({ user_id: record.user_id, png: base64Of(form.signatures.me) }); }
    if (form.signatures.co && form.co_inspector_id) {
      signatures.push({ user_id: form.co_inspector_id, png: base64Of(form.signatures.co) });
    }
    if (form.signatures.rep) { signatures.push({ user_id: null, png: base64Of(form.signatures.rep) }); }
    const photos = [];
    Object.entries(form.photos || {}).forEach(function ([code, list]) {
      if (!answered.has(code)) { return; }
      list.forEach(function (photo) { photos.push({ item: code, filename: photo.name, data: photo.data }); });
    });
    const geo = form.geo || {};
    return {
      client_key: record.client_key,
      business_id: record.business_id,
      checklist_id: form.checklist_id,
      task_id: form.task_id || null,
      kind: form.kind,
      started_at: form.started_at,
      finished_at: form.finished_at,
      inspector_ids: [record.user_id].concat(form.co_inspector_id ? [form.co_inspector_id] : []),
      items: items,
      representative_name: form.representative_name || "",
      result: form.result || null,
      rectify_by: form.result && form.result !== "compliant" && form.rectify_by ? form.rectify_by : null,
      latitude: geo.latitude === undefined ? null : geo.latitude,
      longitude: geo.longitude === undefined ? null : geo.longitude,
      location_accuracy_m: geo.accuracy === undefined ? null : geo.accuracy,
      remarks: form.remarks || "",
      signatures: signatures,
      photos: photos,
    };
  }

  // -- sending the outbox ------------------------------------------------------------------
  let syncing = false;

  async function syncOutbox() {
    if (syncing || !navigator.onLine || me === null) { return; }
    syncing = true;
    try {
      // One sender per phone, whatever the number of open tabs.
      if (navigator.locks) {
        await navigator.locks.request("sunshine-inspector-outbox", sendWaiting);
      } else {
        await sendWaiting();
      }
    } finally {
      syncing = false;
      await refreshOutboxViews();
    }
  }

  async function sendWaiting() {
    for (const record of await myRecords()) {
      // "sending" left behind by a page closed mid-request is sent again: the key makes
      // a second arrival find the first.
      if (record.state === "waiting" || record.state === "sending") {
        if (!navigator.onLine) { return; }
        await sendOne(record);
      }
    }
  }

  async function sendOne(record) {
    record.state = "sending";
    record.attempts = (record.attempts || 0) + 1;
    await idb.put(OUTBOX, record);
    await refreshOutboxViews();
    let response;
    try {
      response = await postRecord(record);
    } catch (error) {
      record.state = "waiting";
      record.message = T.network_error;
      await idb.put(OUTBOX, record);
      return;
    }
    await settle(record, response);
  }

  async function postRecord(record) {
    const body = JSON.stringify(bodyOf(record));
    let response = await post(body, csrfToken);
    if (response.status === 403) {
      // The page may have come from the phone's cache with an older session's token.
      const fresh = await refreshSession();
      if (fresh) { response = await post(body, csrfToken); }
    }
    noteServerClock(response);
    return response;
  }

  function post(body, token) {
    return fetch(SCOPE + "/inspections", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRF-Token": token },
      body: body,
    });
  }

  async function settle(record, response) {
    let answer = {};
    try { answer = await response.json(); } catch (error) { answer = {}; }
    const status = response.status;
    record.message = answer.detail || "";
    record.problems = answer.errors || [];
    if (status === 200 || status === 201) {
      record.state = "stored";
      record.inspection_id = answer.id;
      record.reference = answer.reference;
      record.result = answer.result;
      record.record_url = answer.record_url;
      record.stored_at = new Date().toISOString();
      record.form = null; // photos and signatures now live on the server
      record.message = "";
    } else if (status === 409) {
      record.state = "conflict";
      // "task-changed": the task was cancelled, done or reassigned; otherwise the checklist.
      record.conflict = answer.type === "task-changed" ? "task" : "checklist";
    } else if (status === 401 || status === 403) {
      record.state = "waiting";
      record.message = status === 401 ? T.sign_in_again : (answer.detail || T.sign_in_again);
    } else if (status >= 400 && status < 500) {
      record.state = "refused";
    } else {
      record.state = "waiting";
      record.message = fmt(T.server_error, { status: status });
    }
    await idb.put(OUTBOX, record);
  }

  async function refreshSession() {
    try {
      const response = await fetch(SCOPE + "/session.json", {
        credentials: "same-origin", headers: { Accept: "application/json" }, cache: "no-store",
      });
      if (!response.ok) { return false; }
      noteServerClock(response);
      const session = await response.json();
      csrfToken = session.csrf_token || csrfToken;
      return true;
    } catch (error) {
      return false;
    }
  }

  // -- what every app page shows: network and sync state --------------------------------
  function showNetwork() {
    const badge = document.getElementById("net-state");
    if (!badge) { return; }
    const online = navigator.onLine;
    badge.dataset.state = online ? "online" : "offline";
    badge.textContent = online ? T.online : T.offline;
  }

  async function showSyncBadge(records) {
    const badge = document.getElementById("sync-state");
    if (!badge) { return; }
    const open = records.filter(function (r) { return r.state !== "stored"; });
    const unsent = open.filter(function (r) { return r.state === "waiting" || r.state === "sending"; });
    badge.dataset.count = String(unsent.length);
    badge.dataset.state = open.some(function (r) { return r.state === "conflict" || r.state === "refused"; })
      ? "attention" : (unsent.length ? "waiting" : "synced");
    badge.textContent = unsent.length ? fmt(T.outbox_count, { n: unsent.length })
      : (open.length ? T[open[0].state] : T.synced);
    badge.hidden = false;
  }

  async function refreshOutboxViews() {
    const records = await myRecords();
    await showSyncBadge(records);
    if (page && page.dataset.page === "home") {
      renderOutbox(records);
      await renderDrafts();
    }
  }

  // -- home: the outbox and unfinished inspections --------------------------------------
  function renderOutbox(records) {
    const list = document.getElementById("outbox-list");
    const summary = document.getElementById("outbox-summary");
    if (!list) { return; }
    list.replaceChildren.apply(list, records.map(outboxItem));
    const count = function (states) {
      return records.filter(function (r) { return states.indexOf(r.state) >= 0; }).length;
    };
    const unsent = count(["waiting", "sending"]);
    const attention = count(["conflict", "refused"]);
    const parts = [];
    if (unsent) { parts.push(fmt(T.outbox_count, { n: unsent })); }
    if (attention) { parts.push(fmt(T.attention, { n: attention })); }
    summary.textContent = records.length === 0 ? T.outbox_empty : (parts.join(" · ") || T.synced);
  }

  function outboxItem(record) {
    const badge = el("span", { class: "badge state-badge state-" + record.state, text: T[record.state] });
    const head = el("div", { class: "d-flex justify-content-between gap-2" }, [
      el("span", { class: "fw-semibold text-truncate", text: record.business_name }), badge,
    ]);
    const when = record.state === "stored" ? fmt(T.ref, { reference: record.reference })
      : fmt(T.saved_at, { time: localTime(record.saved_at) });
    const item = el("li", {
      class: "list-group-item outbox-item", "data-state": record.state, "data-key": record.client_key,
    }, [head, el("div", { class: "small text-body-secondary", text: when })]);
    if (record.message) { item.append(el("div", { class: "small outbox-message", text: record.message })); }
    if (record.state === "refused" && record.problems && record.problems.length) {
      item.append(el("ul", { class: "small mb-1 outbox-problems" }, record.problems.map(function (p) {
        return el("li", { text: p.message, "data-field": p.field });
      })));
    }
    item.append(outboxActions(record));
    return item;
  }

  function outboxActions(record) {
    const actions = el("div", { class: "d-flex flex-wrap gap-2 mt-1" });
    const editUrl = SCOPE + "/businesses/" + record.business_id + "/inspect?record=" + encodeURIComponent(record.client_key);
    if (record.state === "stored" && record.record_url) {
      actions.append(el("a", { class: "btn btn-sm btn-outline-success", href: record.record_url, text: T.open_record }));
    } else if (record.state === "conflict" && record.conflict === "task") {
      const untie = el("button", { type: "button", class: "btn btn-sm btn-warning record-without-task", text: T.record_without_task });
      untie.addEventListener("click", async function () {
        // The inspection happened: it is kept, and stored as one not made for the task.
        record.form.task_id = null;
        record.state = "waiting";
        record.message = "";
        record.conflict = null;
        await idb.put(OUTBOX, record);
        await refreshOutboxViews();
        syncOutbox();
      });
      actions.append(untie);
    } else if (record.state === "conflict") {
      actions.append(el("a", { class: "btn btn-sm btn-warning reload-checklist", href: editUrl, text: T.reload_checklist }));
    } else if (record.state === "refused") {
      actions.append(el("a", { class: "btn btn-sm btn-primary edit-record", href: editUrl, text: T.edit_again }));
    }
    if (record.state === "conflict" || record.state === "refused") {
      const discard = el("button", { type: "button", class: "btn btn-sm btn-outline-danger", text: T.discard });
      discard.addEventListener("click", async function () {
        if (window.confirm(T.discard_confirm)) {
          await idb.remove(OUTBOX, record.client_key);
          await refreshOutboxViews();
        }
      });
      actions.append(discard);
    }
    return actions;
  }

  async function renderDrafts() {
    const list = document.getElementById("draft-list");
    if (!list) { return; }
    const drafts = (await idb.all(DRAFTS)).filter(function (d) { return d.user_id === me; });
    list.replaceChildren.apply(list, drafts.map(function (draft) {
      return el("li", { class: "list-group-item draft-item", "data-business-id": String(draft.business_id) }, [
        el("a", { href: SCOPE + "/businesses/" + draft.business_id + "/inspect", text: draft.business_name }),
        el("div", { class: "small text-body-secondary", text: fmt(T.started, { time: localTime(draft.form.started_at) }) }),
      ]);
    }));
  }

  function initHome() {
    const button = document.getElementById("sync-now");
    if (button) { button.addEventListener("click", syncOutbox); }
    placeMeOnMap();
    document.body.addEventListener("htmx:sendError", function () {
      const warning = document.getElementById("search-offline");
      if (warning) { warning.textContent = T.search_offline; warning.hidden = false; }
    });
    document.body.addEventListener("htmx:afterRequest", function (event) {
      const warning = document.getElementById("search-offline");
      if (warning && event.detail.successful) { warning.hidden = true; }
    });
  }

  // The officer on the task map, in the box the server fitted the tasks into (shown only
  // when inside it: far away, the dot would say nothing).
  function placeMeOnMap() {
    const map = document.getElementById("task-map");
    if (!map || !navigator.geolocation) { return; }
    navigator.geolocation.getCurrentPosition(function (position) {
      const box = map.dataset;
      const x = (position.coords.longitude - Number(box.west)) / (Number(box.east) - Number(box.west)) * 100;
      const y = (Number(box.north) - position.coords.latitude) / (Number(box.north) - Number(box.south)) * Number(box.height);
      if (x < 0 || x > 100 || y < 0 || y > Number(box.height)) { return; }
      const me = document.getElementById("map-me");
      me.setAttribute("transform", "translate(" + x.toFixed(2) + " " + y.toFixed(2) + ")");
      me.hidden = false;
      me.removeAttribute("hidden");
      document.getElementById("map-me-note").hidden = false;
    }, function () {}, { enableHighAccuracy: false, timeout: 10000, maximumAge: 300000 });
  }

  // -- business page: keep its inspection for offline work ------------------------------
  async function initBusiness() {
    const draft = await idb.get(DRAFTS, draftKey(page.dataset.businessId));
    const note = document.getElementById("draft-note");
    if (draft && note) { note.hidden = false; }
  }

  // -- the service worker ---------------------------------------------------------------
  async function registerWorker() {
    if (!("serviceWorker" in navigator)) { return; }
    try {
      await navigator.serviceWorker.register(SCOPE + "/sw.js", { scope: SCOPE });
      const ready = await navigator.serviceWorker.ready;
      const keep = [location.pathname].concat((page.dataset.keep || "").split(" ").filter(Boolean));
      navigator.serviceWorker.addEventListener("message", function (event) {
        if (event.data && event.data.type === "kept") { document.documentElement.dataset.offlineReady = "yes"; }
      });
      if (ready.active) { ready.active.postMessage({ type: "keep", urls: keep }); }
    } catch (error) {
      // Without a service worker the app still works online; nothing to tell the inspector.
    }
  }

  // -- the inspection page -----------------------------------------------------------------
  const inspection = {
    checklist: null,
    officers: [],
    form: null,
    editing: null, // the outbox record being corrected, if any
    pads: {},
    saveTimer: null,
    items: [], // checklist items in order, each with its section
  };

  async function fetchJson(url) {
    try {
      const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
      return response.ok ? await response.json() : null;
    } catch (error) {
      return null;
    }
  }

  function newForm(checklist) {
    return {
      client_key: newKey(),
      checklist_id: checklist.id,
      task_id: page.dataset.taskId ? Number(page.dataset.taskId) : null,
      kind: "routine",
      started_at: serverNow().toISOString(),
      finished_at: null,
      answers: {},
      photos: {},
      co_inspector_id: null,
      representative_name: "",
      signatures: { me: null, co: null, rep: null },
      rectify_by: "",
      remarks: "",
      geo: null,
      result: null,
    };
  }

  function appliesHere(item) {
    return !item.applies_to || item.applies_to.indexOf(page.dataset.businessForm) >= 0;
  }

  // A record begun with another version of the checklist keeps the answers (and photos) of
  // the items that still exist; the inspector checks the rest again.
  function fitToChecklist(form, checklist) {
    if (form.checklist_id === checklist.id) { return false; }
    const codes = new Set(inspection.items.map(function (i) { return i.code; }));
    Object.keys(form.answers).forEach(function (code) { if (!codes.has(code)) { delete form.answers[code]; } });
    Object.keys(form.photos).forEach(function (code) { if (!codes.has(code)) { delete form.photos[code]; } });
    form.checklist_id = checklist.id;
    form.result = null;
    return true;
  }

  function presetNotApplicable(form) {
    inspection.items.forEach(function (item) {
      if (!appliesHere(item) && !form.answers[item.code]) {
        form.answers[item.code] = { outcome: "not_applicable", note: "" };
      }
    });
  }

  async function initInspect() {
    const [checklist, officers] = await Promise.all([
      fetchJson(page.dataset.checklistUrl), fetchJson(page.dataset.officersUrl),
    ]);
    if (!checklist) {
      const missing = document.getElementById("checklist-missing");
      missing.textContent = T.checklist_unavailable;
      missing.classList.remove("d-none");
      return;
    }
    inspection.checklist = checklist;
    inspection.officers = (officers && officers.officers) || [];
    inspection.items = checklist.sections.flatMap(function (section) {
      return section.items.map(function (item) { return Object.assign({ section: section }, item); });
    });
    await loadForm(checklist);
    document.getElementById("inspection-form").hidden = false;
    document.getElementById("summary-bar").hidden = false;
    renderInspection();
    locate(false);
  }

  async function loadForm(checklist) {
    const key = new URLSearchParams(location.search).get("record");
    const record = key ? await idb.get(OUTBOX, key) : null;
    if (record && record.form && record.user_id === me && record.state !== "stored") {
      inspection.editing = record;
      inspection.form = record.form;
      const changed = fitToChecklist(inspection.form, checklist);
      showRecordNotice(record, changed);
      return;
    }
    const draft = await idb.get(DRAFTS, draftKey(page.dataset.businessId));
    if (draft) {
      inspection.form = draft.form;
      const changed = fitToChecklist(inspection.form, checklist);
      notice(changed ? T.conflict_kept : T.draft_restored, changed ? "warning" : "info");
    } else {
      inspection.form = newForm(checklist);
    }
    presetNotApplicable(inspection.form);
  }

  function showRecordNotice(record, changed) {
    const box = document.getElementById("inspect-notice");
    const lines = [];
    if (record.message) { lines.push(record.message); }
    if (changed || record.state === "conflict") { lines.push(T.conflict_kept); }
    (record.problems || []).forEach(function (p) { lines.push("• " + p.message); });
    box.replaceChildren.apply(box, lines.map(function (line) { return el("div", { text: line }); }));
    box.className = "alert " + (record.state === "refused" ? "alert-danger" : "alert-warning");
    box.dataset.state = record.state;
  }

  function notice(text, kind) {
    const box = document.getElementById("inspect-notice");
    box.textContent = text;
    box.className = "alert alert-" + kind;
  }

  function renderInspection() {
    const form = inspection.form;
    const checklist = inspection.checklist;
    document.getElementById("checklist-name").textContent =
      (zh ? checklist.name_zh : checklist.name_en) + " (" + checklist.version + ")";
    document.getElementById("started-at").textContent = fmt(T.started, { time: localTime(form.started_at) });
    document.getElementById("kind").value = form.kind;
    document.getElementById("representative-name").value = form.representative_name;
    const rectifyBy = document.getElementById("rectify-by");
    rectifyBy.value = form.rectify_by || "";
    rectifyBy.min = dayAfter(form.started_at); // the deadline comes after the inspection
    document.getElementById("remarks").value = form.remarks || "";
    renderItems();
    renderOfficers();
    initPads();
    showGeo();
    updatePreview();
  }

  // -- items -------------------------------------------------------------------------------
  function renderItems() {
    const box = document.getElementById("items");
    const nodes = [];
    inspection.checklist.sections.forEach(function (section) {
      nodes.push(el("h3", { class: "h6 section-title mt-3", text: section.code + " " + (zh ? section.title_zh : section.title_en) }));
      section.items.forEach(function (item) { nodes.push(itemCard(item)); });
    });
    box.replaceChildren.apply(box, nodes);
  }

  function itemCard(item) {
    const answer = inspection.form.answers[item.code] || {};
    const card = el("div", {
      class: "card item-card mb-2", "data-code": item.code, "data-key": item.key ? "yes" : "no",
      "data-outcome": answer.outcome || "",
    });
    const body = el("div", { class: "card-body p-2" });
    const head = el("div", { class: "d-flex align-items-center gap-2 mb-1" }, [
      el("span", { class: "item-code", text: item.code }),
      item.key ? el("span", { class: "badge text-bg-danger", text: T.key_item }) : null,
      appliesHere(item) ? null : el("span", { class: "badge text-bg-secondary", text: T.not_for_business }),
    ]);
    body.append(head, el("p", { class: "item-text mb-2", text: zh ? item.text_zh : item.text_en }));
    body.append(outcomeButtons(item, answer.outcome));
    body.append(noteField(item, answer));
    body.append(photoStrip(item));
    card.append(body);
    return card;
  }

  function outcomeButtons(item, chosen) {
    const group = el("div", { class: "btn-group w-100 outcome-group", role: "group", "aria-label": item.code });
    [["pass", "btn-outline-success"], ["fail", "btn-outline-danger"], ["not_applicable", "btn-outline-secondary"]]
      .forEach(function ([value, style]) {
        const id = "o-" + item.code + "-" + value;
        const input = el("input", {
          type: "radio", class: "btn-check", name: "o-" + item.code, id: id, value: value, autocomplete: "off",
        });
        input.checked = chosen === value;
        input.addEventListener("change", function () { setOutcome(item, value); });
        group.append(input, el("label", { class: "btn " + style, for: id, text: T[value] }));
      });
    return group;
  }

  function noteField(item, answer) {
    const note = el("textarea", {
      class: "form-control form-control-sm mt-2 item-note", rows: "2", maxlength: "2000",
      placeholder: answer.outcome === "fail" ? T.note_fail : T.note_na, "aria-label": T.note + " " + item.code,
    });
    note.value = answer.note || "";
    note.hidden = !(answer.outcome === "fail" || answer.outcome === "not_applicable" || answer.note);
    note.addEventListener("input", function () {
      const current = inspection.form.answers[item.code] || { outcome: null };
      current.note = note.value;
      inspection.form.answers[item.code] = current;
      scheduleDraft();
    });
    return note;
  }

  function setOutcome(item, value) {
    const answer = inspection.form.answers[item.code] || { note: "" };
    answer.outcome = value;
    inspection.form.answers[item.code] = answer;
    const card = document.querySelector('.item-card[data-code="' + CSS.escape(item.code) + '"]');
    card.dataset.outcome = value;
    const note = card.querySelector(".item-note");
    note.hidden = !(value === "fail" || value === "not_applicable" || note.value);
    note.placeholder = value === "fail" ? T.note_fail : T.note_na;
    updatePreview();
    scheduleDraft();
  }

  function restPass() {
    inspection.items.forEach(function (item) {
      const answer = inspection.form.answers[item.code];
      if (!answer || !answer.outcome) {
        inspection.form.answers[item.code] = { outcome: "pass", note: (answer && answer.note) || "" };
      }
    });
    renderItems();
    updatePreview();
    scheduleDraft();
  }

  // -- photos ------------------------------------------------------------------------------
  function photoStrip(item) {
    const strip = el("div", { class: "photo-strip d-flex flex-wrap align-items-center gap-2 mt-2" });
    const photos = inspection.form.photos[item.code] || [];
    photos.forEach(function (photo, index) {
      const remove = el("button", { type: "button", class: "btn btn-sm btn-light photo-remove", "aria-label": T.remove, text: "×" });
      remove.addEventListener("click", function () { removePhoto(item, index); });
      strip.append(el("div", { class: "photo-thumb" }, [
        el("img", { src: "data:image/jpeg;base64," + photo.data, alt: item.code }), remove,
      ]));
    });
    if (photos.length < MAX_PHOTOS_PER_ITEM) {
      const input = el("input", {
        type: "file", accept: "image/*", capture: "environment", class: "visually-hidden photo-input",
        "data-code": item.code,
      });
      input.addEventListener("change", function () { addPhotos(item, input.files); });
      strip.append(el("label", { class: "btn btn-sm btn-outline-secondary photo-add" }, [
        document.createTextNode(T.add_photo), input,
      ]));
    }
    return strip;
  }

  function refreshPhotos(item) {
    const card = document.querySelector('.item-card[data-code="' + CSS.escape(item.code) + '"]');
    card.querySelector(".photo-strip").replaceWith(photoStrip(item));
  }

  async function addPhotos(item, files) {
    const list = inspection.form.photos[item.code] || [];
    for (const file of Array.from(files)) {
      if (list.length >= MAX_PHOTOS_PER_ITEM) { break; }
      try {
        list.push({ name: (file.name || "photo").replace(/\.[^.]*$/, "") + ".jpg", data: await downscale(file) });
      } catch (error) {
        window.alert(T.photo_failed);
      }
    }
    inspection.form.photos[item.code] = list;
    refreshPhotos(item);
    scheduleDraft();
  }

  function removePhoto(item, index) {
    inspection.form.photos[item.code].splice(index, 1);
    refreshPhotos(item);
    scheduleDraft();
  }

  // A phone photo is 4,000 pixels wide and several MB: sent as a JPEG of at most 1,600
  // pixels (what the server keeps) it is a tenth of that, which matters on a weak network.
  async function downscale(file) {
    const image = await decode(file);
    const scale = Math.min(1, PHOTO_EDGE / Math.max(image.width, image.height));
    const canvas = document.createElement("canvas");
    canvas.width = Math.max(1, Math.round(image.width * scale));
    canvas.height = Math.max(1, Math.round(image.height * scale));
    const context = canvas.getContext("2d");
    context.fillStyle = "#fff";
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.drawImage(image, 0, 0, canvas.width, canvas.height);
    if (image.close) { image.close(); }
    return base64Of(canvas.toDataURL("image/jpeg", PHOTO_QUALITY));
  }

  async function decode(file) {
    if (window.createImageBitmap) {
      try { return await createImageBitmap(file, { imageOrientation: "from-image" }); } catch (error) { /* below */ }
    }
    const url = URL.createObjectURL(file);
    try {
      return await new Promise(function (resolve, reject) {
        const img = new Image();
        img.onload = function () { resolve(img); };
        img.onerror = reject;
        img.src = url;
      });
    } finally {
      URL.revokeObjectURL(url);
    }
  }

  // -- officers, signatures, location --------------------------------------------------------
  function renderOfficers() {
    const select = document.getElementById("co-inspector");
    const first = select.options[0];
    const options = inspection.officers.filter(function (o) { return o.id !== me; }).map(function (o) {
      const option = el("option", { value: String(o.id), text: o.name + " · " + o.office });
      option.selected = o.id === inspection.form.co_inspector_id;
      return option;
    });
    // Offline with no officer list kept: the one chosen before still shows.
    if (inspection.form.co_inspector_id && !options.some(function (o) { return o.selected; })) {
      const kept = el("option", { value: String(inspection.form.co_inspector_id), text: inspection.form.co_inspector_name || "#" + inspection.form.co_inspector_id });
      kept.selected = true;
      options.push(kept);
    }
    select.replaceChildren.apply(select, [first].concat(options));
    showSignerNames();
  }

  function showSignerNames() {
    const form = inspection.form;
    const names = {
      me: appData.dataset.userName,
      co: form.co_inspector_name || "",
      rep: form.representative_name || "",
    };
    document.querySelectorAll(".signature").forEach(function (box) {
      box.querySelector(".signer-name").textContent = names[box.dataset.signer];
    });
  }

  function initPads() {
    document.querySelectorAll(".signature").forEach(function (box) {
      const signer = box.dataset.signer;
      const pad = signaturePad(box.querySelector("canvas"), function (dataUrl) {
        inspection.form.signatures[signer] = dataUrl;
        scheduleDraft();
      });
      pad.load(inspection.form.signatures[signer]);
      box.querySelector(".clear-signature").onclick = function () { pad.clear(); };
      inspection.pads[signer] = pad;
    });
  }

  function signaturePad(canvas, changed) {
    const ratio = window.devicePixelRatio || 1;
    const box = canvas.getBoundingClientRect();
    canvas.width = Math.round(box.width * ratio);
    canvas.height = Math.round(box.height * ratio);
    const context = canvas.getContext("2d");
    context.scale(ratio, ratio);
    context.lineWidth = 2.4;
    context.lineCap = "round";
    context.lineJoin = "round";
    context.strokeStyle = "#111827";
    let drawing = false;
    let drawn = false;
    const at = function (event) {
      const rect = canvas.getBoundingClientRect();
      return [event.clientX - rect.left, event.clientY - rect.top];
    };
    canvas.addEventListener("pointerdown", function (event) {
      drawing = true;
      canvas.setPointerCapture(event.pointerId);
      const [x, y] = at(event);
      context.beginPath();
      context.moveTo(x, y);
      event.preventDefault();
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) { return; }
      const [x, y] = at(event);
      context.lineTo(x, y);
      context.stroke();
      drawn = true;
    });
    const finish = function () {
      if (!drawing) { return; }
      drawing = false;
      if (drawn) { changed(canvas.toDataURL("image/png")); }
    };
    canvas.addEventListener("pointerup", finish);
    canvas.addEventListener("pointercancel", finish);
    return {
      clear: function () {
        context.clearRect(0, 0, canvas.width, canvas.height);
        drawn = false;
        changed(null);
      },
      load: function (dataUrl) {
        if (!dataUrl) { return; }
        const img = new Image();
        img.onload = function () { context.drawImage(img, 0, 0, box.width, box.height); drawn = true; };
        img.src = dataUrl;
      },
    };
  }

  // The place is stamped when the inspection starts (and tried again on saving if the phone
  // had no fix); the record is saved without it where the phone cannot tell.
  function locate(onSave) {
    const form = inspection.form;
    if (form.geo || !navigator.geolocation) { showGeo(); return Promise.resolve(); }
    document.getElementById("geo-state").textContent = T.locating;
    return new Promise(function (resolve) {
      navigator.geolocation.getCurrentPosition(function (position) {
        form.geo = {
          latitude: Number(position.coords.latitude.toFixed(6)),
          longitude: Number(position.coords.longitude.toFixed(6)),
          accuracy: Math.round(position.coords.accuracy),
        };
        showGeo();
        scheduleDraft();
        resolve();
      }, function () { showGeo(); resolve(); }, {
        enableHighAccuracy: true, timeout: onSave ? 5000 : 15000, maximumAge: 60000,
      });
    });
  }

  function showGeo() {
    const geo = inspection.form.geo;
    document.getElementById("geo-state").textContent = geo
      ? fmt(T.location, { lat: geo.latitude.toFixed(5), lon: geo.longitude.toFixed(5), acc: geo.accuracy })
      : T.no_location;
  }

  // -- the result preview (the same rule as sunshine.inspections.rules) ------------------------
  function tally() {
    const counts = { kf: 0, kc: 0, gf: 0, gc: 0, na: 0, done: 0 };
    inspection.items.forEach(function (item) {
      const answer = inspection.form.answers[item.code];
      if (!answer || !answer.outcome) { return; }
      counts.done += 1;
      if (answer.outcome === "not_applicable") { counts.na += 1; return; }
      const prefix = item.key ? "k" : "g";
      counts[prefix + "c"] += 1;
      if (answer.outcome === "fail") { counts[prefix + "f"] += 1; }
    });
    return counts;
  }

  function derive(rule, counts) {
    if (counts.kf + counts.gf === 0) { return "compliant"; }
    const conditions = (rule && rule.noncompliant_if_any) || {};
    const rate = counts.gc === 0 ? 1 : (counts.gc - counts.gf) / counts.gc;
    const holds = {
      key_failures_at_least: function (v) { return counts.kf >= v; },
      general_failures_more_than: function (v) { return counts.gf > v; },
      general_pass_rate_below: function (v) { return rate < v; },
    };
    const noncompliant = Object.entries(conditions).some(function ([name, value]) {
      return holds[name] ? holds[name](Number(value)) : false;
    });
    return noncompliant ? "noncompliant" : "basically_compliant";
  }

  function updatePreview() {
    const counts = tally();
    const result = counts.done ? derive(inspection.checklist.result_rule, counts) : null;
    inspection.form.result = result;
    const shown = document.getElementById("result-preview");
    shown.dataset.result = result || "";
    shown.textContent = result ? T[result] : T.preview_pending;
    const rate = counts.gc ? Math.round(((counts.gc - counts.gf) / counts.gc) * 1000) / 10 : 100;
    document.getElementById("result-counts").textContent = fmt(T.preview_counts, {
      kf: counts.kf, gf: counts.gf, gc: counts.gc, rate: rate, na: counts.na,
    });
    const follows = result && inspection.checklist.consequences && inspection.checklist.consequences[result];
    document.getElementById("result-follows").textContent = follows ? (zh ? follows.zh_CN : follows.en) : "";
    document.getElementById("rectify-group").hidden = !result || result === "compliant";
    const answered = fmt(T.answered, { done: counts.done, total: inspection.items.length });
    document.getElementById("summary-result").textContent = result ? T[result] : T.preview_pending;
    document.getElementById("summary-result").dataset.result = result || "";
    document.getElementById("summary-answered").textContent = answered;
  }

  // -- checking and saving ---------------------------------------------------------------------
  function problemsBeforeSaving() {
    const form = inspection.form;
    const problems = [];
    const unanswered = inspection.items.filter(function (item) {
      return !form.answers[item.code] || !form.answers[item.code].outcome;
    });
    const flying = form.kind === "flying";
    if ((!flying && unanswered.length) || unanswered.length === inspection.items.length) {
      problems.push(fmt(T.missing_items, { codes: unanswered.map(function (i) { return i.code; }).join(", ") }));
    }
    inspection.items.forEach(function (item) {
      const answer = form.answers[item.code];
      if (!answer || !answer.outcome || (answer.note || "").trim()) { return; }
      const needsNote = answer.outcome === "fail" || (answer.outcome === "not_applicable" && appliesHere(item));
      if (needsNote) { problems.push(fmt(T.missing_note, { code: item.code })); }
    });
    if (!form.co_inspector_id) { problems.push(T.missing_coinspector); }
    if (!(form.representative_name || "").trim()) { problems.push(T.missing_representative); }
    [["me", appData.dataset.userName], ["co", form.co_inspector_name], ["rep", form.representative_name || T.representative]]
      .forEach(function ([signer, name]) {
        if (!form.signatures[signer]) { problems.push(fmt(T.missing_signature, { name: name || "" })); }
      });
    if (form.result && form.result !== "compliant" && !form.rectify_by) { problems.push(T.missing_rectify_by); }
    return problems;
  }

  function showProblems(problems) {
    const box = document.getElementById("form-problems");
    box.replaceChildren(el("ul", { class: "mb-0" }, problems.map(function (p) { return el("li", { text: p }); })));
    box.classList.toggle("d-none", problems.length === 0);
    if (problems.length) { box.scrollIntoView({ behavior: "smooth", block: "center" }); }
  }

  async function saveInspection(event) {
    event.preventDefault();
    updatePreview();
    const problems = problemsBeforeSaving();
    showProblems(problems);
    if (problems.length) { return; }
    const button = document.getElementById("save-inspection");
    button.disabled = true;
    await locate(true);
    const form = inspection.form;
    const now = serverNow();
    if (!form.finished_at || Date.parse(form.finished_at) > now.getTime()) { form.finished_at = now.toISOString(); }
    form.order = inspection.items.map(function (i) { return i.code; });
    clearTimeout(inspection.saveTimer);
    const record = inspection.editing || {
      client_key: form.client_key,
      user_id: me,
      business_id: Number(page.dataset.businessId),
      created_at: new Date().toISOString(),
    };
    Object.assign(record, {
      business_name: page.dataset.businessName,
      checklist_id: form.checklist_id,
      form: form,
      result: form.result,
      state: "waiting",
      message: navigator.onLine ? "" : T.saved_offline,
      problems: [],
      saved_at: new Date().toISOString(),
    });
    await idb.put(OUTBOX, record);
    await idb.remove(DRAFTS, draftKey(page.dataset.businessId));
    // The home page shows the outbox and sends it (now, or when the network returns).
    location.assign(SCOPE + "#outbox");
  }

  function scheduleDraft() {
    if (inspection.editing) { return; } // a record in the outbox changes only when saved again
    clearTimeout(inspection.saveTimer);
    inspection.saveTimer = setTimeout(function () {
      idb.put(DRAFTS, {
        key: draftKey(page.dataset.businessId),
        user_id: me,
        business_id: Number(page.dataset.businessId),
        business_name: page.dataset.businessName,
        form: inspection.form,
        updated_at: new Date().toISOString(),
      });
    }, 300);
  }

  function wireInspectForm() {
    const form = inspection.form;
    document.getElementById("kind").addEventListener("change", function (event) {
      form.kind = event.target.value;
      scheduleDraft();
    });
    document.getElementById("co-inspector").addEventListener("change", function (event) {
      const chosen = Number(event.target.value) || null;
      if (chosen !== form.co_inspector_id && inspection.pads.co) { inspection.pads.co.clear(); }
      form.co_inspector_id = chosen;
      form.co_inspector_name = chosen ? event.target.selectedOptions[0].textContent.split(" · ")[0] : "";
      showSignerNames();
      scheduleDraft();
    });
    document.getElementById("representative-name").addEventListener("input", function (event) {
      form.representative_name = event.target.value;
      showSignerNames();
      scheduleDraft();
    });
    document.getElementById("rectify-by").addEventListener("change", function (event) {
      form.rectify_by = event.target.value;
      scheduleDraft();
    });
    document.getElementById("remarks").addEventListener("input", function (event) {
      form.remarks = event.target.value;
      scheduleDraft();
    });
    document.getElementById("rest-pass").addEventListener("click", restPass);
    document.getElementById("inspection-form").addEventListener("submit", saveInspection);
  }

  // -- start ---------------------------------------------------------------------------------
  function wirePrint() {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  }

  async function start() {
    wirePrint();
    if (!page || !appData) { return; } // the printable record: nothing more to do
    showNetwork();
    window.addEventListener("online", function () { showNetwork(); syncOutbox(); });
    window.addEventListener("offline", showNetwork);
    registerWorker();
    if (page.dataset.page === "home") { initHome(); }
    if (page.dataset.page === "business") { await initBusiness(); }
    if (page.dataset.page === "inspect") {
      await initInspect();
      if (inspection.form) { wireInspectForm(); }
    }
    await forgetOldStored();
    await refreshOutboxViews();
    if (navigator.onLine) {
      await refreshSession();
      await syncOutbox();
    }
    setInterval(function () { syncOutbox(); }, RETRY_MS);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
