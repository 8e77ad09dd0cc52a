/*
 * test_ini.c - the ini dialect of ~/.aws/config and ~/.aws/credentials.
 *
 * A recording handler writes every call as "[section] key=value;" so one
 * string comparison shows what the parser reported, in order.
 */
#include "config.h"

#include "ini.h"
#include "tap.h"

#include <stdio.h>
#include <string.h>

struct recorder {
    char calls[2048];
    const char *stop_at; /* key on which the handler returns stop_rc */
    int stop_rc;
    int sections; /* section headers seen */
};

static int
record(void *ud, const char *section, const char *key, const char *value)
{
    struct recorder *r = ud;
    size_t used = strlen(r->calls);
    if (key == NULL) { /* a section header: counted, not recorded as a pair */
        r->sections++;
        return value == NULL ? 0 : -99;
    }
    snprintf(r->calls + used, sizeof(r->calls) - used, "[%s] %s=%s;", section, key, value);
    if (r->stop_at != NULL && strcmp(key, r->stop_at) == 0)
        return r->stop_rc;
    return 0;
}

static void
check_parse(const char *what, const char *text, const char *want_calls)
{
    struct recorder r = {.calls = ""};
    char err[256] = "";
    int rc = ini_parse(text, record, &r, err, sizeof err);

    if (!tap_is_int(rc, 0, "ini: %s parses", what))
        tap_diag("error: %s", err);
    tap_is_str(r.calls, want_calls, "ini: %s reports the right pairs", what);
}

static void
check_error(const char *what, const char *text, const char *want_err, const char *want_calls)
{
    struct recorder r = {.calls = ""};
    char err[256] = "";
    int rc = ini_parse(text, record, &r, err, sizeof err);

    tap_is_int(rc, -1, "ini: %s is an error", what);
    tap_is_str(err, want_err, "ini: %s gives the reason", what);
    tap_is_str(r.calls, want_calls, "ini: %s reports the pairs before the error", what);
}

static void
test_basics(void)
{
    check_parse("an empty text", "", "");
    check_parse("only blank lines and comments", "\n\n# a comment\n; another\n   \n", "");
    check_parse("a section with key = value", "[default]\nregion = us-east-1\n",
                "[default] region=us-east-1;");
    check_parse("key: value", "[default]\nregion: eu-west-1\n", "[default] region=eu-west-1;");
    check_parse("key=value without blanks", "[default]\nregion=ap-south-1\n",
                "[default] region=ap-south-1;");
    check_parse("the last line without a newline", "[a]\nk = v", "[a] k=v;");
    check_parse("several sections",
                "[default]\nregion = us-east-1\n[profile work]\nregion = eu-central-1\n"
                "output = json\n",
                "[default] region=us-east-1;[profile work] region=eu-central-1;"
                "[profile work] output=json;");
    check_parse("an empty value", "[a]\nk =\n", "[a] k=;");
    check_parse("a value with '=' and ':'", "[a]\nurl = https://example.com:8443/x?a=b\n",
                "[a] url=https://example.com:8443/x?a=b;");
    check_parse("key: value whose value holds '='", "[a]\nk: x=y\n", "[a] k=x=y;");
    check_parse("an empty section", "[empty]\n[b]\nk = v\n", "[b] k=v;");
}

static void
test_comments_and_whitespace(void)
{
    check_parse("# and ; comments between pairs",
                "# leading comment\n[a]\n# hash comment\nk1 = v1\n; semicolon comment\n"
                "k2 = v2\n",
                "[a] k1=v1;[a] k2=v2;");
    check_parse("indented comments", "[a]\n   # indented\n\t; tabbed\nk = v\n", "[a] k=v;");
    check_parse("a comment line holding '=' is still a comment", "[a]\n# k = v\n;x=y\n", "");
    check_parse("'#' inside a value is kept", "[a]\nk = v # not a comment\n",
                "[a] k=v # not a comment;");
    check_parse("blank lines between everything", "\n[a]\n\n\nk = v\n\n[b]\n\nj = w\n\n",
                "[a] k=v;[b] j=w;");
    check_parse("blanks around key and value; the section name kept as written",
                "[  spaced name  ]\nkey   =   value with spaces   \n",
                "[  spaced name  ] key=value with spaces;");
    check_parse("a comment after a section header", "[default] # note\nk = v\n",
                "[default] k=v;");
    check_parse("the name runs to the last ']'", "[a]]b] x\nk = v\n", "[a]]b] k=v;");
    check_parse("option names are case-insensitive", "[a]\nAWS_Access_Key_ID = X\nRegion=r\n",
                "[a] aws_access_key_id=X;[a] region=r;");
    check_parse("tabs around key and value", "[a]\nkey\t=\tvalue\t\n", "[a] key=value;");
    check_parse("an indented pair with no open parent", "[a]\n   k = v\n", "[a] k=v;");
    check_parse("an indented section header", "  [a]\nk = v\n", "[a] k=v;");
    check_parse("CRLF line ends", "[default]\r\nregion = us-east-1\r\noutput = json\r\n",
                "[default] region=us-east-1;[default] output=json;");
    check_parse("CRLF with comments and blank lines", "# c\r\n\r\n[a]\r\n; c\r\nk = v\r\n",
                "[a] k=v;");
    check_parse("CRLF after an empty value", "[a]\r\nk =\r\n", "[a] k=;");
}

static void
test_nested(void)
{
    check_parse("a nested block", "[profile x]\ns3 =\n  addressing_style = path\n",
                "[profile x] s3=;[profile x] s3.addressing_style=path;");
    check_parse("a nested block of two settings",
                "[profile x]\ns3 =\n  addressing_style = path\n  use_accelerate_endpoint = "
                "true\n",
                "[profile x] s3=;[profile x] s3.addressing_style=path;"
                "[profile x] s3.use_accelerate_endpoint=true;");
    check_parse("a nested block indented with a tab", "[a]\ns3 =\n\taddressing_style = virtual\n",
                "[a] s3=;[a] s3.addressing_style=virtual;");
    check_parse("a nested block with CRLF", "[a]\r\ns3 =\r\n  addressing_style = path\r\n",
                "[a] s3=;[a] s3.addressing_style=path;");
    check_parse("a nested block ends at an unindented key",
                "[a]\ns3 =\n  addressing_style = path\nregion = us-east-1\n",
                "[a] s3=;[a] s3.addressing_style=path;[a] region=us-east-1;");
    check_parse("an unindented key after an empty value is not nested",
                "[a]\ns3 =\nregion = us-east-1\n", "[a] s3=;[a] region=us-east-1;");
    check_parse("a nested block ends at a new section",
                "[a]\ns3 =\n[b]\n  addressing_style = path\n",
                "[a] s3=;[b] addressing_style=path;");
    check_parse("a blank line inside a nested block", "[a]\ns3 =\n\n  addressing_style = path\n",
                "[a] s3=;[a] s3.addressing_style=path;");
    check_parse("a later parent opens its own block", "[a]\ns3 =\n  a = 1\nsts =\n  b = 2\n",
                "[a] s3=;[a] s3.a=1;[a] sts=;[a] sts.b=2;");
    check_parse("nested key: value", "[a]\ns3 =\n  addressing_style: path\n",
                "[a] s3=;[a] s3.addressing_style=path;");
}

static void
test_errors(void)
{
    check_error("a setting before any section", "region = us-east-1\n[a]\n",
                "line 1: setting before any [section]", "");
    check_error("a setting after comments but before any section", "# c\n\nregion = x\n",
                "line 3: setting before any [section]", "");
    check_error("a section header without ']'", "[a]\nk = v\n[profile b\nj = w\n",
                "line 3: section header without ']'", "[a] k=v;");
    check_error("a line without '=' or ':'", "[a]\nk = v\njust some words\n",
                "line 3: expected 'key = value'", "[a] k=v;");
    check_error("a line without '=' before any section", "garbage\n",
                "line 1: expected 'key = value'", "");
    check_error("an empty section name", "[]\n", "line 1: bad section name", "");
    check_parse("a blank section name is a name (configparser)", "[   ]\nk = v\n", "[   ] k=v;");
    check_error("an empty key", "[a]\n= v\n", "line 2: empty key", "");
    check_error("a section twice (configparser refuses it)", "[a]\nk = v\n[b]\n[a]\n",
                "line 4: section appears twice", "[a] k=v;");
    check_error("a key twice in a section", "[a]\nk = v\nK = w\n",
                "line 3: key appears twice in its section", "[a] k=v;");
    check_parse("a key in two sections", "[a]\nk = v\n[b]\nk = w\n", "[a] k=v;[b] k=w;");
    check_parse("an indented line continues the value before it",
                "[a]\naws_access_key_id = X\n  aws_secret_access_key = Y\nk = v\n",
                "[a] aws_access_key_id=X\naws_secret_access_key = Y;[a] k=v;");
    check_parse("a continued value keeps inner blank lines, drops trailing ones",
                "[a]\nk = one\n\n  two\n\n\nj = w\n", "[a] k=one\n\ntwo;[a] j=w;");
    check_error("an error counted across CRLF lines", "[a]\r\nk = v\r\n\r\noops\r\n",
                "line 4: expected 'key = value'", "[a] k=v;");
    check_error("an error on a last line without newline", "[a]\nk = v\n[b",
                "line 3: section header without ']'", "[a] k=v;");
}

static void
test_handler_stop(void)
{
    struct recorder r = {.calls = "", .stop_at = "stop", .stop_rc = 7};
    char err[64] = "untouched";
    int rc =
        ini_parse("[a]\nk = 1\nstop = 2\nlater = 3\n[b]\nj = 4\n", record, &r, err, sizeof err);

    tap_is_int(rc, 7, "ini: a handler's non-zero return is returned");
    tap_is_str(r.calls, "[a] k=1;[a] stop=2;", "ini: a handler's non-zero return stops parsing");
    tap_is_str(err, "untouched", "ini: a handler stop leaves err alone");

    struct recorder neg = {.calls = "", .stop_at = "k", .stop_rc = -2};
    rc = ini_parse("[a]\nk = 1\nbad line\n", record, &neg, err, sizeof err);
    tap_is_int(rc, -2, "ini: a negative handler return is returned as is");
    tap_is_str(neg.calls, "[a] k=1;", "ini: a negative handler return stops before a bad line");
}

static void
test_section_events(void)
{
    struct recorder r = {.calls = ""};
    char err[256] = "";
    int rc = ini_parse("[empty]\n\n[profile work]\nregion = eu-west-1\n[last]", record, &r, err,
                       sizeof err);
    tap_is_int(rc, 0, "ini: sections without settings parse");
    tap_is_int(r.sections, 3, "ini: every section header is reported, empty ones too");
    tap_is_str(r.calls, "[profile work] region=eu-west-1;", "ini: pairs still reported once");
}

int
main(void)
{
    test_section_events();
    test_basics();
    test_comments_and_whitespace();
    test_nested();
    test_errors();
    test_handler_stop();
    return tap_done();
}
