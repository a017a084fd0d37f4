// Keyboard shortcuts for the review page. Plain JS: the page works without it (forms and links).
(function () {
  "use strict";
  function click(id) {
    var el = document.getElementById(id);
    if (el) { el.click(); return true; }
    return false;
  }
  function follow(id) {
    var el = document.getElementById(id);
    if (el && el.href) { window.location.href = el.href; return true; }
    return false;
  }
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var typing = target && (target.tagName === "TEXTAREA" || target.tagName === "INPUT" || target.tagName === "SELECT");
    if (typing) {
      if (event.key === "Escape") { target.blur(); }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    var handled = false;
    switch (event.key) {
      case "s": handled = click("btn-same"); break;
      case "d": handled = click("btn-different"); break;
      case "x": handled = click("btn-skip"); break;
      case "u": {
        var undo = document.getElementById("undo-form");
        if (undo) { undo.submit(); handled = true; }
        break;
      }
      case "j": case "n": handled = follow("next") || follow("start"); break;
      case "k": case "p": handled = follow("prev"); break;
      case "q": handled = follow("to-queue"); break;
      case "/": {
        var note = document.getElementById("note");
        if (note) { note.focus(); handled = true; }
        break;
      }
      case "?": {
        var help = document.getElementById("help");
        help.hidden = !help.hidden; handled = true;
        break;
      }
    }
    if (handled) { event.preventDefault(); }
  });
})();
