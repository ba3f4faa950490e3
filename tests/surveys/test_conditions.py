"""The display-condition evaluator: one pure function, checked against a table written by
hand (not computed by the code under test)."""

import pytest

from surveys.conditions import QuestionSpec, SectionSpec, condition_holds, visible_keys


def cond(question, op, value="", negate=False):
    return {"question": question, "op": op, "value": value, "negate": negate}


# (condition, answers seen so far, expected)
TABLE = [
    (cond("q1", "answered"), {"q1": "tak"}, True),
    (cond("q1", "answered"), {"q1": ""}, False),
    (cond("q1", "answered"), {"q1": "   "}, False),
    (cond("q1", "answered"), {"q1": []}, False),
    (cond("q1", "answered"), {}, False),
    (cond("q1", "answered", negate=True), {}, True),
    (cond("q1", "equals", "c1"), {"q1": "c1"}, True),
    (cond("q1", "equals", "c1"), {"q1": "c2"}, False),
    (cond("q1", "equals", "c1"), {"q1": ["c1"]}, True),
    (cond("q1", "equals", "c1"), {"q1": ["c1", "c2"]}, False),
    (cond("q1", "equals", "Tak"), {"q1": " tak "}, True),
    (cond("q1", "equals", "c1", negate=True), {"q1": "c2"}, True),
    (cond("q1", "equals", "c1", negate=True), {"q1": "c1"}, False),
    (cond("q1", "contains", "c2"), {"q1": ["c1", "c2"]}, True),
    (cond("q1", "contains", "c3"), {"q1": ["c1", "c2"]}, False),
    (cond("q1", "contains", "park"), {"q1": "Więcej zieleni w Parku"}, True),
    (cond("q1", "contains", "park"), {}, False),
    (cond("q1", "contains", "park", negate=True), {"q1": "rynek"}, True),
    (cond("gone", "equals", "c1"), {"q1": "c1"}, False),
    ({"question": "q1", "op": "drop table", "value": ""}, {"q1": "x"}, False),
]


@pytest.mark.parametrize(("condition", "seen", "expected"), TABLE)
def test_condition_table(condition, seen, expected):
    assert condition_holds(condition, seen) is expected


def survey(*sections):
    return list(sections)


def test_a_question_shows_only_when_an_earlier_answer_matches():
    # given: q2 shows when q1 is "c1"; section s2 shows when q1 was answered
    spec = survey(
        SectionSpec(
            "s1", (), (QuestionSpec("q1"), QuestionSpec("q2", (cond("q1", "equals", "c1"),)))
        ),
        SectionSpec("s2", (cond("q1", "answered"),), (QuestionSpec("q3"),)),
    )
    # then
    assert visible_keys(spec, {"q1": "c1"}) == {"s1", "q1", "q2", "s2", "q3"}
    assert visible_keys(spec, {"q1": "c2"}) == {"s1", "q1", "s2", "q3"}
    assert visible_keys(spec, {}) == {"s1", "q1"}


def test_an_answer_to_a_hidden_question_does_not_open_its_dependants():
    # q3 depends on q2, which is hidden: q2's answer must not count
    spec = survey(
        SectionSpec(
            "s1",
            (),
            (
                QuestionSpec("q1"),
                QuestionSpec("q2", (cond("q1", "equals", "yes"),)),
                QuestionSpec("q3", (cond("q2", "answered"),)),
            ),
        )
    )
    assert visible_keys(spec, {"q1": "no", "q2": "smuggled"}) == {"s1", "q1"}


def test_a_loop_built_by_hand_ends_and_hides_both_questions():
    # q1 depends on q2 and q2 on q1: neither has an answer seen before it
    spec = survey(
        SectionSpec(
            "s1",
            (),
            (
                QuestionSpec("q1", (cond("q2", "answered"),)),
                QuestionSpec("q2", (cond("q1", "answered"),)),
            ),
        )
    )
    assert visible_keys(spec, {"q1": "a", "q2": "b"}) == {"s1"}


def test_a_condition_on_itself_or_a_later_question_sees_no_answer():
    spec = survey(
        SectionSpec(
            "s1",
            (),
            (QuestionSpec("q1", (cond("q1", "answered"),)), QuestionSpec("q2")),
        )
    )
    assert visible_keys(spec, {"q1": "a"}) == {"s1", "q2"}


def test_a_condition_on_a_deleted_question_hides_unless_negated():
    spec = survey(
        SectionSpec(
            "s1",
            (),
            (
                QuestionSpec("q1", (cond("deleted", "equals", "x"),)),
                QuestionSpec("q2", (cond("deleted", "equals", "x", negate=True),)),
            ),
        )
    )
    assert visible_keys(spec, {"deleted": "x"}) == {"s1", "q2"}
