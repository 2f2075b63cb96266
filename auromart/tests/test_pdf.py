"""auromart.pdf keeps its FontConfiguration and parsed stylesheets per thread (issue #11)."""

import os
import threading

from auromart import pdf


def test_the_font_configuration_is_made_once_per_thread():
    first = pdf.font_config()
    assert pdf.font_config() is first
    other = []
    thread = threading.Thread(target=lambda: other.append(pdf.font_config()))
    thread.start()
    thread.join()
    assert other[0] is not first


def test_a_stylesheet_is_parsed_once_and_again_when_the_file_changes(tmp_path):
    sheet = tmp_path / "doc.css"
    sheet.write_text("p { color: red }")
    fetcher = pdf.LocalFetcher([tmp_path.resolve()])
    first = pdf._stylesheet(str(sheet), fetcher)
    assert pdf._stylesheet(str(sheet), fetcher) is first
    sheet.write_text("p { color: blue; margin: 0 }")
    stat = sheet.stat()
    os.utime(sheet, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    changed = pdf._stylesheet(str(sheet), fetcher)
    assert changed is not first
    assert pdf._stylesheet(str(sheet), fetcher) is changed


def test_two_renders_in_a_row_give_the_same_document(monkeypatch):
    html_calls = []

    def render(template, context):
        html_calls.append(template)
        return "<p>Hello</p>"

    monkeypatch.setattr(pdf, "render_to_string", render)
    one = pdf.render_pdf("x.html", {}, stylesheets=("auromart/pdf/document.css",))
    two = pdf.render_pdf("x.html", {}, stylesheets=("auromart/pdf/document.css",))
    assert one.startswith(b"%PDF") and two.startswith(b"%PDF")
    assert len(one) == len(two) and html_calls == ["x.html", "x.html"]
