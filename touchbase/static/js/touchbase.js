/* touchbase page script: htmx settings, a toast for messages, and the board's drag and drop.
   The board posts a move with the version the card was drawn at; the server answers with the
   moved card, the fresh card (someone else moved it), or a dialog asking for what is missing;
   a moved or fresh card comes with the new headers of the columns it changed. */
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  function toast(message, isError) {
    var box = document.getElementById("toast");
    if (!box || !message) return;
    box.textContent = message;
    box.classList.toggle("error", !!isError);
    box.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(function () { box.hidden = true; }, isError ? 7000 : 3500);
  }

  function configureHtmx() {
    if (!window.htmx) return;
    // Form errors come back as 422 with the form redrawn: swap those in like a success.
    htmx.config.responseHandling = [
      { code: "204", swap: false },
      { code: "[23]..", swap: true },
      { code: "422", swap: true },
      { code: "[45]..", swap: false, error: true }
    ];
    document.body.addEventListener("htmx:responseError", function (e) {
      var status = e.detail.xhr.status;
      toast(status === 403 ? "Only the owner or a manager can change this." :
            "That did not work (the server said " + status + "). Reload the page and try again.", true);
    });
    document.body.addEventListener("htmx:sendError", function () {
      toast("The server cannot be reached; nothing was saved.", true);
    });
  }

  function initBoard() {
    var board = document.querySelector("[data-board]");
    if (!board) return;
    var dialog = document.getElementById("move-dialog");
    var dragged = null;
    var pending = null;

    function columnOf(stageId) {
      return board.querySelector('[data-stage-drop="' + stageId + '"]');
    }

    // The move answer carries fresh headers (count and per-currency totals) for the columns it changed.
    function swapHeads(result) {
      result.querySelectorAll("[data-column-head]").forEach(function (head) {
        var old = board.querySelector('[data-column-head="' + head.dataset.columnHead + '"]');
        if (old) old.replaceWith(head);
      });
    }

    // Touch screens have no drag and drop: give each card a "Move to" menu built from the columns.
    var coarse = window.matchMedia && window.matchMedia("(pointer: coarse)").matches;
    function addMover(card) {
      if (!coarse || card.getAttribute("draggable") !== "true" || card.querySelector(".card-move")) return;
      var select = document.createElement("select");
      select.className = "card-move";
      select.setAttribute("aria-label", "Move to stage");
      select.add(new Option("Move to…", ""));
      board.querySelectorAll("[data-stage-drop]").forEach(function (column) {
        if (column.dataset.stageDrop !== card.dataset.stage) {
          select.add(new Option(column.getAttribute("aria-label"), column.dataset.stageDrop));
        }
      });
      select.addEventListener("change", function () { if (select.value) move(card, select.value, null); });
      card.appendChild(select);
    }
    board.querySelectorAll(".deal-card").forEach(addMover);

    function place(card) {
      var column = columnOf(card.dataset.stage);
      if (!column) return;
      var hint = column.querySelector(".dropzone-hint");
      if (hint) hint.remove();
      column.querySelector(".column-cards").prepend(card);
      addMover(card);
    }

    function clearTargets() {
      board.querySelectorAll(".drop-target").forEach(function (c) { c.classList.remove("drop-target"); });
    }

    function closeDialog() {
      if (dialog.open) dialog.close();
      dialog.innerHTML = "";
      if (pending) {
        pending.classList.remove("busy");
        var menu = pending.querySelector(".card-move");
        if (menu) menu.value = "";
      }
      pending = null;
    }

    function handle(card, status, html) {
      var template = document.createElement("template");
      template.innerHTML = html;
      var result = template.content.querySelector(".move-result");
      if (!result) {
        card.classList.remove("busy");
        closeDialog();
        toast("The move failed (the server said " + status + "). Reload the board and try again.", true);
        return;
      }
      var outcome = result.dataset.outcome;
      var message = result.dataset.message;
      var fresh = result.querySelector(".deal-card");
      if (outcome === "needs") {
        pending = card;
        dialog.innerHTML = "";
        while (result.firstChild) dialog.appendChild(result.firstChild);
        if (window.htmx) htmx.process(dialog);
        if (!dialog.open) dialog.showModal();
        var first = dialog.querySelector("input[type=checkbox], textarea, input[type=text]");
        if (first) first.focus();
        return;
      }
      closeDialog();
      if (fresh && (outcome === "moved" || outcome === "stale")) {
        card.remove();
        place(fresh);
        swapHeads(result);
        fresh.classList.add("htmx-added");
      } else {
        card.classList.remove("busy");
        var menu = card.querySelector(".card-move");
        if (menu) menu.value = "";
      }
      toast(message, outcome !== "moved");
    }

    function move(card, stageId, form) {
      var data = form ? new FormData(form) : new FormData();
      data.set("stage", stageId);
      data.set("version", card.dataset.version);
      card.classList.add("busy");
      // The board carries the move URL of deal 0; each card swaps in its own id.
      var url = board.dataset.moveUrl.replace("/0/", "/" + card.dataset.deal + "/");
      fetch(url, {
        method: "POST", body: data, credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), "HX-Request": "true" }
      }).then(function (response) {
        return response.text().then(function (html) { handle(card, response.status, html); });
      }).catch(function () {
        card.classList.remove("busy");
        closeDialog();
        toast("The server cannot be reached; the deal did not move.", true);
      });
    }

    board.addEventListener("dragstart", function (e) {
      var card = e.target.closest && e.target.closest(".deal-card[draggable=true]");
      if (!card) return;
      dragged = card;
      card.classList.add("dragging");
      e.dataTransfer.effectAllowed = "move";
      e.dataTransfer.setData("text/plain", card.dataset.deal);
    });
    board.addEventListener("dragend", function () {
      if (dragged) dragged.classList.remove("dragging");
      clearTargets();
    });
    board.addEventListener("dragover", function (e) {
      var column = e.target.closest && e.target.closest("[data-stage-drop]");
      if (!column || !dragged) return;
      e.preventDefault();
      if (!column.classList.contains("drop-target")) {
        clearTargets();
        column.classList.add("drop-target");
      }
    });
    board.addEventListener("drop", function (e) {
      var column = e.target.closest && e.target.closest("[data-stage-drop]");
      if (!column || !dragged) return;
      e.preventDefault();
      clearTargets();
      var card = dragged;
      dragged = null;
      card.classList.remove("dragging");
      if (column.dataset.stageDrop !== card.dataset.stage) move(card, column.dataset.stageDrop, null);
    });

    dialog.addEventListener("submit", function (e) {
      var form = e.target.closest("[data-move-form]");
      if (!form || !pending) return;
      e.preventDefault();
      move(pending, form.elements.stage.value, form);
    });
    dialog.addEventListener("click", function (e) {
      if (e.target.closest("[data-cancel]")) closeDialog();
    });
    dialog.addEventListener("cancel", function () { closeDialog(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    configureHtmx();
    initBoard();
  });
})();
