/*
 * test_credjson.c - credentials in the JSON of credential_process, the
 * container endpoint and instance metadata.
 *
 * Shapes from botocore (ProcessProvider, ContainerProvider,
 * InstanceMetadataFetcher) and the SDK docs. "Now" is fixed at
 * 2025-03-01T12:34:56Z (date -u -d 2025-03-01T12:34:56Z +%s). Every
 * rejection is also checked for leaking the secret values.
 */
#include "config.h"

#include "credjson.h"
#include "tap.h"

#include <stdio.h>
#include <string.h>

#define NOW INT64_C(1740832496)
#define IN_AN_HOUR "2025-03-01T13:34:56Z"
#define IN_AN_HOUR_S INT64_C(1740836096)
#define AN_HOUR_AGO "2025-03-01T11:34:56Z"

#define KEY "AKIAIOSFODNN7EXAMPLE"
#define SECRET "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
#define TOKEN "IQoJb3JpZ2luX2VjEXAMPLETOKEN"

#define PROC_HEAD "{\"Version\": 1, "
#define KEYS "\"AccessKeyId\": \"" KEY "\", \"SecretAccessKey\": \"" SECRET "\""
#define IMDS_HEAD "{\"Code\": \"Success\", \"LastUpdated\": \"2025-03-01T12:00:00Z\", "

static const char *
kind_name(enum credjson_kind kind)
{
    return kind == CREDJSON_PROCESS ? "process" : kind == CREDJSON_CONTAINER ? "container" : "imds";
}

static bool
quotes_a_secret(const char *msg)
{
    return strstr(msg, SECRET) != NULL || strstr(msg, "wJalrXUtnFEMI") != NULL ||
           strstr(msg, TOKEN) != NULL || strstr(msg, "IQoJb3Jp") != NULL;
}

static void
check_rejected_len(enum credjson_kind kind, const char *what, const char *body, size_t len,
                   const char *want)
{
    struct credentials c;
    char err[512] = "";
    memset(&c, 0, sizeof c);
    strcpy(c.source, "set by the caller");
    int rc = credjson_decode(kind, body, len, NOW, &c, err, sizeof err);

    tap_is_int(rc, -1, "%s: %s is rejected", kind_name(kind), what);
    tap_is_str(err, want, "%s: %s gives the reason", kind_name(kind), what);
    tap_ok(!quotes_a_secret(err), "%s: %s: the reason quotes no secret", kind_name(kind), what);
    tap_ok(c.access_key_id == NULL && c.secret_access_key == NULL && c.session_token == NULL,
           "%s: %s leaves nothing allocated", kind_name(kind), what);
    tap_is_str(c.source, "set by the caller", "%s: %s leaves the source alone", kind_name(kind),
               what);
}

static void
check_rejected(enum credjson_kind kind, const char *what, const char *body, const char *want)
{
    check_rejected_len(kind, what, body, strlen(body), want);
}

/* Decodes a body that must be accepted; false (and reported) if not. */
static bool
check_accepted(enum credjson_kind kind, const char *what, const char *body, struct credentials *c)
{
    char err[512] = "";
    memset(c, 0, sizeof *c);
    int rc = credjson_decode(kind, body, strlen(body), NOW, c, err, sizeof err);
    if (!tap_is_int(rc, 0, "%s: %s is accepted", kind_name(kind), what)) {
        tap_diag("reason: %s", err);
        return false;
    }
    return true;
}

static void
test_process(void)
{
    struct credentials c;

    if (check_accepted(CREDJSON_PROCESS, "keys without token or expiration", PROC_HEAD KEYS "}",
                       &c)) {
        tap_is_str(c.access_key_id, KEY, "process: key id");
        tap_is_str(c.secret_access_key, SECRET, "process: secret");
        tap_ok(c.session_token == NULL, "process: no session token");
        tap_ok(!c.has_expiration, "process: no Expiration means no expiration");
        tap_is_str(c.source, "", "process: source is left to the caller");
        credentials_free(&c);
    }
    if (check_accepted(CREDJSON_PROCESS, "the full document",
                       PROC_HEAD KEYS ", \"SessionToken\": \"" TOKEN
                                      "\", \"Expiration\": \"" IN_AN_HOUR
                                      "\", \"AccountId\": \"123456789012\"}",
                       &c)) {
        tap_is_str(c.session_token, TOKEN, "process: SessionToken is the token");
        tap_ok(c.has_expiration, "process: has an expiration");
        tap_is_int(c.expiration, IN_AN_HOUR_S, "process: expiration in Unix seconds");
        credentials_free(&c);
    }
    if (check_accepted(CREDJSON_PROCESS, "fractional, offset Expiration",
                       PROC_HEAD KEYS ", \"Expiration\": \"2025-03-01T14:34:56.123+01:00\"}", &c)) {
        tap_is_int(c.expiration, IN_AN_HOUR_S, "process: offset Expiration converted to UTC");
        credentials_free(&c);
    }
    if (check_accepted(CREDJSON_PROCESS, "Expiration one second ahead",
                       PROC_HEAD KEYS ", \"Expiration\": \"2025-03-01T12:34:57Z\"}", &c)) {
        tap_is_int(c.expiration, NOW + 1, "process: not yet expired");
        credentials_free(&c);
    }
    if (check_accepted(CREDJSON_PROCESS, "null SessionToken and Expiration",
                       PROC_HEAD KEYS ", \"SessionToken\": null, \"Expiration\": null}", &c)) {
        tap_ok(c.session_token == NULL, "process: null SessionToken is no token");
        tap_ok(!c.has_expiration, "process: null Expiration is no expiration");
        credentials_free(&c);
    }
    if (check_accepted(CREDJSON_PROCESS, "empty SessionToken",
                       PROC_HEAD KEYS ", \"SessionToken\": \"\"}", &c)) {
        tap_ok(c.session_token == NULL, "process: empty SessionToken is no token");
        credentials_free(&c);
    }
    if (check_accepted(CREDJSON_PROCESS, "a \"Token\" member",
                       PROC_HEAD KEYS ", \"Token\": \"" TOKEN "\"}", &c)) {
        tap_ok(c.session_token == NULL, "process: \"Token\" is not its token field");
        credentials_free(&c);
    }
    if (check_accepted(CREDJSON_PROCESS, "Version last, whitespace around",
                       "\n  {" KEYS ", \"Version\": 1}\n\n", &c))
        credentials_free(&c);

    check_rejected(CREDJSON_PROCESS, "Version 2", "{\"Version\": 2, " KEYS "}",
                   "unsupported \"Version\" 2 (supported: 1)");
    check_rejected(CREDJSON_PROCESS, "Version 0", "{\"Version\": 0, " KEYS "}",
                   "unsupported \"Version\" 0 (supported: 1)");
    check_rejected(CREDJSON_PROCESS, "Version -1", "{\"Version\": -1, " KEYS "}",
                   "unsupported \"Version\" -1 (supported: 1)");
    check_rejected(CREDJSON_PROCESS, "Version past INT64_MAX",
                   "{\"Version\": 18446744073709551615, " KEYS "}",
                   "unsupported \"Version\" 18446744073709551615 (supported: 1)");
    check_rejected(CREDJSON_PROCESS, "Version \"1\"", "{\"Version\": \"1\", " KEYS "}",
                   "\"Version\" is a string, not an integer");
    check_rejected(CREDJSON_PROCESS, "Version 1.0", "{\"Version\": 1.0, " KEYS "}",
                   "\"Version\" is a decimal number, not an integer");
    check_rejected(CREDJSON_PROCESS, "Version true", "{\"Version\": true, " KEYS "}",
                   "\"Version\" is a boolean, not an integer");
    check_rejected(CREDJSON_PROCESS, "Version null", "{\"Version\": null, " KEYS "}",
                   "\"Version\" is null, not an integer");
    check_rejected(CREDJSON_PROCESS, "no Version", "{" KEYS "}",
                   "no \"Version\" in the output (supported: 1)");
    check_rejected(CREDJSON_PROCESS, "no Version and no keys", "{}",
                   "no \"Version\" in the output (supported: 1)");

    check_rejected(CREDJSON_PROCESS, "no AccessKeyId",
                   PROC_HEAD "\"SecretAccessKey\": \"" SECRET "\"}",
                   "no \"AccessKeyId\" in the output");
    check_rejected(CREDJSON_PROCESS, "no SecretAccessKey",
                   PROC_HEAD "\"AccessKeyId\": \"" KEY "\", \"SessionToken\": \"" TOKEN "\"}",
                   "no \"SecretAccessKey\" in the output");
    check_rejected(CREDJSON_PROCESS, "empty AccessKeyId",
                   PROC_HEAD "\"AccessKeyId\": \"\", \"SecretAccessKey\": \"" SECRET "\"}",
                   "\"AccessKeyId\" is empty");
    check_rejected(CREDJSON_PROCESS, "empty SecretAccessKey",
                   PROC_HEAD "\"AccessKeyId\": \"" KEY "\", \"SecretAccessKey\": \"\"}",
                   "\"SecretAccessKey\" is empty");
    check_rejected(CREDJSON_PROCESS, "null AccessKeyId",
                   PROC_HEAD "\"AccessKeyId\": null, \"SecretAccessKey\": \"" SECRET "\"}",
                   "\"AccessKeyId\" is null, not a string");
    check_rejected(CREDJSON_PROCESS, "AccessKeyId 123",
                   PROC_HEAD "\"AccessKeyId\": 123, \"SecretAccessKey\": \"" SECRET "\"}",
                   "\"AccessKeyId\" is an integer, not a string");
    check_rejected(CREDJSON_PROCESS, "SecretAccessKey in an array",
                   PROC_HEAD "\"AccessKeyId\": \"" KEY "\", \"SecretAccessKey\": [\"" SECRET "\"]}",
                   "\"SecretAccessKey\" is an array, not a string");
    check_rejected(CREDJSON_PROCESS, "SecretAccessKey in an object",
                   PROC_HEAD "\"AccessKeyId\": \"" KEY "\", \"SecretAccessKey\": {\"v\": \"" SECRET
                             "\"}}",
                   "\"SecretAccessKey\" is an object, not a string");
    check_rejected(CREDJSON_PROCESS, "SecretAccessKey true",
                   PROC_HEAD "\"AccessKeyId\": \"" KEY "\", \"SecretAccessKey\": true}",
                   "\"SecretAccessKey\" is a boolean, not a string");
    check_rejected(CREDJSON_PROCESS, "SessionToken 5", PROC_HEAD KEYS ", \"SessionToken\": 5}",
                   "\"SessionToken\" is an integer, not a string");
    check_rejected(CREDJSON_PROCESS, "SessionToken in an array",
                   PROC_HEAD KEYS ", \"SessionToken\": [\"" TOKEN "\"]}",
                   "\"SessionToken\" is an array, not a string");

    check_rejected(CREDJSON_PROCESS, "expired credentials",
                   PROC_HEAD KEYS ", \"SessionToken\": \"" TOKEN
                                  "\", \"Expiration\": \"" AN_HOUR_AGO "\"}",
                   "credentials expired at " AN_HOUR_AGO);
    check_rejected(CREDJSON_PROCESS, "Expiration equal to now",
                   PROC_HEAD KEYS ", \"Expiration\": \"2025-03-01T12:34:56Z\"}",
                   "credentials expired at 2025-03-01T12:34:56Z");
    check_rejected(CREDJSON_PROCESS, "Expiration a fraction past now",
                   PROC_HEAD KEYS ", \"Expiration\": \"2025-03-01T12:34:56.999Z\"}",
                   "credentials expired at 2025-03-01T12:34:56Z");
    check_rejected(CREDJSON_PROCESS, "Expiration 12345", PROC_HEAD KEYS ", \"Expiration\": 12345}",
                   "\"Expiration\" is an integer, not an ISO-8601 string");
    check_rejected(CREDJSON_PROCESS, "Expiration without a zone",
                   PROC_HEAD KEYS ", \"Expiration\": \"2025-03-01T13:34:56\"}",
                   "bad \"Expiration\": \"2025-03-01T13:34:56\": no time zone");
    check_rejected(CREDJSON_PROCESS, "Expiration \"tomorrow\"",
                   PROC_HEAD KEYS ", \"Expiration\": \"tomorrow\"}",
                   "bad \"Expiration\": \"tomorrow\": expected a date as YYYY-MM-DD");
}

static void
test_container(void)
{
    struct credentials c;
    const char *full = "{\"AccessKeyId\": \"" KEY "\", \"SecretAccessKey\": \"" SECRET
                       "\", \"Token\": \"" TOKEN "\", \"Expiration\": \"" IN_AN_HOUR
                       "\", \"RoleArn\": \"arn:aws:iam::123456789012:role/task\"}";

    if (check_accepted(CREDJSON_CONTAINER, "the ECS answer", full, &c)) {
        tap_is_str(c.access_key_id, KEY, "container: key id");
        tap_is_str(c.secret_access_key, SECRET, "container: secret");
        tap_is_str(c.session_token, TOKEN, "container: Token is the token");
        tap_ok(c.has_expiration, "container: has an expiration");
        tap_is_int(c.expiration, IN_AN_HOUR_S, "container: expiration in Unix seconds");
        credentials_free(&c);
    }
    if (check_accepted(CREDJSON_CONTAINER, "no Token, no Expiration", "{" KEYS "}", &c)) {
        tap_ok(c.session_token == NULL, "container: no Token is no token");
        tap_ok(!c.has_expiration, "container: no Expiration is no expiration");
        credentials_free(&c);
    }
    if (check_accepted(CREDJSON_CONTAINER, "a \"SessionToken\" member",
                       "{" KEYS ", \"SessionToken\": \"" TOKEN "\"}", &c)) {
        tap_ok(c.session_token == NULL, "container: \"SessionToken\" is not its token field");
        credentials_free(&c);
    }
    if (check_accepted(CREDJSON_CONTAINER, "a Version 2 member", "{\"Version\": 2, " KEYS "}", &c))
        credentials_free(&c);

    check_rejected(CREDJSON_CONTAINER, "no AccessKeyId", "{\"SecretAccessKey\": \"" SECRET "\"}",
                   "no \"AccessKeyId\" in the answer");
    check_rejected(CREDJSON_CONTAINER, "no SecretAccessKey",
                   "{\"AccessKeyId\": \"" KEY "\", \"Token\": \"" TOKEN "\"}",
                   "no \"SecretAccessKey\" in the answer");
    check_rejected(CREDJSON_CONTAINER, "empty SecretAccessKey",
                   "{\"AccessKeyId\": \"" KEY "\", \"SecretAccessKey\": \"\"}",
                   "\"SecretAccessKey\" is empty");
    check_rejected(CREDJSON_CONTAINER, "Token 7", "{" KEYS ", \"Token\": 7}",
                   "\"Token\" is an integer, not a string");
    check_rejected(CREDJSON_CONTAINER, "Token true", "{" KEYS ", \"Token\": true}",
                   "\"Token\" is a boolean, not a string");
    check_rejected(CREDJSON_CONTAINER, "expired credentials",
                   "{" KEYS ", \"Token\": \"" TOKEN "\", \"Expiration\": \"" AN_HOUR_AGO "\"}",
                   "credentials expired at " AN_HOUR_AGO);
    check_rejected(CREDJSON_CONTAINER, "Expiration as epoch seconds",
                   "{" KEYS ", \"Expiration\": 1740836096.5}",
                   "\"Expiration\" is a decimal number, not an ISO-8601 string");
    /* An ECS agent error answer. */
    check_rejected(CREDJSON_CONTAINER, "an error answer",
                   "{\"code\": \"InvalidIdentityToken\", \"message\": \"bad token\"}",
                   "no \"AccessKeyId\" in the answer");
}

static void
test_imds(void)
{
    struct credentials c;
    const char *full = IMDS_HEAD "\"Type\": \"AWS-HMAC\", " KEYS ", \"Token\": \"" TOKEN
                                 "\", \"Expiration\": \"" IN_AN_HOUR "\"}";

    if (check_accepted(CREDJSON_IMDS, "the instance role answer", full, &c)) {
        tap_is_str(c.access_key_id, KEY, "imds: key id");
        tap_is_str(c.secret_access_key, SECRET, "imds: secret");
        tap_is_str(c.session_token, TOKEN, "imds: Token is the token");
        tap_is_int(c.expiration, IN_AN_HOUR_S, "imds: expiration in Unix seconds");
        credentials_free(&c);
    }
    if (check_accepted(CREDJSON_IMDS, "no Expiration", IMDS_HEAD KEYS ", \"Token\": \"" TOKEN "\"}",
                       &c)) {
        tap_ok(!c.has_expiration, "imds: no Expiration is no expiration");
        credentials_free(&c);
    }

    check_rejected(CREDJSON_IMDS, "Code Failure with a Message",
                   "{\"Code\": \"Failure\", \"Message\": \"Role not found\", " KEYS "}",
                   "instance metadata says Failure: Role not found");
    check_rejected(CREDJSON_IMDS, "Code Failure without a Message", "{\"Code\": \"Failure\"}",
                   "instance metadata says Failure");
    check_rejected(CREDJSON_IMDS, "Code Failure with a non-string Message",
                   "{\"Code\": \"Failure\", \"Message\": 42}", "instance metadata says Failure");
    check_rejected(CREDJSON_IMDS, "Code \"success\" in lower case",
                   "{\"Code\": \"success\", " KEYS "}", "instance metadata says success");
    check_rejected(CREDJSON_IMDS, "a Code and Message with control characters",
                   "{\"Code\": \"Bad\\nCode\", \"Message\": \"one|two\\tthree\"}",
                   "instance metadata says Bad Code: one/two three");
    check_rejected(CREDJSON_IMDS, "no Code", "{" KEYS ", \"Token\": \"" TOKEN "\"}",
                   "no \"Code\" in the answer");
    check_rejected(CREDJSON_IMDS, "Code 200", "{\"Code\": 200, " KEYS "}",
                   "\"Code\" is an integer, not a string");
    check_rejected(CREDJSON_IMDS, "Code null", "{\"Code\": null, " KEYS "}",
                   "\"Code\" is null, not a string");
    check_rejected(CREDJSON_IMDS, "no AccessKeyId",
                   IMDS_HEAD "\"SecretAccessKey\": \"" SECRET "\"}",
                   "no \"AccessKeyId\" in the answer");
    check_rejected(CREDJSON_IMDS, "empty AccessKeyId",
                   IMDS_HEAD "\"AccessKeyId\": \"\", \"SecretAccessKey\": \"" SECRET "\"}",
                   "\"AccessKeyId\" is empty");
    check_rejected(CREDJSON_IMDS, "Token in an object",
                   IMDS_HEAD KEYS ", \"Token\": {\"t\": \"" TOKEN "\"}}",
                   "\"Token\" is an object, not a string");
    check_rejected(CREDJSON_IMDS, "expired credentials",
                   IMDS_HEAD KEYS ", \"Token\": \"" TOKEN "\", \"Expiration\": \"" AN_HOUR_AGO
                                  "\"}",
                   "credentials expired at " AN_HOUR_AGO);
}

static void
test_not_json(void)
{
    check_rejected(CREDJSON_PROCESS, "empty output", "", "empty output");
    check_rejected(CREDJSON_CONTAINER, "an empty answer", "", "empty answer");
    check_rejected(CREDJSON_PROCESS, "an unfinished object holding the secret",
                   PROC_HEAD "\"SecretAccessKey\": \"" SECRET,
                   "output is not valid JSON: unexpected end of data");
    check_rejected(CREDJSON_IMDS, "an unfinished object", "{",
                   "answer is not valid JSON: unexpected end of data");
    check_rejected(CREDJSON_PROCESS, "plain text", "hello world",
                   "output is not valid JSON: unexpected character");
    check_rejected(CREDJSON_PROCESS, "text after the object", PROC_HEAD KEYS "} " SECRET,
                   "output is not valid JSON: unexpected character");
    check_rejected(CREDJSON_PROCESS, "two objects", PROC_HEAD KEYS "}{}",
                   "output is not valid JSON: unexpected character");
    check_rejected(CREDJSON_CONTAINER, "single quotes", "{'AccessKeyId': 'x'}",
                   "answer is not valid JSON: unexpected character");
    check_rejected_len(CREDJSON_PROCESS, "a NUL byte", "{\"Version\": 1}\0{}", 16,
                       "output is not JSON (contains NUL bytes)");
    check_rejected(CREDJSON_PROCESS, "an array", "[" PROC_HEAD KEYS "}]",
                   "output is an array, not an object");
    check_rejected(CREDJSON_PROCESS, "a string", "\"" SECRET "\"",
                   "output is a string, not an object");
    check_rejected(CREDJSON_CONTAINER, "a number", "42", "answer is an integer, not an object");
    check_rejected(CREDJSON_IMDS, "true", "true", "answer is a boolean, not an object");
    check_rejected(CREDJSON_PROCESS, "null", "null", "output is null, not an object");
    check_rejected(CREDJSON_PROCESS, "invalid UTF-8", "{\"Version\": 1, \"x\": \"\xff\"}",
                   "output is not valid JSON: invalid utf-8 string");
}

static void
test_error_buffer(void)
{
    struct credentials c;
    char small[12];
    int rc = credjson_decode(CREDJSON_PROCESS, "{}", 2, NOW, &c, small, sizeof small);
    tap_is_int(rc, -1, "credjson: a small error buffer still fails cleanly");
    tap_is_str(small, "no \"Version", "credjson: the reason is cut to the buffer");
}

int
main(void)
{
    test_process();
    test_container();
    test_imds();
    test_not_json();
    test_error_buffer();
    return tap_done();
}
