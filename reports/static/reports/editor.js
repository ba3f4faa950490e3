// The conclusions editor: a contenteditable area with a few buttons, laid over the form's
// textarea, which stays the form field (and the whole editor when scripts are off). The
// server sanitises whatever arrives (nh3), so this is a convenience, not a safeguard.
(function () {
  "use strict";
  function enhance(textarea) {
    var editor = document.createElement("div");
    editor.className = "rich-editor";
    editor.contentEditable = "true";
    editor.setAttribute("role", "textbox");
    editor.setAttribute("aria-multiline", "true");
    var label = document.querySelector('label[for="' + textarea.id + '"]');
    if (label) {
      if (!label.id) { label.id = textarea.id + "-label"; }
      editor.setAttribute("aria-labelledby", label.id);
    }
    editor.innerHTML = textarea.value;
    var toolbar = document.createElement("div");
    toolbar.className = "rich-toolbar";
    toolbar.setAttribute("role", "toolbar");
    toolbar.setAttribute("aria-label", textarea.dataset.toolbarLabel || "Formatowanie");
    [["bold", "Pogrubienie"], ["italic", "Kursywa"], ["insertUnorderedList", "Lista"],
     ["insertOrderedList", "Lista numerowana"]].forEach(function (item) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button-secondary";
      button.textContent = item[1];
      button.addEventListener("click", function () {
        editor.focus();
        document.execCommand(item[0], false, null);
      });
      toolbar.appendChild(button);
    });
    textarea.hidden = true;
    textarea.parentNode.insertBefore(toolbar, textarea);
    textarea.parentNode.insertBefore(editor, textarea);
    textarea.form.addEventListener("submit", function () { textarea.value = editor.innerHTML; });
  }
  document.querySelectorAll("textarea.rich-text").forEach(enhance);
})();
