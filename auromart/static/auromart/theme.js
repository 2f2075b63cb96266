// Loaded in <head>, before the page paints, so a dark page never flashes light.
// Dark mode: follows the system setting until the person picks one with the
// toggle (kept in localStorage); data-bs-theme on <html> switches Bootstrap.
(function () {
  var KEY = "auromart-theme";
  var media = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;

  function stored() {
    try { return localStorage.getItem(KEY); } catch (e) { return null; }
  }

  function apply() {
    var choice = stored();
    var dark = choice ? choice === "dark" : !!(media && media.matches);
    document.documentElement.setAttribute("data-bs-theme", dark ? "dark" : "light");
    document.querySelectorAll("[data-theme-toggle]").forEach(function (button) {
      button.setAttribute("aria-pressed", dark ? "true" : "false");
      var label = button.querySelector("[data-theme-label]");
      if (label) { label.textContent = dark ? "Light mode" : "Dark mode"; }
    });
  }

  apply();
  if (media && media.addEventListener) { media.addEventListener("change", apply); }
  document.addEventListener("DOMContentLoaded", function () {
    apply();
    document.addEventListener("click", function (event) {
      var button = event.target.closest && event.target.closest("[data-theme-toggle]");
      if (!button) { return; }
      var dark = document.documentElement.getAttribute("data-bs-theme") === "dark";
      try { localStorage.setItem(KEY, dark ? "light" : "dark"); } catch (e) { /* private mode */ }
      apply();
    });
  });
})();
