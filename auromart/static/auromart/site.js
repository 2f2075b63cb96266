// Site-wide behaviour, loaded as a file: the Content Security Policy allows no
// inline script and no eval, so htmx trigger filters ("every 5s [cond]") are
// out. An element marked data-poll-when-visible skips its polling request
// while the tab is hidden instead.
document.addEventListener("htmx:confirm", function (event) {
  var element = event.detail.elt;
  if (element && element.hasAttribute("data-poll-when-visible") && document.visibilityState !== "visible") {
    event.preventDefault();
  }
});

// Confirmation of destructive actions. A form marked data-confirm="question"
// asks first, on the <dialog id="confirm-dialog"> of base.html (a modal dialog:
// focus moves into it and stays there, Escape closes it, focus returns after).
// The submit is held in the capture phase, before htmx or the browser sees it,
// and sent again once the person confirms. Without script the form submits
// as it is (and the server still checks everything).
(function () {
  var dialog = null;
  var pending = null;
  var opener = null;

  function setup() {
    dialog = document.getElementById("confirm-dialog");
    if (!dialog || typeof dialog.showModal !== "function") {
      dialog = null;
      return;
    }
    dialog.addEventListener("close", function () {
      var form = pending;
      pending = null;
      if (dialog.returnValue === "confirm" && form && form.isConnected) {
        form.setAttribute("data-confirmed", "");
        if (typeof form.requestSubmit === "function") {
          form.requestSubmit(opener && opener.form === form ? opener : undefined);
        } else {
          form.submit();
        }
      } else if (opener && opener.isConnected) {
        opener.focus();
      }
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!dialog || !form.hasAttribute || !form.hasAttribute("data-confirm")) {
      return;
    }
    if (form.hasAttribute("data-confirmed")) {
      form.removeAttribute("data-confirmed");
      return;
    }
    event.preventDefault();
    event.stopImmediatePropagation();
    pending = form;
    opener = event.submitter || document.activeElement;
    dialog.querySelector("[data-confirm-text]").textContent = form.getAttribute("data-confirm");
    dialog.querySelector("[data-confirm-title]").textContent =
      form.getAttribute("data-confirm-title") || "Are you sure?";
    dialog.querySelector("button[value=confirm]").textContent =
      form.getAttribute("data-confirm-button") || "Yes";
    dialog.returnValue = "";
    dialog.showModal();
  }, true);

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();

// The add-to-cart toast: htmx puts it into #toast-region (fixed, so the grid
// never moves); show it with Bootstrap's Toast, which hides it after a while.
document.addEventListener("htmx:afterSettle", function (event) {
  var region = document.getElementById("toast-region");
  if (!region || !window.bootstrap || !region.contains(event.detail.elt)) {
    return;
  }
  region.querySelectorAll(".toast:not(.show)").forEach(function (toast) {
    window.bootstrap.Toast.getOrCreateInstance(toast, { delay: 8000 }).show();
  });
});

// A filter form marked data-skip-same-query sends nothing when its fields say
// what they said at the last request: Enter submits, and leaving the field a
// moment later fires "change" with the same values, whose answer would redraw
// the results (and any quantity typed into them meanwhile) for nothing.
(function () {
  function queryOf(form) {
    return new URLSearchParams(new FormData(form)).toString();
  }
  document.addEventListener("htmx:load", function (event) {
    var root = event.detail.elt;
    var forms = root.matches && root.matches("form[data-skip-same-query]") ? [root] : [];
    if (root.querySelectorAll) {
      forms = forms.concat(Array.prototype.slice.call(root.querySelectorAll("form[data-skip-same-query]")));
    }
    forms.forEach(function (form) { form.lastQuery = queryOf(form); });
  });
  document.addEventListener("htmx:confirm", function (event) {
    var form = event.detail.elt;
    if (!form.matches || !form.matches("form[data-skip-same-query]")) {
      return;
    }
    var query = queryOf(form);
    if (query === form.lastQuery) {
      event.preventDefault();
      return;
    }
    form.lastQuery = query;
  });
})();

// Phones show every table as stacked cards (site.css); each cell is named by
// its column's header. Cells a template labelled itself keep their data-label.
(function () {
  function label(root) {
    var tables = root.querySelectorAll ? root.querySelectorAll("table.table") : [];
    Array.prototype.forEach.call(tables, function (table) {
      var heads = table.querySelectorAll("thead th");
      if (!heads.length) { return; }
      var names = Array.prototype.map.call(heads, function (th) { return th.textContent.trim(); });
      table.querySelectorAll("tbody tr").forEach(function (row) {
        var column = 0;
        Array.prototype.forEach.call(row.children, function (cell) {
          if (!cell.hasAttribute("data-label")) {
            cell.setAttribute("data-label", names[column] || "");
          }
          column += cell.colSpan || 1;
        });
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { label(document); });
  document.addEventListener("htmx:load", function (event) { label(event.detail.elt); });
})();
