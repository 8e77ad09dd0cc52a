#!/usr/bin/env python3
"""The options --help, the man page and the README name are the same.

Three places describe the plugin's options: --help (what the binary
says), doc/check_s3tables_expiration.1 (OPTIONS) and the README's
options table. They drift apart one edit at a time, so this test reads
each, takes the options it defines (long and short forms, and which
short form belongs to which long one) and compares them pairwise. It
also checks that every option --help mentions anywhere is one it
defines, that every option the man page mentions exists, and that the
plugin accepts every option --help defines.

The man page and the README are found from this file (../../doc,
../../README), or under $S3TABLES_SRCDIR when that is set (VPATH builds).
"""

import os
import re
import sys
import tempfile

import e2e_lib as e

MAN_PAGE = os.path.join("doc", "check_s3tables_expiration.1")
README = "README"

# An option as the documents write it: --long-name, or -x. A short option
# is a single letter; "-vv", "dual-stack" or "0-3" are not options.
LONG_RE = re.compile(r"(?<![\w-])--([a-z0-9][a-z0-9-]*[a-z0-9])")
SHORT_RE = re.compile(r"(?<![\w-])-([A-Za-z])(?![\w-])")
# "-a, --table-arn": the short form written just before its long form.
PAIR_RE = re.compile(r"(?<![\w-])-([A-Za-z])\s*,\s*--([a-z0-9][a-z0-9-]*[a-z0-9])")
# A token of an option's definition that is not an option: its argument
# (ARN, SECONDS[:STATE], [=SECTION][@FILE]) or the comma between forms.
ARG_TOKEN_RE = re.compile(r"^[\[\]A-Z0-9_:=@.|/{}]*,?$")


def source_top():
    """The top of the source tree: $S3TABLES_SRCDIR, else two levels up (tests/e2e)."""
    return os.environ.get("S3TABLES_SRCDIR") or \
        os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


class Options:
    """The options one document defines: names ('--table-arn', '-a') and
    pairs ('-a', '--table-arn') of a short form and its long form."""

    def __init__(self, where):
        self.where = where
        self.names = set()
        self.pairs = set()
        self.error = None  # why the document's options could not be read

    def add_definition(self, text):
        """Add the options of one definition, e.g. '-t, --timeout SECONDS[:STATE]'
        or '--records-warning RANGE, --records-critical RANGE'. Reading stops
        at the first word that is neither an option nor an argument, so that
        a description on the same line does not count."""
        kept = []
        for token in text.split():
            if LONG_RE.match(token) or SHORT_RE.match(token):
                kept.append(token)
            elif ARG_TOKEN_RE.match(token):
                kept.append(token)
            else:
                break
        head = " ".join(kept)
        self.names.update("--" + m for m in LONG_RE.findall(head))
        self.names.update("-" + m for m in SHORT_RE.findall(head))
        self.pairs.update(("-" + s, "--" + l) for s, l in PAIR_RE.findall(head))


def mentioned(text):
    """Every option a text mentions, wherever it does."""
    return {"--" + m for m in LONG_RE.findall(text)} | {"-" + m for m in SHORT_RE.findall(text)}


# --------------------------------------------------------------------------
# The three sources
# --------------------------------------------------------------------------


def help_options(text):
    """--help: an option's definition is a line that starts, after its
    indentation, with '-'; the definition ends where two spaces start the
    description."""
    opts = Options("--help")
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("-"):
            opts.add_definition(re.split(r"\s{2,}", stripped, maxsplit=1)[0])
    return opts


def troff_text(line):
    """A troff line as it reads: font macros and escapes dropped, '\\-' a '-'."""
    line = re.sub(r"^\.(?:B|I|BI|IB|BR|RB|IR|RI|SM|SB)\s+", "", line)
    line = line.replace("\\-", "-").replace("\\e", "\\")
    line = re.sub(r"\\f(?:\[[^]]*\]|\(..|.)", "", line)
    line = re.sub(r"\\[&|^/,]", "", line)
    return line.replace('"', " ")


def troff_text_all(text):
    """The whole man page as text, requests other than font macros dropped."""
    lines = []
    for line in text.splitlines():
        if line.startswith(".") and not re.match(r"^\.(?:B|I|BI|IB|BR|RB|IR|RI|SM|SB)\s", line):
            continue
        lines.append(troff_text(line))
    return "\n".join(lines)


def man_sections(text):
    """{SECTION NAME: [lines]} of a man page."""
    sections, name = {}, None
    for line in text.splitlines():
        match = re.match(r'^\.SH\s+"?([^"]*)"?\s*$', line)
        if match:
            name = match.group(1).strip().upper()
            sections[name] = []
        elif name is not None:
            sections[name].append(line)
    return sections


def man_options(text):
    """The man page: in OPTIONS, the tag line after each .TP (or the tag
    of an .IP) defines one entry."""
    opts = Options("man page")
    lines = man_sections(text).get("OPTIONS", [])
    for i, line in enumerate(lines):
        tag = None
        if line.startswith(".TP") and i + 1 < len(lines):
            tag = lines[i + 1]
        elif line.startswith(".IP "):
            match = re.match(r'^\.IP\s+"([^"]*)"|^\.IP\s+(\S+)', line)
            tag = match and (match.group(1) or match.group(2))
        if tag:
            opts.add_definition(troff_text(tag))
    return opts


def markdown_tables(text):
    """Each Markdown table with the heading it comes under: (heading, rows),
    rows being lists of cell texts, the header row first."""
    tables, heading, rows, fenced = [], "", None, False
    for line in text.splitlines() + [""]:
        stripped = line.strip()
        if stripped.startswith("```"):
            fenced = not fenced
        if fenced or line.startswith(("    ", "\t")):
            rows = None  # code, where '#' starts a comment, not a heading
            continue
        if stripped.startswith("|"):
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", stripped.strip("|"))]
            if all(re.fullmatch(r":?-{3,}:?", c) for c in cells if c):
                continue  # the |---|---| line under the header
            if rows is None:
                rows = []
                tables.append((heading, rows))
            rows.append(cells)
            continue
        rows = None
        match = re.match(r"^#+\s+(.*?)\s*#*$", stripped)
        if match:
            heading = match.group(1)
    return tables


def readme_options(text):
    """The README: the table under the heading 'Options'. Its columns that
    hold options are those whose header names them (option, short, long),
    else the first; each row is one entry."""
    opts = Options("README")
    tables = [rows for heading, rows in markdown_tables(text) if heading.lower() == "options"]
    if len(tables) != 1:
        opts.error = f"{len(tables)} tables under a heading 'Options', not 1"
        return opts
    header, body = tables[0][0], tables[0][1:]
    columns = [i for i, h in enumerate(header) if re.search(r"option|short|long", h, re.I)] or [0]
    for row in body:
        for i in columns:
            if i < len(row):
                # `-a, --table-arn ARN` or `--records-warning`, `--records-critical RANGE`
                opts.add_definition(re.sub(r"[`*]", "", row[i]).replace(" / ", " "))
    return opts


# --------------------------------------------------------------------------
# Comparing
# --------------------------------------------------------------------------


def differences(a, b):
    """Lines that say how two option sets differ (empty: they agree)."""
    out = []
    for x, y in ((a, b), (b, a)):
        missing = sorted(x.names - y.names)
        if missing:
            out.append(f"in {x.where}, not in {y.where}: {' '.join(missing)}")
    for x, y in ((a, b), (b, a)):
        pairs = sorted(x.pairs - y.pairs)
        if pairs:
            out.append(f"short/long pairs in {x.where}, not in {y.where}: "
                       + " ".join(f"{s},{l}" for s, l in pairs))
    return out


def accepted(t, defined):
    """The plugin knows every option: given alone, none is refused the way
    an option that does not exist is (that answer learnt from a made-up one)."""
    bogus = "--no-such-option-for-e2e-docs"
    nowhere = tempfile.mkdtemp(prefix="e2e-docs-")
    # No plugins.ini anywhere it looks, and none the probe names: an
    # --extra-opts probe must not pick up a real configuration.
    env = {"NAGIOS_CONFIG_PATH": nowhere}
    try:
        code, out, err, _ = e.run_plugin([bogus], env=env)
        refusal = e.first_line(out).replace(bogus, "{}")
        if not t.ok(code == e.UNKNOWN and "{}" in refusal,
                    "a made-up option is refused (UNKNOWN, naming it)",
                    f"exit {code}, stdout {out!r}, stderr {err!r}"):
            return
        refused = []
        for name in sorted(defined):
            probe = f"{name}=@{nowhere}/plugins.ini" if name == "--extra-opts" else name
            code, out, err, _ = e.run_plugin([probe], env=env)
            # Alone, each is a usage error or --help/--version: exit 3 either way.
            if code != e.UNKNOWN or e.first_line(out) == refusal.replace("{}", probe):
                refused.append(f"{probe}: exit {code}, {e.first_line(out)!r}")
        t.ok(not refused, f"the plugin accepts all {len(defined)} options --help defines "
             "(each alone exits 3)", "\n".join(refused))
    finally:
        os.rmdir(nowhere)


def read(t, path):
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError as exc:
        t.ok(False, f"read {path}", str(exc))
        return None


def main():
    e.require_plugin()
    t = e.Tap()
    top = source_top()
    man_text = read(t, os.path.join(top, MAN_PAGE))
    readme_text = read(t, os.path.join(top, README))
    code, help_text, err, _ = e.run_plugin(["--help"])
    t.is_(code, e.UNKNOWN, "--help exits 3 (UNKNOWN), as plugins do")
    if man_text is None or readme_text is None or not help_text:
        t.diag(f"--help stderr: {err!r}")
        return t.done()

    sources = [help_options(help_text), man_options(man_text), readme_options(readme_text)]
    standard = {"-h", "--help", "-V", "--version", "-t", "--timeout"}
    for opts in sources:
        # Each reader must have found the options at all (and the standard
        # ones), or the comparisons below would agree on nothing.
        t.ok(opts.error is None and standard <= opts.names and ("-w", "--warning") in opts.pairs,
             f"{opts.where}: {len(opts.names)} option names, {len(opts.pairs)} short/long pairs "
             "read, the standard ones among them",
             opts.error or f"read: {' '.join(sorted(opts.names))}")
    helped, man, readme = sources
    for a, b in ((helped, man), (helped, readme), (man, readme)):
        diff = differences(a, b)
        t.ok(not diff, f"{a.where} and {b.where} name the same options", "\n".join(diff))

    stray = sorted(mentioned(help_text) - helped.names)
    t.ok(not stray, "every option --help mentions is one it defines",
         "mentioned but not defined: " + " ".join(stray))
    # The man page mentions options all through its text (SYNOPSIS,
    # DESCRIPTION, CREDENTIALS...): each must be one it defines.
    stray = sorted(mentioned(troff_text_all(man_text)) - man.names)
    t.ok(not stray, "every option the man page mentions is one it defines",
         "mentioned but not defined: " + " ".join(stray))

    accepted(t, helped.names)
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
