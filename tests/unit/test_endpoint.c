/*
 * test_endpoint.c - the endpoint of every case in the service's own
 * endpoint-tests-1.json, read in place from the shared folder, and the
 * partition of every region partitions.json lists.
 */
#include "config.h"

#include "endpoint.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <json-c/json.h>

static json_object *
load_json(const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/aws-model/%s", tap_shared_dir(), name);
    char *text = tap_slurp(path, NULL);
    if (text == NULL)
        return NULL;
    json_object *root = json_tokener_parse(text);
    free(text);
    if (root == NULL)
        tap_diag("%s: not valid JSON", path);
    return root;
}

/* A member's string, NULL when absent or not a string. */
static const char *
member_string(json_object *obj, const char *name)
{
    json_object *v;
    if (obj == NULL || !json_object_object_get_ex(obj, name, &v) ||
        !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

static bool
member_bool(json_object *obj, const char *name)
{
    json_object *v;
    return obj != NULL && json_object_object_get_ex(obj, name, &v) && json_object_get_boolean(v);
}

static json_object *
member(json_object *obj, const char *name)
{
    json_object *v;
    return obj != NULL && json_object_object_get_ex(obj, name, &v) ? v : NULL;
}

static void
run_endpoint_case(json_object *tc)
{
    const char *doc = member_string(tc, "documentation");
    json_object *params = member(tc, "params");
    json_object *expect = member(tc, "expect");
    struct endpoint_params p = {
        .region = member_string(params, "Region"),
        .endpoint = member_string(params, "Endpoint"),
        .use_fips = member_bool(params, "UseFIPS"),
        .use_dualstack = member_bool(params, "UseDualStack"),
    };
    const char *want_url = member_string(member(expect, "endpoint"), "url");
    const char *want_error = member_string(expect, "error");
    char url[1024] = "", err[512] = "";

    if (doc == NULL)
        doc = "(undocumented case)";
    int rc = endpoint_resolve(&p, url, sizeof url, err, sizeof err);
    if (want_url != NULL) {
        if (rc != 0)
            tap_diag("unexpected error: %s", err);
        tap_is_str(rc == 0 ? url : NULL, want_url, "%s", doc);
    } else if (want_error != NULL) {
        if (rc == 0)
            tap_diag("unexpected endpoint: %s", url);
        tap_is_str(rc != 0 ? err : NULL, want_error, "%s", doc);
    } else {
        tap_ok(false, "%s: the case expects neither an endpoint nor an error", doc);
    }
}

static void
test_endpoint_rules(void)
{
    json_object *root = load_json("endpoint-tests-1.json");
    json_object *cases = member(root, "testCases");
    if (!tap_ok(cases != NULL && json_object_is_type(cases, json_type_array),
                "endpoint-tests-1.json has a testCases array")) {
        json_object_put(root);
        return;
    }
    size_t n = json_object_array_length(cases);
    for (size_t i = 0; i < n; i++)
        run_endpoint_case(json_object_array_get_idx(cases, i));
    tap_diag("ran %zu endpoint test cases from endpoint-tests-1.json", n);
    tap_ok(n > 0, "endpoint-tests-1.json has at least one case");
    json_object_put(root);
}

/* The partition's attributes the endpoint rules read, as partitions.json says. */
static void
check_partition_outputs(const char *id, const char *region, json_object *outputs)
{
    const struct partition *part = endpoint_partition(region);
    tap_is_str(part->dns_suffix, member_string(outputs, "dnsSuffix"), "partition %s: dnsSuffix",
               id);
    tap_is_str(part->dualstack_dns_suffix, member_string(outputs, "dualStackDnsSuffix"),
               "partition %s: dualStackDnsSuffix", id);
    tap_ok(part->supports_fips == member_bool(outputs, "supportsFIPS"),
           "partition %s: supportsFIPS", id);
    tap_ok(part->supports_dualstack == member_bool(outputs, "supportsDualStack"),
           "partition %s: supportsDualStack", id);
}

static void
test_listed_regions(void)
{
    json_object *root = load_json("partitions.json");
    json_object *partitions = member(root, "partitions");
    if (!tap_ok(partitions != NULL && json_object_is_type(partitions, json_type_array),
                "partitions.json has a partitions array")) {
        json_object_put(root);
        return;
    }
    size_t regions = 0;
    for (size_t i = 0; i < json_object_array_length(partitions); i++) {
        json_object *p = json_object_array_get_idx(partitions, i);
        const char *id = member_string(p, "id");
        const char *first = NULL;
        json_object_object_foreach(member(p, "regions"), region, value)
        {
            (void)value;
            tap_is_str(endpoint_partition(region)->id, id, "region %s is in partition %s", region,
                       id);
            if (first == NULL)
                first = region;
            regions++;
        }
        if (first != NULL)
            check_partition_outputs(id, first, member(p, "outputs"));
    }
    tap_diag("checked %zu regions listed in partitions.json", regions);
    json_object_put(root);
}

static void
check_partition(const char *region, const char *want)
{
    tap_is_str(endpoint_partition(region)->id, want, "region %s maps to %s", region, want);
}

static void
test_regex_only_regions(void)
{
    check_partition("us-west-9", "aws");
    check_partition("ap-southeast-99", "aws");
    check_partition("mx-south-2", "aws");
    check_partition("cn-south-5", "aws-cn");
    check_partition("us-gov-central-1", "aws-us-gov");
    check_partition("us-iso-north-7", "aws-iso");
    check_partition("us-isob-south-1", "aws-iso-b");
    check_partition("eu-isoe-south-3", "aws-iso-e");
    check_partition("us-isof-west-2", "aws-iso-f");
    check_partition("eusc-de-west-1", "aws-eusc");
    /* None of the regexes: the rules fall back to "aws". */
    check_partition("xx-unknown-1", "aws");
    check_partition("eusc-fr-west-1", "aws");
    check_partition("us-east", "aws");
}

static void
check_resolve(const char *region, bool fips, bool dualstack, const char *want)
{
    struct endpoint_params p = {region, NULL, fips, dualstack};
    char url[1024] = "", err[512] = "";
    int rc = endpoint_resolve(&p, url, sizeof url, err, sizeof err);
    if (rc != 0)
        tap_diag("unexpected error: %s", err);
    tap_is_str(rc == 0 ? url : NULL, want, "%s%s%s resolves to %s", region, fips ? " fips" : "",
               dualstack ? " dualstack" : "", want);
}

static void
test_other_partitions(void)
{
    check_resolve("eusc-de-east-1", false, false, "https://s3tables.eusc-de-east-1.amazonaws.eu");
    check_resolve("eusc-de-east-1", true, true,
                  "https://s3tables-fips.eusc-de-east-1.api.amazonwebservices.eu");
    check_resolve("eu-isoe-west-1", false, false, "https://s3tables.eu-isoe-west-1.cloud.adc-e.uk");
    check_resolve("us-isof-south-1", false, true,
                  "https://s3tables.us-isof-south-1.api.aws.hci.ic.gov");
    check_resolve("us-isob-east-1", false, true, "https://s3tables.us-isob-east-1.api.aws.scloud");

    struct endpoint_params empty = {"", NULL, false, false};
    char url[1024] = "", err[512] = "";
    int rc = endpoint_resolve(&empty, url, sizeof url, err, sizeof err);
    tap_is_str(rc != 0 ? err : NULL, "Invalid Configuration: Missing Region",
               "an empty region counts as unset");
}

int
main(void)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/aws-model", tap_shared_dir());
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
        return tap_skip_all("../shared/aws-model not found (set S3TABLES_SHARED_DIR)");

    test_endpoint_rules();
    test_listed_regions();
    test_regex_only_regions();
    test_other_partitions();
    return tap_done();
}
