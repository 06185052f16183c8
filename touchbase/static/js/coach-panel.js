/* The coach panel (templates/coach/_panel.html): reviews the email as the seller types, shows what
   it found, paints each finding's span behind the text, applies a rewrite in one click, and holds
   the form's [data-coach-send] controls while an error stands without a reason to send anyway.
   The server checks again on send: this script only saves the seller a refused post. */
(function () {
  "use strict";
  if (window.touchbaseCoachPanel) return;  // the include may be on a page twice
  window.touchbaseCoachPanel = true;

  var QUIET_MS = 300;     // ask once the seller pauses...
  var MAX_WAIT_MS = 1000; // ...or at least this often while they keep typing
  var RANK = { info: 1, warning: 2, error: 3 };
  var WIDE = 80;          // a span longer than this (a whole sentence) is underlined, not filled

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = text;
    return node;
  }

  // The coach counts code points (Python); JS strings count UTF-16 units, and an emoji is two.
  // at[i] is the UTF-16 index where code point i starts; at[length] is the text's end.
  function utf16Index(text) {
    var at = [], i = 0;
    while (i < text.length) {
      at.push(i);
      var c = text.charCodeAt(i);
      var pair = c >= 0xd800 && c <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
      i += pair ? 2 : 1;
    }
    at.push(text.length);
    return at;
  }

  // [start, end) in code points as UTF-16 indexes into text, kept inside it.
  function utf16Span(text, start, end) {
    var at = utf16Index(text), last = at.length - 1;
    return [at[Math.min(Math.max(start, 0), last)], at[Math.min(Math.max(end, 0), last)]];
  }

  function span(text, finding) { return utf16Span(text, finding.start, finding.end); }

  // The coach sends each fix as a literal edit, {start, end, text} in code points (null when the fix
  // is not a rewrite): the edit may reach past the finding to take a stray comma or full stop.
  function edit(text, finding) {
    var r = finding.replacement;
    if (!r) return null;
    var at = utf16Span(text, r.start, r.end);
    return { start: at[0], end: at[1], text: r.text };
  }

  function letters(text) { return text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ""); }

  // "Delete it" when the edit only takes words out (the finding's, a dangling "but", a capital moved
  // to the next word); otherwise the button shows the words that go in.
  function applyLabel(text, finding, e) {
    var at = span(text, finding);
    var kept = text.slice(e.start, at[0]) + text.slice(at[1], e.end);
    if (letters(kept).indexOf(letters(e.text)) >= 0) return "Delete it";
    var words = e.text.trim();
    return words.length > 40 ? "Apply the rewrite" : "Apply “" + words + "”";
  }

  function Editor(field, multiline) {
    var wrap = el("div", "coach-editor" + (multiline ? "" : " single"));
    var mirror = el("div", "coach-mirror");
    mirror.setAttribute("aria-hidden", "true");
    field.parentNode.insertBefore(wrap, field);
    wrap.appendChild(mirror);
    wrap.appendChild(field);
    field.classList.add("coach-field");

    var style = getComputedStyle(field);
    ["fontFamily", "fontSize", "fontWeight", "fontStyle", "letterSpacing", "wordSpacing", "textTransform",
     "textIndent", "tabSize", "paddingTop", "paddingRight", "paddingBottom", "paddingLeft",
     "borderTopWidth", "borderRightWidth", "borderBottomWidth", "borderLeftWidth", "lineHeight"]
      .forEach(function (name) { mirror.style[name] = style[name]; });
    wrap.style.borderRadius = style.borderRadius;
    if (!multiline) {
      // An input centres its one line: give the mirror's line the same height.
      var inner = field.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
      mirror.style.lineHeight = inner + "px";
    }

    function follow() { mirror.scrollTop = field.scrollTop; mirror.scrollLeft = field.scrollLeft; }
    function grow() {
      if (!multiline) return;
      field.style.height = "auto";
      field.style.height = field.scrollHeight + (field.offsetHeight - field.clientHeight) + "px";
    }
    ["input", "scroll", "keyup", "select", "click", "focus"].forEach(function (name) {
      field.addEventListener(name, follow);
    });
    field.addEventListener("input", grow);
    grow();

    return {
      field: field,
      // Paint the findings' spans behind the text; marks of overlapping findings take the worst severity.
      paint: function (findings) {
        var text = field.value;
        mirror.textContent = "";
        var spans = findings.map(function (f) { return { at: span(text, f), f: f }; })
          .filter(function (s) { return s.at[1] > s.at[0]; });
        var cuts = [0, text.length];
        spans.forEach(function (s) { cuts.push(s.at[0], s.at[1]); });
        cuts = cuts.filter(function (c, i, all) { return all.indexOf(c) === i; }).sort(function (a, b) { return a - b; });
        for (var i = 0; i + 1 < cuts.length; i++) {
          var from = cuts[i], to = cuts[i + 1], piece = text.slice(from, to);
          var over = spans.filter(function (s) { return s.at[0] <= from && s.at[1] >= to; });
          if (!over.length) { mirror.appendChild(document.createTextNode(piece)); continue; }
          var worst = over.reduce(function (w, s) { return RANK[s.f.severity] > RANK[w.f.severity] ? s : w; });
          var wide = worst.f.severity !== "error" && worst.at[1] - worst.at[0] > WIDE;
          var mark = el("mark", "hl hl-" + worst.f.severity + (wide ? " hl-wide" : ""), piece);
          mark.dataset.findings = " " + over.map(function (s) { return s.f.index; }).join(" ") + " ";
          mark.dataset.rules = over.map(function (s) { return s.f.rule; }).join(" ");
          mirror.appendChild(mark);
        }
        // A trailing newline needs something after it to take up its line.
        mirror.appendChild(document.createTextNode("\u200b"));
        follow();
      },
      focus: function (index, on) {
        mirror.querySelectorAll("mark").forEach(function (mark) {
          if (mark.dataset.findings.indexOf(" " + index + " ") >= 0) mark.classList.toggle("hl-focus", on);
        });
      },
      grow: grow
    };
  }

  function Panel(root) {
    var body = document.getElementById(root.dataset.body);
    if (!body) return;
    var subject = root.dataset.subject ? document.getElementById(root.dataset.subject) : null;
    var kindField = root.dataset.kindField ? document.getElementById(root.dataset.kindField) : null;
    var form = body.form;
    var editors = { body: Editor(body, true) };
    if (subject) editors.subject = Editor(subject, false);
    var q = function (name) { return root.querySelector("[data-coach-" + name + "]"); };
    var list = q("findings"), status = q("status"), overrideBox = q("override"), blockedNote = q("blocked");
    var reason = overrideBox.querySelector("input, textarea");
    var sends = form ? Array.prototype.slice.call(form.querySelectorAll("[data-coach-send]")) : [];

    var sent = 0;           // sequence number of the last request
    var waitingSince = 0;   // when the first unanswered keystroke came
    var timer = null;
    var shown = null;       // {review, body, subject}: the answer on screen and the text it judged
    var errors = [];

    function kind() { return kindField ? kindField.value : root.dataset.kind || "first_touch"; }
    function fresh() {
      return shown && shown.body === body.value && shown.subject === (subject ? subject.value : null);
    }

    function schedule(now) {
      clearTimeout(timer);
      if (now) return ask();
      if (!waitingSince) waitingSince = Date.now();
      var wait = Math.min(QUIET_MS, Math.max(0, MAX_WAIT_MS - (Date.now() - waitingSince)));
      timer = setTimeout(ask, wait);
    }

    function ask() {
      waitingSince = 0;
      var text = { body: body.value, subject: subject ? subject.value : null };
      if (!text.body.trim() && !(text.subject || "").trim()) {
        shown = null;
        errors = [];
        render(null, text);
        return;
      }
      var seq = ++sent;
      root.setAttribute("aria-busy", "true");
      fetch(root.dataset.url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify({ id: seq, kind: kind(), subject: text.subject, body: text.body,
                               first_name: root.dataset.firstName || "" })
      }).then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      }).then(function (review) {
        if (seq !== sent) return;  // a newer request is out: its answer is the one to show
        root.removeAttribute("aria-busy");
        render(review, text);
      }).catch(function () {
        if (seq !== sent) return;
        root.removeAttribute("aria-busy");
        // The server reviews again on send; a lost panel request must not hold the seller.
        errors = [];
        status.textContent = "The coach cannot be reached right now; the email is still checked when you log it.";
        hold();
      });
    }

    function render(review, text) {
      shown = review ? { review: review, body: text.body, subject: text.subject } : null;
      root.classList.remove("coach-stale");
      var findings = review ? review.findings : [];
      findings.forEach(function (f, i) { f.index = i; });
      errors = findings.filter(function (f) { return f.severity === "error"; });

      var countdown = review ? review.countdown : 400 - body.value.length;
      var number = q("countdown");
      number.textContent = String(countdown);
      number.classList.toggle("over", countdown < 0);
      root.classList.toggle("coach-over", countdown < 0);
      q("countdown-label").textContent = countdown < 0 ? "characters over 400: cut them" : "characters left of 400";
      var score = q("score");
      score.textContent = review ? String(review.score) : "–";
      score.className = "coach-score" + (review ? (review.score >= 80 ? " good" : review.score >= 50 ? " fair" : " poor") : "");
      var gauges = review ? review.gauges : {};
      root.querySelectorAll("[data-coach-gauge]").forEach(function (dd) {
        var value = gauges[dd.dataset.coachGauge];
        dd.textContent = value == null ? (dd.dataset.coachGauge === "grade" ? "–" : "0") : String(value);
      });

      list.textContent = "";
      // Errors first: they hold the send. Within a severity, the coach's order (by position).
      findings.slice().sort(function (a, b) { return RANK[b.severity] - RANK[a.severity] || a.index - b.index; })
        .forEach(function (f) { list.appendChild(item(f)); });
      status.textContent = !review ? "The coach reads as you write." :
        findings.length ? findings.length + " thing" + (findings.length === 1 ? "" : "s") + " to look at." :
        "Nothing to fix: send it.";
      paint();
      hold();
      // For pages that build on the panel (and the bench that times it): the answer is on screen.
      root.dispatchEvent(new CustomEvent("coach:reviewed", { bubbles: true, detail: review }));
    }

    function paint() {
      var findings = fresh() ? shown.review.findings : [];
      Object.keys(editors).forEach(function (name) {
        editors[name].paint(findings.filter(function (f) { return f.field === name; }));
      });
    }

    function item(f) {
      var editor = editors[f.field];
      var li = el("li", "finding sev-" + f.severity);
      var head = el("button", "finding-head");
      head.type = "button";
      head.title = "Show it in the text";
      head.appendChild(el("span", "sev", f.severity));
      head.appendChild(el("code", "rule", f.rule));
      if (f.field === "subject") head.appendChild(el("span", "where", "subject"));
      li.appendChild(head);
      li.appendChild(el("p", "message", f.message));
      if (f.suggestion) li.appendChild(el("p", "suggestion", f.suggestion));
      var change = editor && fresh() ? edit(editor.field.value, f) : null;
      if (change) {
        var apply = el("button", "small apply", applyLabel(editor.field.value, f, change));
        apply.type = "button";
        apply.addEventListener("click", function () { fix(editor.field, f); });
        li.appendChild(apply);
      }
      head.addEventListener("click", function () {
        if (!editor || !fresh()) return;
        var at = span(editor.field.value, f);
        editor.field.focus();
        editor.field.setSelectionRange(at[0], at[1]);
      });
      li.addEventListener("mouseenter", function () { if (editor) editor.focus(f.index, true); });
      li.addEventListener("mouseleave", function () { if (editor) editor.focus(f.index, false); });
      return li;
    }

    function fix(field, finding) {
      if (!fresh()) return;  // the text moved since the review: its offsets no longer point at the words
      var change = edit(field.value, finding);
      field.focus();
      field.setSelectionRange(change.start, change.end);
      // insertText keeps the browser's undo; setRangeText is the fallback where it is gone.
      if (!(document.execCommand && document.execCommand("insertText", false, change.text))) {
        field.setRangeText(change.text, change.start, change.end, "end");
        field.dispatchEvent(new Event("input", { bubbles: true }));
      }
    }

    function hold() {
      var given = reason.value.trim() !== "";
      var held = errors.length > 0 && !given;
      overrideBox.hidden = errors.length === 0;
      // A reason typed for errors since fixed must not ride along with a clean email.
      reason.disabled = errors.length === 0;
      blockedNote.textContent = !errors.length ? "" : given ?
        "It goes with your reason; the touch keeps it." :
        "Send is held by " + errors.length + " error" + (errors.length === 1 ? "" : "s") +
        ": fix " + (errors.length === 1 ? "it" : "them") + ", or say why it goes anyway.";
      sends.forEach(function (control) {
        if (control.tagName === "A") control.setAttribute("aria-disabled", held ? "true" : "false");
        else control.disabled = held;
        control.classList.toggle("coach-held", held);
      });
    }

    function mailtoLinks() {
      if (!form) return;
      form.querySelectorAll("a[data-mailto]").forEach(function (link) {
        var query = [];
        if (subject && subject.value) query.push("subject=" + encodeURIComponent(subject.value));
        if (body.value) query.push("body=" + encodeURIComponent(body.value.replace(/\r?\n/g, "\r\n")));
        link.href = "mailto:" + link.dataset.mailto + (query.length ? "?" + query.join("&") : "");
      });
    }

    function typed() {
      if (!fresh()) {
        // The spans point into the text as it was: take them down until the next answer.
        Object.keys(editors).forEach(function (name) { editors[name].paint([]); });
        root.classList.add("coach-stale");
        list.querySelectorAll("button.apply").forEach(function (button) { button.disabled = true; });
      }
      mailtoLinks();
      schedule(false);
    }

    body.addEventListener("input", typed);
    if (subject) subject.addEventListener("input", typed);
    if (kindField) kindField.addEventListener("change", function () { schedule(true); });
    reason.addEventListener("input", hold);
    sends.forEach(function (control) {
      control.addEventListener("click", function (event) {
        if (control.getAttribute("aria-disabled") === "true") event.preventDefault();
      });
    });
    if (form) {
      form.addEventListener("submit", function (event) {
        if (errors.length && !reason.value.trim()) {
          event.preventDefault();
          reason.focus();
        }
      });
    }
    window.addEventListener("resize", function () { editors.body.grow(); paint(); });
    schedule(true);
  }

  function init() {
    document.querySelectorAll("[data-coach-panel]").forEach(function (root) {
      if (root.dataset.coachReady) return;
      root.dataset.coachReady = "true";
      Panel(root);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
