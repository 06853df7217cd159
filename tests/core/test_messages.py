"""E-mail templates: the subject line, the body (ending in one line end), placeholders
and their problems at the template's line."""

from __future__ import annotations

from partnerclose.core.messages import MessageText, render

_VALUES = {"partner_name": "Acme GmbH", "period": "2026-10", "net": "1,234.50"}


def test_subject_and_body_are_filled() -> None:
    template = "Subject: Statement {period}\n\nDear {partner_name},\nnet {net}.\n"
    message, problems = render(template, _VALUES, "statement_email.txt")
    assert problems == []
    assert message == MessageText("Statement 2026-10", "Dear Acme GmbH,\nnet 1,234.50.\n")


def test_double_braces_are_literal() -> None:
    message, problems = render("Subject: x\n\n{{period}} is {period}", _VALUES, "t.txt")
    assert problems == []
    assert message.body == "{period} is 2026-10\n"


def test_windows_line_ends_are_read_as_lines() -> None:
    message, problems = render("Subject: Hello\r\n\r\nBody", _VALUES, "t.txt")
    assert problems == []
    assert message == MessageText("Hello", "Body\n")


def test_an_unknown_placeholder_is_a_problem_at_its_line() -> None:
    _, problems = render("Subject: x\n\nDear {partner},", _VALUES, "statement_email.txt")
    (problem,) = problems
    assert (problem.file, problem.cell) == ("statement_email.txt", "3")
    assert problem.message == (
        "the e-mail template uses {partner}, which is not a placeholder; "
        "known: {partner_name}, {period}, {net}"
    )


def test_a_template_without_subject_line_is_a_problem_at_line_1() -> None:
    message, problems = render("Dear {partner_name}", _VALUES, "request_email.txt")
    assert message == MessageText("", "")
    (problem,) = problems
    assert (problem.file, problem.cell) == ("request_email.txt", "1")
    assert problem.message.startswith('the e-mail template must start with a line "Subject: ..."')
