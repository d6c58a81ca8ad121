"""JUnit XML, as GitLab (artifacts:reports:junit), Jenkins (junit, xunit) and GitHub test
reporters read it: a `testsuites` root, one `testsuite` per exercise, one `testcase` per case.

A case that failed is a `failure`, one that raised or could not run an `error`, one never reached
(after a timeout) `skipped`; the message is in both the `message` attribute (the one-line summary a
reporter lists) and the element's text (with the first failing case's details and the diagnosis).
An assignment's exercise with no file is one testcase named "submission" with a `failure` of type
`missing`: nothing was handed in, which is the student's shortfall, not a crash of the tests.
Written with the standard library's ElementTree (it escapes every attribute and text node); the
student's text has no control characters left by then (feedback.clean), which XML 1.0 forbids.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from .document import results, title, total_seconds, untrusted
from .feedback import clean, details, first_problem, weak_sandbox_note

ELEMENT_OF = {"fail": "failure", "error": "error", "skipped": "skipped"}


def render(document: dict) -> str:
    found = results(document)
    suites = [_suite(result) for result in found]
    root = ET.Element("testsuites", {
        "name": f"dlcheck: {clean(title(document))}",
        "tests": str(sum(int(s.get("tests")) for s in suites)),
        "failures": str(sum(int(s.get("failures")) for s in suites)),
        "errors": str(sum(int(s.get("errors")) for s in suites)),
        "time": _time(total_seconds(found)),
    })
    root.extend(suites)
    weak = weak_sandbox_note(untrusted(found))
    if weak and suites:  # testsuites holds only testsuite elements (the Jenkins XSD): said in the first suite
        ET.SubElement(suites[0], "system-err").text = weak
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _suite(result: dict) -> ET.Element:
    cases = [_case(result, test) for test in result["tests"]] or [_missing_case(result)]
    kinds = [next((child.tag for child in case if child.tag in ELEMENT_OF.values()), "pass") for case in cases]
    suite = ET.Element("testsuite", {
        "name": result["exercise"],
        "tests": str(len(cases)),
        "failures": str(kinds.count("failure")),
        "errors": str(kinds.count("error")),
        "skipped": str(kinds.count("skipped")),
        "time": _time(result.get("seconds") or 0.0),
    })
    if result.get("submission"):
        suite.set("file", clean(result["submission"]))
    suite.append(_properties(result))
    suite.extend(cases)
    if (result.get("output") or "").strip():
        ET.SubElement(suite, "system-out").text = clean(result["output"])
    return suite


def _properties(result: dict) -> ET.Element:
    """The exercise's score and what it was graded with, for whoever reads the report."""
    values = {"status": result["status"], "score": result["score"], "max_score": result["max_score"],
              "kind": result["kind"], "trusted": str(result["sandbox"]["trusted"]).lower(),
              "hidden_cases": result.get("hidden_cases") or "none"}
    if result.get("diagnosis"):
        values["diagnosis"] = result["diagnosis"]["id"]
    properties = ET.Element("properties")
    for name, value in values.items():
        ET.SubElement(properties, "property", {"name": name, "value": str(value)})
    return properties


def _case(result: dict, test: dict) -> ET.Element:
    case = ET.Element("testcase", {
        "classname": f"dlcheck.{result['exercise']}",
        "name": clean(test["name"]),
        "time": _time(test.get("seconds") or 0.0),
    })
    if result.get("submission"):
        case.set("file", clean(result["submission"]))  # GitLab and GitHub reporters show it
    element = ELEMENT_OF.get(test["status"])
    if element is not None:
        message = clean(test["message"]) or test["status"]
        outcome = ET.SubElement(case, element, {"message": message, "type": _type(result, test)})
        outcome.text = _details(result, test, message)
    return case


def _missing_case(result: dict) -> ET.Element:
    case = ET.Element("testcase", {"classname": f"dlcheck.{result['exercise']}", "name": "submission", "time": "0.000"})
    message = clean(result["message"])
    ET.SubElement(case, "failure", {"message": message, "type": "missing"}).text = message
    return case


def _type(result: dict, test: dict) -> str:
    """What kind of outcome: a named misconception, an internal error, or the plain status."""
    if result.get("internal_error"):
        return "internal"
    if test["status"] == "fail" and result.get("diagnosis"):
        return f"mistake:{result['diagnosis']['id']}"
    return test["status"]


def _details(result: dict, test: dict, message: str) -> str:
    """The element's text: the message, and for the first failing case what was observed there."""
    parts = [message] + (details(result) if test["name"] == first_problem(result) else [])
    return "\n\n".join(parts)


def _time(seconds: float) -> str:
    """Seconds with three decimals: the Jenkins XSD's SUREFIRE_TIME allows no more."""
    return f"{max(seconds, 0.0):.3f}"
