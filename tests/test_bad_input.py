"""Every malformed input in tests/bad_input/ (listed in cases.txt) makes `mlpot eval` exit with
2 and one message naming the file (and line) and the problem, without crashing and without
leaving an output file behind."""
import os
import subprocess
import sys
import tempfile

MLPOT = os.environ["MLPOT_CLI"]
HERE = os.path.join(os.environ["MLPOT_SOURCE_DIR"], "tests", "bad_input")
failures = checks = 0


def check(condition, what):
    global failures, checks
    checks += 1
    if not condition:
        failures += 1
        print("check failed:", what, file=sys.stderr)


with tempfile.TemporaryDirectory() as tmp:
    for line in open(os.path.join(HERE, "cases.txt")):
        if not line.strip() or line.startswith("#"):
            continue
        name, spec, phrase, line_no = [x.strip() for x in line.split("|")]
        path = os.path.join(HERE, name)
        out = os.path.join(tmp, name + ".out.xyz")
        run = subprocess.run([MLPOT, "eval", "-p", spec, "-o", out, path], capture_output=True, text=True)
        message = run.stderr.strip()
        check(run.returncode == 2, "%s: exit code %d (%s)" % (name, run.returncode, message))
        check(phrase in message, "%s: message %r lacks %r" % (name, message, phrase))
        check(name.split("/")[0] in message or "potential" in message, "%s: message %r does not name the file" % (name, message))
        if line_no != "0":
            check(("%s:%s:" % (name, line_no)) in message or ("%s:%s:" % (path, line_no)) in message,
                  "%s: message %r does not name line %s" % (name, message, line_no))
        check(message.count("\n") == 0, "%s: one message line, got %r" % (name, message))
        check(not os.path.exists(out), "%s: output file left behind" % name)
        check(not [f for f in os.listdir(tmp) if f.startswith(".")], "%s: temporary file left behind" % name)

print("test_bad_input: %d checks, %d failed" % (checks, failures))
sys.exit(1 if failures else 0)
