"""The class report (`report.html` of `dlcheck batch`): built from a small class graded through the
real CLI, read back as HTML for its structure and its escaping, and loaded in headless Chromium to
see that its plots and tables really render."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pytest

from dlcheck.class_report import render_class_report
from tests import browser
from tests.conftest import FIXTURE_COURSE
from tests.sample_class import Student, grade_class

SUBMISSIONS = Path(__file__).resolve().parent / "fixtures" / "submissions"
ASSIGNMENT = """\
name: Week 1 <b>bold</b>
due: 2026-03-01T23:59:00+01:00
exercises:
  - scaled_sum
  - id: halve
    points: 6
  - square_grad
  - apply_model
"""
HOSTILE = "<script>alert('pwned')</script>"
HOSTILE_ID = "<img src=x onerror=alert(1)>"  # a folder name can hold all of that
HOSTILE_FILE = f"def apply_model(model, x):\n    return {HOSTILE}\n"  # a syntax error quoting its line


def fixture(name: str) -> str:
    return (SUBMISSIONS / f"{name}.py").read_text()


def students() -> list[Student]:
    """Correct, known mistakes, a new mistake, crashes (one printing markup), missing files, and a
    submission that could not be graded at all."""
    return [
        Student("alice", {"scaled_sum.py": fixture("scaled_sum_ok"), "halve.py": fixture("halve_numpy_int"),
                          "square_grad.py": fixture("square_grad_ok"), "apply_model.py": fixture("apply_model_ok")}),
        Student("bob", {"scaled_sum.py": fixture("scaled_sum_mean"), "halve.py": fixture("halve_float"),
                        "apply_model.py": HOSTILE_FILE}),
        Student("carol", {"scaled_sum.py": fixture("scaled_sum_mean"),
                          "square_grad.py": "def square_grad(x):\n    return x.clone()\n",
                          "apply_model.py": "def apply_model(model, x):\n    return model(x)\n"}),
        Student("dave", {"scaled_sum.py": fixture("scaled_sum_raises"), "halve.py": "def halve(n):\n    return n / 2\n"}),
        Student("erin", {"apply_model.py": HOSTILE_FILE}),  # the same syntax error, in another folder
        Student(HOSTILE_ID, error=f"not a zip file: {HOSTILE}"),
    ]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    return grade_class(tmp_path_factory.mktemp("class"), FIXTURE_COURSE, ASSIGNMENT, students())


@pytest.fixture(scope="module")
def page(graded) -> str:
    return render_class_report(graded.batch, graded.results)


@pytest.fixture(scope="module")
def dom(page) -> "Node":
    return parse(page)


# -- a small DOM, from the standard library's HTML parser ----------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Node:
    def __init__(self, tag: str, attrs: dict[str, str | None], parent: "Node | None"):
        self.tag, self.attrs, self.parent, self.children = tag, attrs, parent, []

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def all(self, tag: str | None = None, **attrs: str) -> list["Node"]:
        found = []
        for child in self.children:
            if isinstance(child, Node):
                if (tag is None or child.tag == tag) and all(child.attrs.get(k) == v for k, v in attrs.items()):
                    found.append(child)
                found += child.all(tag, **attrs)
        return found

    def one(self, tag: str | None = None, **attrs: str) -> "Node":
        found = self.all(tag, **attrs)
        assert len(found) == 1, f"{len(found)} <{tag} {attrs}>"
        return found[0]


class TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = self.current = Node("#document", {}, None)

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs), self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Node(tag, dict(attrs), self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node.parent is not None and node.tag != tag:
            node = node.parent
        assert node.tag == tag, f"</{tag}> closes nothing"
        self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(text: str) -> Node:
    builder = TreeBuilder()
    builder.feed(text)
    builder.close()
    return builder.root


def rows(table: Node) -> list[list[str]]:
    return [[" ".join(cell.text().split()) for cell in row.all() if cell.tag in ("th", "td")]
            for row in table.one("tbody").all("tr")]


# -- structure -----------------------------------------------------------------------------------

URL_ATTRIBUTES = {"src", "href", "xlink:href", "action", "formaction", "data", "poster", "srcset", "background"}


def test_the_page_refers_to_nothing_outside_itself(page, dom):
    references = [node.attrs[name] for node in dom.all() for name in URL_ATTRIBUTES & set(node.attrs)]
    styles = [n.text() for n in dom.all("style")] + [n.attrs["style"] for n in dom.all() if "style" in n.attrs]
    references += [url for css in styles for url in re.findall(r"url\(\s*['\"]?([^)'\"]*)", css)]
    assert references, "the page should at least link to feedback files and reference glyphs"
    for reference in references:
        assert not re.match(r"^\s*([a-z][a-z0-9+.-]*:|//)", reference, re.I), reference  # no scheme, no host
    assert not any("@import" in css for css in styles)
    assert not dom.all("script") and not dom.all("link") and not dom.all("img") and not dom.all("iframe")
    policy = dom.one("meta", **{"http-equiv": "Content-Security-Policy"}).attrs["content"]
    assert "default-src 'none'" in policy and "script-src" not in policy  # so no script may run at all


def test_header_names_the_assignment_due_date_and_grading_time(dom):
    heading = dom.one("h1").text()
    assert "Week 1 <b>bold</b>" in heading  # the assignment's name, shown as text, not markup
    assert not dom.one("h1").all("b")
    times = {t.attrs["datetime"]: t.text() for t in dom.one("header").all("time")}
    assert times == {"2026-03-01T23:59:00+01:00": "2026-03-01 23:59 UTC+01:00",
                     "2026-12-02T07:01:12+00:00": "2026-12-02 07:01 UTC"}


def test_misconceptions_list_each_diagnosis_with_its_count_and_message(graded, dom):
    section = dom.one("section", id="misconceptions")
    expected = Counter((r["exercise"], r["diagnosis"]["id"]) for doc in graded.results.values()
                       for r in doc["results"] if r["diagnosis"])
    # The class was built for these: two students averaged, one divided with /, one forgot the 2.
    assert expected == {("scaled_sum", "mean_instead_of_sum"): 2, ("halve", "true_division"): 1,
                        ("square_grad", "forgot_factor_two"): 1}
    shown = {}
    for heading in section.all("h3"):
        exercise = heading.one("code").text()
        table = heading.parent.children[heading.parent.children.index(heading) + 2]  # h3, caption p, table
        assert [th.text() for th in table.one("thead").all("th")][:4] == [
            "Misconception (id)", "Students", "Share", "What it means (the message students got)"]
        for cells in rows(table):
            shown[(exercise, cells[0])] = cells
    for (exercise, mistake), count in expected.items():
        assert shown[(exercise, mistake)][1] == str(count)
    assert shown[("scaled_sum", "mean_instead_of_sum")][2] == "40 %"  # of the 5 graded students
    assert shown[("scaled_sum", "mean_instead_of_sum")][3] == "You averaged over the last dimension instead of summing."
    assert shown[("square_grad", "forgot_factor_two")][3] == "The derivative of x² is 2x, not x."
    assert shown[("halve", "no known mistake")][1] == "1"  # bob's float(n // 2) is like no known mistake
    assert "Most frequent: mean_instead_of_sum in scaled_sum, 2 students" in " ".join(section.text().split())


def test_an_exercise_most_students_error_on_is_flagged_with_its_commonest_error(dom):
    attention = dom.one("section", id="attention")
    flagged = " ".join(attention.text().split())
    assert "apply_model: 3 of the 4 students who handed it in got an error (75 %)" in flagged
    # bob's and erin's syntax error is one message once each one's folder is cut from the path
    assert "Most common error message (2 students)" in flagged
    message = attention.one("blockquote").text()
    assert message.startswith("Syntax error in apply_model.py, line 2") and HOSTILE in message  # as text
    assert "1 submission could not be graded at all" in flagged


def test_per_exercise_rates_and_times(graded, dom):
    table = dom.one("section", id="exercises").one("table")
    by_id = {cells[0].split()[0]: cells for cells in rows(table)}
    # columns: exercise, title, points, pass, fail, error, missing, pass rate, mean score
    shares = [r["score"] / r["max_score"] for doc in graded.results.values() for r in doc["results"]
              if r["exercise"] == "scaled_sum"]  # partial credit varies: hidden cases are drawn per run
    assert by_id["scaled_sum"][2:] == ["5", "1", "2", "1", "1", "20 %", f"{100 * sum(shares) / 5:.0f} %"]
    assert by_id["halve"][2:7] == ["6", "1", "2", "0", "2"]
    assert by_id["apply_model"][5] == "3" and "mostly errors" in by_id["apply_model"][0]
    times = {cells[0]: cells for cells in rows(dom.one("section", id="time").one("table"))}
    ran = [r["seconds"] for doc in graded.results.values() for r in doc["results"]
           if r["exercise"] == "scaled_sum" and r["status"] != "missing"]
    assert times["scaled_sum"][2] == f"{max(ran):.2f} s"


def test_the_student_table_links_every_feedback_file(graded, dom):
    table = dom.one("section", id="students").one("table")
    header = [th.text() for th in table.one("thead").all("th")]
    assert header == ["Student (feedback)", "Score", "%", "Status", "scaled_sum", "halve", "square_grad",
                      "apply_model", "Result"]
    links = {a.text(): a.attrs["href"] for row in table.one("tbody").all("tr") for a in row.one("th").all("a")}
    assert links == {s["id"]: quote(f"students/{s['id']}/feedback.txt", safe="/") for s in graded.batch["students"]}
    assert all(not href.startswith("/") for href in links.values())
    body = {cells[0]: cells for cells in rows(table)}
    assert body["alice"][1:4] == ["25 / 25", "100 %", "graded"]
    assert body["alice"][4] == "✓pass, 5 of 5 5"  # glyph, its word for screen readers, the score
    assert body["carol"][5].startswith("∅missing")
    assert body["bob"][7].startswith("!error")
    assert body[HOSTILE_ID][3] == "error" and body[HOSTILE_ID][4] == f"could not be graded: not a zip file: {HOSTILE}"


def test_nothing_from_a_student_becomes_markup(page, dom):
    assert HOSTILE not in page and HOSTILE_ID not in page  # only their escaped forms are
    assert "&lt;script&gt;alert(&#x27;pwned&#x27;)&lt;/script&gt;" in page
    assert not dom.all("script") and not dom.all("img") and not dom.all("b")
    assert HOSTILE in dom.text() and HOSTILE_ID in dom.text()


def test_control_characters_in_a_message_are_shown_not_obeyed(graded):
    batch = json.loads(json.dumps(graded.batch))
    batch["students"][-1]["error"] = "bad\x1b[2J\u202eevil"
    text = render_class_report(batch, graded.results)
    assert "\x1b" not in text and "\u202e" not in text and "bad\\x1b[2J\\u202eevil" in text


def test_plots_are_accessible_inline_svgs_with_unique_ids(dom):
    svgs = dom.all("svg")
    assert len(svgs) == 3  # score distribution, rates per exercise, time per exercise
    for svg in svgs:
        assert svg.attrs["role"] == "img"
        first = [c for c in svg.children if isinstance(c, Node)][:2]
        assert [c.tag for c in first] == ["title", "desc"] and first[0].text() and first[1].text()
    ids = [node.attrs["id"] for node in dom.all() if "id" in node.attrs]
    assert len(ids) == len(set(ids)), [i for i, n in Counter(ids).items() if n > 1]
    targets = {n.attrs["xlink:href"][1:] for n in dom.all("use")}
    assert targets and targets <= set(ids)  # every glyph reference resolves within the page
    fragments = {n.attrs["href"][1:] for n in dom.all("a") if n.attrs["href"].startswith("#")}
    assert f"student-{quote(HOSTILE_ID, safe='')}" in fragments and fragments <= set(ids)  # in-page links land


def test_the_same_batch_renders_the_same_bytes(graded, page, tmp_path):
    assert render_class_report(graded.batch, graded.results) == page
    saved = tmp_path / "graded.json"  # and in another process: nothing depends on the clock or on hashing
    saved.write_text(json.dumps({"batch": graded.batch, "results": graded.results}))
    probe = ("import json, sys\nfrom dlcheck.class_report import render_class_report\n"
             "d = json.load(open(sys.argv[1]))\nsys.stdout.write(render_class_report(d['batch'], d['results']))")
    done = subprocess.run([sys.executable, "-c", probe, str(saved)], capture_output=True, text=True, timeout=120,
                          encoding="utf-8")
    assert done.returncode == 0, done.stderr
    assert done.stdout == page


def test_a_class_where_nobody_could_be_graded_still_renders(graded):
    batch = {**graded.batch, "students": [{"id": "zed", "status": "error", "error": "empty archive",
                                           "score": None, "max_score": None, "feedback": None}]}
    page = parse(render_class_report(batch, {}))
    assert "No student was graded." in page.one("section", id="distribution").text()
    assert rows(page.one("section", id="students").one("table")) == [
        ["zed", "—", "—", "error", "could not be graded: empty archive", ""]]


def test_importing_the_report_does_not_import_matplotlib():
    probe = "import sys, dlcheck.class_report; print('matplotlib' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "False", done.stderr


# -- in a real browser ---------------------------------------------------------------------------

# Only in the test's copy of the page: measures what the browser laid out and writes it into the DOM.
MEASURE = """<script>
const box = e => { const r = e.getBoundingClientRect(); return [r.width, r.height]; };
const measured = {
  svgs: [...document.querySelectorAll("svg")].map(s => ({box: box(s),
          glyphs: [...s.querySelectorAll("use")].filter(u => u.getBBox().width > 0).length})),
  tables: [...document.querySelectorAll("table")].map(t => ({box: box(t), rows: t.tBodies[0].rows.length,
          id: t.closest("section").id})),
};
const out = document.createElement("pre");
out.id = "measured";
out.textContent = JSON.stringify(measured);
document.body.appendChild(out);
</script>"""
CSP_TAG = re.compile(r'<meta http-equiv="Content-Security-Policy"[^>]*>')


@pytest.fixture(scope="module")
def chromium():
    if browser.find_chromium() is None:
        pytest.skip(browser.MISSING)


def test_chromium_lays_out_every_plot_and_table(chromium, page, tmp_path):
    copy, found = CSP_TAG.subn("", page)  # the product forbids scripts; the test copy must run one
    assert found == 1
    test_page = tmp_path / "report.html"
    test_page.write_text(copy.replace("</body>", MEASURE + "</body>"))
    measured = json.loads(parse(browser.dump_dom(test_page)).one("pre", id="measured").text())
    assert len(measured["svgs"]) == 3
    for svg in measured["svgs"]:
        width, height = svg["box"]
        assert width > 600 and height > 150, svg  # drawn at the page's width, not collapsed
        assert svg["glyphs"] > 20, svg  # axis labels drawn: the glyph references resolved
    tables = Counter(t["id"] for t in measured["tables"])
    assert tables == {"misconceptions": 3, "exercises": 1, "time": 1, "students": 1}
    for table in measured["tables"]:
        assert table["rows"] >= 1 and table["box"][0] > 300 and table["box"][1] > 20 * table["rows"], table


def test_the_policy_stops_a_script_even_if_one_got_into_the_page(chromium, page, tmp_path):
    injected = tmp_path / "report.html"
    injected.write_text(page.replace("</main>", "<script>document.body.dataset.ran = 'yes'</script></main>"))
    assert "data-ran" not in browser.dump_dom(injected)
    control = tmp_path / "control.html"
    control.write_text(CSP_TAG.sub("", injected.read_text()))
    assert 'data-ran="yes"' in browser.dump_dom(control)  # the same script does run without the policy


def test_chromium_screenshot_is_not_blank(chromium, page, tmp_path):
    from matplotlib.image import imread

    report = tmp_path / "report.html"
    report.write_text(page)
    pixels = imread(browser.screenshot(report, tmp_path / "report.png", 1200, 2400))[..., :3]
    assert pixels.shape[:2] == (2400, 1200)
    colours = {tuple(p) for p in pixels[::7, ::7].reshape(-1, 3).round(2).tolist()}
    assert len(colours) > 50  # text, plots, tinted boxes: not a blank or single-colour page
    assert (pixels < 0.9).any(axis=-1).mean() > 0.03  # a real share of the page is drawn on
