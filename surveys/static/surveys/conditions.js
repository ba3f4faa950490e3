/* Display conditions in the page: the mirror of surveys/conditions.py (visible_keys), so a
 * question or section shows or hides as the resident answers. The server stays
 * authoritative: it evaluates the same data again and drops answers to hidden questions.
 * Without JavaScript every item is shown with its condition in words.
 * tests/surveys/test_conditions_js.py runs these functions in Node against the Python ones. */
(function (root) {
  "use strict";

  function isAnswered(value) {
    if (value === null || value === undefined) return false;
    if (typeof value === "string") return value.trim() !== "";
    if (Array.isArray(value)) return value.some(isAnswered);
    return true;
  }

  function fold(text) {
    return String(text).trim().toLowerCase();
  }

  function conditionHolds(condition, seen) {
    var key = String(condition.question === undefined ? "" : condition.question);
    var value = Object.prototype.hasOwnProperty.call(seen, key) ? seen[key] : undefined;
    var expected = String(condition.value === undefined || condition.value === null ? "" : condition.value);
    var result;
    if (condition.op === "answered") {
      result = isAnswered(value);
    } else if (condition.op === "equals") {
      if (!isAnswered(value)) result = false;
      else if (Array.isArray(value)) {
        var unique = Array.from(new Set(value.map(String)));
        result = unique.length === 1 && unique[0] === expected;
      } else result = fold(value) === fold(expected);
    } else if (condition.op === "contains") {
      if (!isAnswered(value)) result = false;
      else if (Array.isArray(value)) result = value.map(String).indexOf(expected) !== -1;
      else result = String(value).toLowerCase().indexOf(fold(expected)) !== -1;
    } else {
      return false; // an unknown operator never shows anything by accident
    }
    return condition.negate ? !result : result;
  }

  function allHold(conditions, seen) {
    return (conditions || []).every(function (c) { return conditionHolds(c, seen); });
  }

  /* sections: [{key, conditions, questions: [{key, conditions}]}]; answers: {key: value}.
   * Returns the keys shown, in page order, as visible_keys does. */
  function visibleKeys(sections, answers) {
    var seen = {};
    var shown = [];
    sections.forEach(function (section) {
      if (!allHold(section.conditions, seen)) return;
      shown.push(section.key);
      section.questions.forEach(function (question) {
        if (!allHold(question.conditions, seen)) return;
        shown.push(question.key);
        seen[question.key] = Object.prototype.hasOwnProperty.call(answers, question.key)
          ? answers[question.key]
          : null;
      });
    });
    return shown;
  }

  /* The value conditions see of one question, read from the form as the server reads it
   * (surveys.services.responses._question_answers): a choice key, a list of choice keys,
   * a text, the places' order of a ranking, the values of a matrix. */
  function answerOf(form, question) {
    var name = "q-" + question.key;
    var t = question.type;
    if (t === "single" || t === "scale") {
      var checked = form.querySelector('input[name="' + name + '"]:checked');
      return checked ? checked.value : "";
    }
    if (t === "multiple") {
      return Array.from(form.querySelectorAll('input[name="' + name + '"]:checked')).map(function (i) { return i.value; });
    }
    if (t === "ranking") {
      var places = [];
      question.choices.forEach(function (choiceKey) {
        var select = form.querySelector('[name="' + name + "-" + choiceKey + '"]');
        if (select && select.value) places.push([parseInt(select.value, 10), choiceKey]);
      });
      places.sort(function (a, b) { return a[0] - b[0]; });
      return places.map(function (p) { return p[1]; });
    }
    if (t === "matrix") {
      var values = [];
      question.choices.forEach(function (choiceKey) {
        var cell = form.querySelector('input[name="' + name + "-" + choiceKey + '"]:checked');
        if (cell) values.push(cell.value);
      });
      return values;
    }
    var field = form.querySelector('[name="' + name + '"]');
    if (!field) return "";
    if (t === "number") return field.value.replace(/,/g, ".").replace(/ /g, "").trim();
    return field.value;
  }

  function apply(form, sections) {
    var answers = {};
    sections.forEach(function (section) {
      section.questions.forEach(function (question) { answers[question.key] = answerOf(form, question); });
    });
    var shown = new Set(visibleKeys(sections, answers));
    sections.forEach(function (section) {
      var box = document.getElementById("survey-section-" + section.key);
      if (box) box.hidden = !shown.has(section.key);
      section.questions.forEach(function (question) {
        var item = document.getElementById("question-" + question.key);
        if (item) item.hidden = !shown.has(question.key);
      });
    });
  }

  function start() {
    var data = document.getElementById("survey-conditions");
    var form = document.querySelector("form.survey-form");
    if (!data || !form) return;
    var sections = JSON.parse(data.textContent);
    var update = function () { apply(form, sections); };
    form.addEventListener("change", update);
    form.addEventListener("input", update);
    update();
  }

  var api = { isAnswered: isAnswered, conditionHolds: conditionHolds, visibleKeys: visibleKeys };
  if (typeof module !== "undefined" && module.exports) {
    module.exports = api;
  } else {
    root.konsultaSurveyConditions = api;
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
    else start();
  }
})(this);
