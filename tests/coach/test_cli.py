"""`touchbase coach`: the report, --json and --jsonl, and bad input without a traceback."""

import io
import json
import multiprocessing
import signal

import pytest

from touchbase.coach import cli
from touchbase.coach.cli import main

BAD = "Hi John, I'm writing to ask for 15 minutes. Kind regards,\nDana"


def run(argv, stdin=""):
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, stdin=io.StringIO(stdin), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_it_prints_the_countdown_and_each_finding_under_its_line():
    code, out, _ = run(["-", "--subject", "Quick call"], BAD)
    lines = out.splitlines()
    assert code == 0
    assert f"countdown {400 - len(BAD)}" in lines[0]
    first_line = lines.index("   1 │ Hi John, I'm writing to ask for 15 minutes. Kind regards,")
    opener = next(i for i, line in enumerate(lines) if "pad.opener" in line)
    assert first_line < opener
    assert any("pad.signoff" in line for line in lines)


def test_it_exits_1_when_an_error_is_left():
    code, out, _ = run(["-", "--subject", "Re: call"], BAD)
    assert code == 1
    assert "subject.fake_thread" in out


def test_it_prints_json():
    code, out, _ = run(
        ["-", "--json", "--kind", "follow_up", "--subject", "Fwd: x"], "Hi John, following up."
    )
    data = json.loads(out)
    assert data["countdown"] == 400 - len("Hi John, following up.")
    assert "fup.forward_missing" in {f["rule"] for f in data["findings"]}


def test_it_reads_a_file_and_reports_invalid_utf8(tmp_path):
    path = tmp_path / "email.txt"
    path.write_bytes(b"Hi Sam, worth a call? \xff\xfe Board meets Friday.")
    code, out, err = run([str(path), "--json", "--subject", "Reno"])
    assert code == 0
    assert "not valid UTF-8" in err
    assert json.loads(out)["chars"] > 0


def test_it_says_so_when_a_file_is_missing(tmp_path):
    code, _, err = run([str(tmp_path / "nope.txt")])
    assert code == 2
    assert "cannot read" in err


def test_it_refuses_an_unknown_kind_with_a_clear_message():
    code, _, err = run(["-", "--kind", "newsletter"], "hi")
    assert code == 2
    assert "invalid choice: 'newsletter'" in err


def test_it_reviews_json_lines_and_goes_on_past_a_malformed_line():
    lines = "\n".join(
        [
            json.dumps({"id": "a", "kind": "first_touch", "subject": "Reno", "body": BAD}),
            '{"id": "b", "kind": "first_touch", "body": ',
            json.dumps({"id": "c", "kind": "newsletter", "body": "hi"}),
            json.dumps({"id": "d", "kind": "drip", "subject": "Ramp", "body": 42}),
            json.dumps(["not", "an", "object"]),
            "",
            json.dumps({"id": 7, "kind": "follow_up", "subject": "Fwd: x", "body": "Hi John, following up."}),
        ]
    )
    code, out, _ = run(["--jsonl"], lines)
    results = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert [r["id"] for r in results] == ["a", None, "c", "d", None, 7]
    assert set(results[0]) == {"id", "score", "chars", "countdown", "findings"}
    assert results[1]["error"]["code"] == "invalid_json"
    assert results[2]["error"] == {
        "code": "unknown_kind",
        "message": results[2]["error"]["message"],
        "field": "kind",
    }
    assert results[3]["error"]["field"] == "body"
    assert results[4]["error"]["code"] == "invalid_line"
    assert "fup.forward_missing" in {f["rule"] for f in results[5]["findings"]}


def test_a_long_batch_is_reviewed_on_several_cores_in_input_order(monkeypatch):
    monkeypatch.setattr(cli, "CHUNK_LINES", 3)
    emails = [{"id": n, "kind": "first_touch", "subject": f"Reno {n}", "body": f"Hi Sam, {n} reps? " + BAD}
              for n in range(20)]
    lines = [json.dumps(email) for email in emails]
    lines[7] = '{"id": "broken", '
    lines[11] = ""
    text = "\n".join(lines) + "\n"
    serial, parallel = io.StringIO(), io.StringIO()
    cli._batch(io.StringIO(text), serial, workers=1)
    cli._batch(io.StringIO(text), parallel, workers=2)
    results = [json.loads(line) for line in parallel.getvalue().splitlines()]
    assert parallel.getvalue() == serial.getvalue()
    assert [r["id"] for r in results] == [None if n == 7 else n for n in range(20) if n != 11]
    assert (results[7]["line"], results[7]["error"]["code"]) == (8, "invalid_json")


def test_a_reader_that_goes_away_stops_the_batch_and_its_workers(monkeypatch):
    class GoneReader:
        def write(self, text):
            raise BrokenPipeError("the reader went away")

    monkeypatch.setattr(cli, "CHUNK_LINES", 2)
    lines = "".join(json.dumps({"id": n, "body": f"Hi Sam, {n} reps? Worth a call?"}) + "\n" for n in range(40))
    with pytest.raises(BrokenPipeError):
        cli._batch(io.StringIO(lines), GoneReader(), workers=2)
    assert multiprocessing.active_children() == []


def _caught(signum, frame):
    """A SIGTERM handler like the ones `touchbase worker` and `serve` install."""


def test_batch_workers_stop_on_sigterm_even_where_the_parent_catches_it():
    # Workers are forked and inherit the parent's handlers; one that caught SIGTERM would keep
    # Pool.terminate() from stopping them, and the batch would hang instead of ending.
    previous = signal.signal(signal.SIGTERM, _caught)
    pool = cli._pool(2)
    try:
        assert pool.apply(signal.getsignal, (signal.SIGTERM,)) == signal.SIG_DFL
    finally:
        signal.signal(signal.SIGTERM, previous)
        pool.close()  # closing needs no signal, so a failure here cannot hang the run
        pool.join()


def test_each_finding_carries_its_replacement_in_json_and_json_lines():
    body = "Hi John, I'm writing to ask about Reno. Worth a call?"
    _, out, _ = run(["-", "--json", "--subject", "Reno"], body)
    (opener,) = [f for f in json.loads(out)["findings"] if f["rule"] == "pad.opener"]
    assert opener["replacement"] == {"start": 9, "end": 24, "text": ""}
    _, out, _ = run(["--jsonl"], json.dumps({"id": 1, "subject": "", "body": body}))
    by_rule = {f["rule"]: f for f in json.loads(out)["findings"]}
    assert by_rule["pad.opener"]["replacement"] == opener["replacement"]
    assert by_rule["subject.missing"]["replacement"] is None


def test_it_prints_help():
    code, out, _ = run(["--help"])
    assert code == 0
    assert "--jsonl" in out
