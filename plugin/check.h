/*
 * check.h - what a run checks, once the endpoint and credentials are
 * known: one table (by ARN, or by bucket, namespace and name through
 * GetTable), every table of a bucket (ListTables, then their job
 * statuses concurrently), or the listing alone (--list-tables).
 *
 * Each writes the plugin's whole output into out and returns the exit
 * state. The deadline (deadline.h) bounds them; its step names the call
 * that was running.
 */
#ifndef CHECK_H
#define CHECK_H

#include <stdio.h>

#include "api.h"
#include "buf.h"
#include "options.h"
#include "state.h"

/* MODE_TABLE_ARN and MODE_TABLE_NAME. */
enum state check_table(const struct api_context *api, const struct config *cfg, struct buf *out);

/* MODE_BUCKET. */
enum state check_bucket(const struct api_context *api, const struct config *cfg, struct buf *out);

/* MODE_LIST: {"namespace":…,"name":…,"tableARN":…} lines, or one UNKNOWN line. */
enum state check_list(const struct api_context *api, const struct config *cfg, struct buf *out);

#endif
