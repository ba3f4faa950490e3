"""The page's script (surveys/static/surveys/conditions.js) decides as the server does: its
functions run in Node on the hand-written table of test_conditions.py and on generated
surveys (loops, deleted targets, negations, lists), and must give what
surveys.conditions gives. The server stays authoritative; this keeps the page honest."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from surveys.conditions import QuestionSpec, SectionSpec, condition_holds, visible_keys
from tests.surveys.test_conditions import TABLE

SCRIPT = Path(__file__).resolve().parents[2] / "surveys" / "static" / "surveys" / "conditions.js"
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(NODE is None, reason="Node is not installed")

RUNNER = """
const api = require(process.argv[1]);
const cases = JSON.parse(require("fs").readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify({
  holds: cases.holds.map(([c, seen]) => api.conditionHolds(c, seen)),
  visible: cases.visible.map(([sections, answers]) => api.visibleKeys(sections, answers)),
}));
"""


def _run_js(cases: dict) -> dict:
    done = subprocess.run(
        [NODE, "-e", RUNNER, str(SCRIPT)],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(done.stdout)


def _random_survey(rng: random.Random) -> tuple[list[dict], dict]:
    keys = [f"q{i}" for i in range(6)]
    values = ["c1", "c2", "Tak", " tak ", "", "Park miejski", ["c1"], ["c1", "c2"], [], None]
    ops = ["answered", "equals", "contains", "bogus"]

    def conditions() -> list[dict]:
        return [
            {
                # any question, earlier, later, itself, or one deleted long ago
                "question": rng.choice([*keys, "gone"]),
                "op": rng.choice(ops),
                "value": rng.choice(["c1", "c2", "tak", "park", ""]),
                "negate": rng.random() < 0.3,
            }
            for _ in range(rng.choice([0, 0, 1, 2]))
        ]

    sections, index = [], 0
    for s in range(3):
        questions = []
        for _ in range(2):
            questions.append({"key": keys[index], "conditions": conditions()})
            index += 1
        sections.append({"key": f"s{s}", "conditions": conditions(), "questions": questions})
    answers = {k: rng.choice(values) for k in keys if rng.random() < 0.8}
    return sections, answers


def _python_visible(sections: list[dict], answers: dict) -> list[str]:
    specs = [
        SectionSpec(
            s["key"],
            s["conditions"],
            tuple(QuestionSpec(q["key"], q["conditions"]) for q in s["questions"]),
        )
        for s in sections
    ]
    shown = visible_keys(specs, answers)
    order = [k for s in sections for k in (s["key"], *(q["key"] for q in s["questions"]))]
    return [k for k in order if k in shown]


def test_the_script_gives_the_table_of_the_server():
    results = _run_js({"holds": [[c, seen] for c, seen, _ in TABLE], "visible": []})
    assert results["holds"] == [expected for _c, _s, expected in TABLE]


def test_the_script_shows_what_the_server_shows_on_a_thousand_generated_surveys():
    rng = random.Random(20261204)
    surveys = [_random_survey(rng) for _ in range(1000)]
    js = _run_js({"holds": [], "visible": [list(s) for s in surveys]})["visible"]
    python = [_python_visible(sections, answers) for sections, answers in surveys]
    assert js == python
    # the generated cases are not all trivial: some hide, some show
    assert any(len(v) < 9 for v in python) and any(len(v) == 9 for v in python)


def test_every_condition_of_the_generated_surveys_holds_alike():
    rng = random.Random(7)
    cases = []
    for _ in range(300):
        sections, answers = _random_survey(rng)
        for section in sections:
            for condition in section["conditions"]:
                cases.append([condition, answers])
    js = _run_js({"holds": cases, "visible": []})["holds"]
    assert js == [condition_holds(c, seen) for c, seen in cases]
