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
