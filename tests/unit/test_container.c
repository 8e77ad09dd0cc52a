/*
 * test_container.c - which AWS_CONTAINER_CREDENTIALS_FULL_URI values may
 * receive the container authorization token: any https URL, plain http
 * only to a literal loopback address, "localhost" or the ECS/EKS hosts.
 */
#include "config.h"

#include "container.h"
#include "tap.h"

#include <stdio.h>
#include <string.h>

static const char *const REFUSED_HOST =
    "plain http only to a loopback address or to 169.254.170.2, 169.254.170.23 or "
    "[fd00:ec2::23], not to ";

static void
allowed(const char *url)
{
    char err[256] = "";
    int ok = container_uri_allowed(url, err, sizeof(err));
    tap_ok(ok == 1, "%s is allowed", url);
    if (ok != 1)
        tap_diag("refused: %s", err);
}

static void
refused(const char *url, const char *shown, const char *want)
{
    char err[256] = "";
    int ok = container_uri_allowed(url, err, sizeof(err));
    tap_is_int(ok, 0, "%s is refused", shown);
    tap_is_str(err, want, "%s: the reason says why", shown);
}

static void
refused_host(const char *url, const char *host)
{
    char want[256];
    snprintf(want, sizeof(want), "%s%s", REFUSED_HOST, host);
    refused(url, url, want);
}

static void
test_https_any_host(void)
{
    allowed("https://example.com/creds");
    allowed("https://10.0.0.1:8443/v1/credentials?id=1");
    allowed("HTTPS://Example.COM");
    allowed("https://user@example.com/x");
}

static void
test_http_loopback(void)
{
    allowed("http://127.0.0.1:8080/x");
    allowed("http://127.1.2.3");
    allowed("http://127.255.255.255/");
    allowed("http://[::1]:80");
    allowed("http://[0:0:0:0:0:0:0:1]/creds");
    allowed("http://localhost");
    allowed("http://LocalHost:9000/get-credentials?a=b#frag");
    allowed("HTTP://127.0.0.1/");
    allowed("http://127.0.0.1:/x");
}

static void
test_http_container_hosts(void)
{
    allowed("http://169.254.170.2");
    allowed("http://169.254.170.2/v2/credentials/0123-abcd");
    allowed("http://169.254.170.23");
    allowed("http://169.254.170.23/v1/credentials");
    allowed("http://[fd00:ec2::23]");
    allowed("http://[fd00:ec2::23]:80/v1/credentials");
    allowed("http://[FD00:EC2:0:0::23]/v1/credentials");
}

static void
test_http_other_hosts(void)
{
    refused_host("http://10.0.0.1", "10.0.0.1");
    refused_host("http://example.com", "example.com");
    refused_host("http://127.0.0.1.evil.example", "127.0.0.1.evil.example");
    refused_host("http://localhost.evil.example/", "localhost.evil.example");
    refused_host("http://169.254.169.254/latest/meta-data", "169.254.169.254");
    refused_host("http://169.254.170.3", "169.254.170.3");
    refused_host("http://[fd00:ec2::254]", "[fd00:ec2::254]");
    refused_host("http://[::ffff:127.0.0.1]/", "[::ffff:127.0.0.1]");
    refused_host("http://[::2]", "[::2]");
    refused_host("http://0.0.0.0", "0.0.0.0");
    /* Forms libcurl or the resolver would read as 127.0.0.1: never
     * guessed, as botocore. */
    refused_host("http://127.1", "127.1");
    refused_host("http://0x7f.0.0.1", "0x7f.0.0.1");
    refused_host("http://2130706433/", "2130706433");
    refused_host("http://0177.0.0.1", "0177.0.0.1");
}

static void
test_userinfo_is_not_the_host(void)
{
    refused_host("http://127.0.0.1@evil.example/", "evil.example");
    refused_host("http://localhost:80@evil.example", "evil.example");
    allowed("http://evil.example@127.0.0.1/");
    allowed("http://user:pass@localhost:8080/x");
}

static void
test_garbage(void)
{
    refused("ftp://127.0.0.1/creds", "ftp://127.0.0.1/creds", "not an http:// or https:// URL");
    refused("file:///etc/passwd", "file:///etc/passwd", "not an http:// or https:// URL");
    refused("127.0.0.1:8080/creds", "127.0.0.1:8080/creds", "not an http:// or https:// URL");
    refused("not a url", "not a url", "space or control character in the URL");
    refused("", "the empty string", "not an http:// or https:// URL");
    refused("http://", "http://", "no host in the URL");
    refused("https:///path", "https:///path", "no host in the URL");
    refused("http://:8080/x", "http://:8080/x", "no host in the URL");
    refused("http://[::1/x", "http://[::1/x", "malformed IPv6 address in the URL");
    refused("http://[]/x", "http://[]/x", "no host in the URL");
    refused("http://[::1]x/", "http://[::1]x/", "malformed port in the URL");
    refused("http://127.0.0.1:80x/", "http://127.0.0.1:80x/", "malformed port in the URL");
    refused("http://127.0.0.1:65536/", "http://127.0.0.1:65536/", "malformed port in the URL");
    refused("http://127.0.0.1:123456/", "http://127.0.0.1:123456/", "malformed port in the URL");
    refused("http://127.0.0.1/\r\nX-Injected: 1", "a URL with CR LF",
            "space or control character in the URL");
    refused("http://127.0.0.1/a b", "a URL with a space", "space or control character in the URL");
    refused_host("http://[fe80::1%25eth0]/", "[fe80::1%25eth0]");
}

static void
test_long_host_is_cut_in_the_message(void)
{
    char url[400], want[256];
    memset(url, 0, sizeof(url));
    strcpy(url, "http://");
    memset(url + 7, 'a', 300);
    snprintf(want, sizeof(want), "%s%.64s", REFUSED_HOST, url + 7);
    refused(url, "http://aaa...(300 characters)", want);
}

int
main(void)
{
    test_https_any_host();
    test_http_loopback();
    test_http_container_hosts();
    test_http_other_hosts();
    test_userinfo_is_not_the_host();
    test_garbage();
    test_long_host_is_cut_in_the_message();
    return tap_done();
}
