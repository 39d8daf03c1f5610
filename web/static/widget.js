/* Cartwise chat widget: one <script> tag, no framework, no innerHTML with data.
 *
 *   <script src="https://assistant.example.com/widget.js"
 *           data-cartwise-url="https://assistant.example.com" defer></script>
 *
 * Optional attributes: data-title="Ask our shop assistant", data-open="true".
 * Page API: window.Cartwise.open(), .close(), .send(text), .setToken(token), .signOut(), .reset()
 */
(function () {
  "use strict";
  if (window.Cartwise) return; // loaded twice: keep the first

  var script = document.currentScript || document.querySelector("script[data-cartwise-url]");
  var base = ((script && script.getAttribute("data-cartwise-url")) ||
              (script && script.src ? new URL(script.src).origin : window.location.origin)).replace(/\/+$/, "");
  var title = (script && script.getAttribute("data-title")) || "Shop assistant";
  var STORE = "cartwise:" + base;

  function randomId() {
    var bytes = new Uint8Array(16);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function load(key) { try { return window.sessionStorage.getItem(STORE + ":" + key); } catch (e) { return null; } }
  function save(key, value) {
    try {
      if (value === null) window.sessionStorage.removeItem(STORE + ":" + key);
      else window.sessionStorage.setItem(STORE + ":" + key, value);
    } catch (e) { /* storage blocked: keep in memory only */ }
  }

  var state = { session: load("session") || randomId(), token: load("token"), busy: false, queue: [] };
  save("session", state.session);

  var CSS = [
    ":host{all:initial}",
    "*{box-sizing:border-box;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif}",
    ".fab{position:fixed;right:20px;bottom:20px;width:58px;height:58px;border-radius:50%;border:none;display:flex;",
    " align-items:center;justify-content:center;line-height:1;",
    " background:#4f46e5;color:#fff;font-size:26px;cursor:pointer;box-shadow:0 6px 18px rgba(0,0,0,.25);z-index:2147483000}",
    ".fab:hover{background:#4338ca}",
    ".panel{position:fixed;right:20px;bottom:90px;width:370px;max-width:calc(100vw - 24px);height:560px;",
    " max-height:calc(100vh - 110px);background:#fff;color:#1f2937;border-radius:14px;display:none;flex-direction:column;",
    " box-shadow:0 12px 40px rgba(0,0,0,.25);overflow:hidden;z-index:2147483000}",
    ".panel.open{display:flex}",
    ".head{background:#4f46e5;color:#fff;padding:12px 14px;display:flex;align-items:center;gap:8px}",
    ".head .t{font-weight:700;flex:1}.head .who{font-size:12px;opacity:.85}",
    ".head button{background:transparent;border:none;color:#fff;font-size:18px;cursor:pointer}",
    ".log{flex:1;overflow-y:auto;padding:12px;background:#f8fafc;display:flex;flex-direction:column;gap:8px}",
    ".msg{max-width:88%;padding:8px 11px;border-radius:12px;white-space:pre-wrap;line-height:1.35;font-size:14px}",
    ".user{align-self:flex-end;background:#4f46e5;color:#fff;border-bottom-right-radius:4px}",
    ".bot{align-self:flex-start;background:#fff;border:1px solid #e5e7eb;border-bottom-left-radius:4px}",
    ".err{align-self:center;color:#b42318;font-size:13px}",
    ".cards{display:flex;flex-direction:column;gap:6px;align-self:stretch}",
    ".card{background:#fff;border:1px solid #e5e7eb;border-radius:10px;padding:8px 10px}",
    ".card .ti{font-weight:600;font-size:14px}.card .meta{font-size:12px;color:#6b7280;margin-top:2px}",
    ".card .pr{color:#4f46e5;font-weight:700;margin-right:6px}.card .re{font-size:12px;color:#6b7280;margin-top:3px}",
    ".bundle{background:#fff;border:1px solid #c7d2fe;border-radius:10px;padding:8px 10px;align-self:stretch;font-size:13px}",
    ".bundle ol{margin:4px 0;padding-left:18px}.bundle li{margin:3px 0}.bundle .re{color:#6b7280;font-size:12px}",
    ".bundle .tot{font-weight:700;margin-top:4px}",
    ".quick{display:flex;flex-wrap:wrap;gap:6px;padding:6px 10px 0 10px;background:#fff}",
    ".quick button{border:1px solid #c7d2fe;background:#eef2ff;color:#3730a3;border-radius:999px;padding:4px 10px;",
    " font-size:12px;cursor:pointer}",
    "form{display:flex;gap:6px;padding:10px;background:#fff;border-top:1px solid #e5e7eb}",
    "input{flex:1;border:1px solid #d1d5db;border-radius:8px;padding:8px 10px;font-size:14px}",
    "form button{background:#4f46e5;color:#fff;border:none;border-radius:8px;padding:0 14px;cursor:pointer}",
    "form button:disabled{opacity:.5}"
  ].join("\n");

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  var host = el("div");
  host.id = "cartwise-widget";
  var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
  var style = el("style");
  style.textContent = CSS;
  root.appendChild(style);

  function chatIcon() {
    // An inline SVG: emoji glyphs are missing on many systems.
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", "28");
    svg.setAttribute("height", "28");
    svg.setAttribute("aria-hidden", "true");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("fill", "currentColor");
    path.setAttribute("d", "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 6v2h2V9H7zm4 0v2h2V9h-2zm4 0v2h2V9h-2z");
    svg.appendChild(path);
    return svg;
  }
  function setFab(isOpen) {
    while (fab.firstChild) fab.removeChild(fab.firstChild);
    if (isOpen) fab.textContent = "\u00d7"; else fab.appendChild(chatIcon());
  }

  var fab = el("button", "fab");
  setFab(false);
  fab.setAttribute("aria-label", "Open the shop assistant");
  fab.setAttribute("part", "button");
  var panel = el("div", "panel");
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", title);
  var head = el("div", "head");
  head.appendChild(el("span", "t", title));
  var who = el("span", "who", "");
  head.appendChild(who);
  var resetBtn = el("button", null, "↺");
  resetBtn.title = "New conversation";
  var closeBtn = el("button", null, "×");
  closeBtn.title = "Close";
  head.appendChild(resetBtn);
  head.appendChild(closeBtn);
  var log = el("div", "log");
  log.setAttribute("aria-live", "polite");
  var quick = el("div", "quick");
  var form = el("form");
  var input = el("input");
  input.type = "text";
  input.placeholder = "Ask about products, gifts, orders…";
  input.setAttribute("aria-label", "Message");
  input.maxLength = 2000;
  var sendBtn = el("button", null, "Send");
  sendBtn.type = "submit";
  form.appendChild(input);
  form.appendChild(sendBtn);
  panel.appendChild(head);
  panel.appendChild(log);
  panel.appendChild(quick);
  panel.appendChild(form);
  root.appendChild(fab);
  root.appendChild(panel);

  function scroll() { log.scrollTop = log.scrollHeight; }
  function say(cls, text) { var m = el("div", "msg " + cls, text); log.appendChild(m); scroll(); return m; }
  function money(currency, amount) { return currency + String(amount); }
  function updateWho() { who.textContent = state.token ? "signed in" : ""; }

  function renderProducts(products, currency) {
    if (!products || !products.length) return;
    var wrap = el("div", "cards");
    products.forEach(function (p) {
      var card = el("div", "card");
      card.setAttribute("data-product-id", String(p.id));
      card.appendChild(el("div", "ti", p.title));
      var meta = el("div", "meta");
      meta.appendChild(el("span", "pr", money(currency, p.price)));
      meta.appendChild(el("span", null, p.category + (p.in_stock === false ? " · out of stock" : "")));
      card.appendChild(meta);
      if (p.reason) card.appendChild(el("div", "re", p.reason));
      wrap.appendChild(card);
    });
    log.appendChild(wrap);
  }

  function renderBundle(bundle, currency) {
    if (!bundle || !bundle.items || !bundle.items.length) return;
    var box = el("div", "bundle");
    box.appendChild(el("strong", null, "Bundle"));
    var list = el("ol");
    bundle.items.forEach(function (item) {
      var li = el("li", null, item.quantity + "× " + item.title + " — " + money(currency, item.price) + " each");
      if (item.reason) li.appendChild(el("div", "re", item.reason));
      list.appendChild(li);
    });
    box.appendChild(list);
    var total = "Total " + money(currency, bundle.total);
    if (bundle.budget !== null && bundle.budget !== undefined) {
      total += " (budget " + money(currency, bundle.budget) + (bundle.within_budget ? ", within" : ", over") + ")";
    }
    box.appendChild(el("div", "tot", total));
    if (bundle.note) box.appendChild(el("div", "re", bundle.note));
    log.appendChild(box);
  }

  function renderOptions(options) {
    while (quick.firstChild) quick.removeChild(quick.firstChild);
    (options || []).slice(0, 6).forEach(function (option) {
      var b = el("button", null, option);
      b.type = "button";
      b.addEventListener("click", function () { send(option); });
      quick.appendChild(b);
    });
  }

  function api(method, path, body) {
    var init = { method: method, headers: {}, mode: "cors", credentials: "omit" };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(base + path, init).then(function (res) {
      if (res.status === 204) return null;
      return res.json().catch(function () { return {}; }).then(function (data) {
        if (!res.ok) {
          var err = new Error(data.detail || ("request failed (" + res.status + ")"));
          err.status = res.status;
          throw err;
        }
        return data;
      });
    });
  }

  // Messages typed while a reply is on its way wait their turn instead of being
  // dropped: the shopper sees them at once and nothing they wrote is lost.
  var MAX_QUEUED = 5;

  function send(text) {
    text = String(text || "").trim();
    if (!text) return true;
    if (state.queue.length >= MAX_QUEUED) {
      say("err", "One moment: still answering your earlier messages.");
      return false;
    }
    renderOptions([]);
    say("user", text);
    state.queue.push(text);
    pump();
    return true;
  }

  // The cards below an answer show every listed item (title, price, reason), so the bubble keeps the
  // sentences around the numbered list and leaves the list out rather than saying it twice.
  function withoutListedItems(text) {
    var lines = String(text).split("\n");
    var kept = lines.filter(function (line) { return !/^\s*\d+\.\s/.test(line); });
    return kept.length && kept.length < lines.length ? kept.join("\n") : text;
  }

  function pump() {
    if (state.busy || !state.queue.length) return;
    var text = state.queue.shift();
    state.busy = true;
    var pending = say("bot", "…");
    var body = { message: text, session_id: state.session };
    if (state.token) body.token = state.token;
    api("POST", "/api/chat", body).then(function (reply) {
      var carded = (reply.products && reply.products.length) || (reply.bundle && reply.bundle.items && reply.bundle.items.length);
      pending.textContent = carded ? withoutListedItems(reply.text) : reply.text;
      renderProducts(reply.products, reply.currency || "");
      renderBundle(reply.bundle, reply.currency || "");
      // Quick replies belong to the latest answer only.
      if (!state.queue.length) renderOptions(reply.options);
      // Show the start of the answer, not the end of a long list of cards.
      log.scrollTop = Math.max(0, pending.offsetTop - log.offsetTop - 8);
    }).catch(function (err) {
      log.removeChild(pending);
      if (err.status === 401) { setToken(null); }
      say("err", err.message || "The assistant is unavailable right now.");
    }).then(function () {
      state.busy = false;
      input.focus();
      pump();
    });
  }

  function setToken(token) {
    state.token = token || null;
    save("token", state.token);
    updateWho();
  }

  function reset() {
    var old = state.session;
    state.session = randomId();
    state.queue = [];
    save("session", state.session);
    while (log.firstChild) log.removeChild(log.firstChild);
    renderOptions([]);
    return api("DELETE", "/api/session/" + encodeURIComponent(old)).catch(function () { return null; });
  }

  function open() {
    panel.classList.add("open");
    setFab(true);
    if (!log.firstChild) say("bot", "Hi! I can find products, put together gifts and bundles on a budget, and help with your orders.");
    input.focus();
  }
  function close() { panel.classList.remove("open"); setFab(false); }

  fab.addEventListener("click", function () { panel.classList.contains("open") ? close() : open(); });
  closeBtn.addEventListener("click", close);
  resetBtn.addEventListener("click", reset);
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    // The text stays in the box when it cannot be taken yet.
    if (send(input.value)) input.value = "";
  });

  function mount() {
    document.body.appendChild(host);
    updateWho();
    if (script && script.getAttribute("data-open") === "true") open();
  }
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);

  window.Cartwise = {
    open: open,
    close: close,
    send: function (text) { open(); send(text); },
    setToken: setToken,
    signOut: function () { setToken(null); return reset(); },
    reset: reset,
    baseUrl: base
  };
})();
