#!/usr/bin/env python3
"""Writes the billing-export fixtures under tests/fixtures/billing/ (deterministic; rerun after a
change and commit the output). Needs pyarrow (scripts/test installs it into the test venv):

    ~/.cache/logplan/venv/bin/python scripts/make-billing-fixtures.py

Column lists follow AWS's published tables: CUR 2.0 ("Cost and Usage Report (CUR) 2.0" in the
AWS Data Exports table dictionary: bill, cost category, discount, identity, line item, pricing,
product, reservation, resource tags, savings plan and split line item columns; maps are
map<string,string>, costs and amounts double, dates timestamps) and FOCUS 1.2 with AWS columns
(the 57 FOCUS columns plus x_Discounts, x_Operation, x_ServiceCode, in the order of the
Data Exports FOCUS_1_2_AWS query). Values not used by logplan are null.

The month is October 2026, payer 999999999999, usage accounts 111111111111 and 222222222222
(in the tests' snapshot) and 333333333333 (not in it). Each figure is chosen so the tests can
derive their expectations by hand; see tests/export.rs.
"""

import datetime as dt
import gzip
import io
import json
import os
import sys

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

ROOT = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "billing")
PAYER = "999999999999"
A, B, C = "111111111111", "222222222222", "333333333333"
OCT = dt.datetime(2026, 10, 1)
NOV = dt.datetime(2026, 11, 1)
SEP = dt.datetime(2026, 9, 1)


def arn(account, region, name):
    return f"arn:aws:logs:{region}:{account}:log-group:{name}"


# (account, product, usage type, operation, region, resource id, unit, [(amount, cost)] per day,
#  line type, tags)
LINES = [
    # /app/api: 30 GB ingested at $0.50 = $15.00 over three days (5.1 + 4.7 + 5.2), 6 GB-Mo
    # stored at $0.03 = $0.18.
    (A, "AmazonCloudWatch", "USE1-DataProcessing-Bytes", "PutLogEvents", "us-east-1",
     arn(A, "us-east-1", "/app/api"), "GB", [(10.2, 5.1), (9.4, 4.7), (10.4, 5.2)], "Usage",
     {"user_team": "platform", "user_cost_center": "cc-100"}),
    (A, "AmazonCloudWatch", "USE1-TimedStorage-ByteHrs", "HourlyStorageMetering", "us-east-1",
     arn(A, "us-east-1", "/app/api"), "GB-Mo", [(6.0, 0.18)], "Usage",
     {"user_team": "platform", "user_cost_center": "cc-100"}),
    # aws-waf-logs-prod: 50 GB of vended WAF logs at $0.50 = $25.00.
    (A, "AmazonCloudWatch", "USE1-VendedLog-Bytes-WAFLogs", "PutLogEvents", "us-east-1",
     arn(A, "us-east-1", "aws-waf-logs-prod") + ":*", "GB", [(25.0, 12.5), (25.0, 12.5)],
     "Usage", {"user_team": "security"}),
    # /app/web in eu-west-1: 10 GB at $0.57 = $5.70.
    (A, "AmazonCloudWatch", "EU-DataProcessing-Bytes", "PutLogEvents", "eu-west-1",
     arn(A, "eu-west-1", "/app/web"), "GB", [(10.0, 5.7)], "Usage", {"user_team": "platform"}),
    # /b/service in account B, untagged: 20 GB = $10.00.
    (B, "AmazonCloudWatch", "USE1-DataProcessing-Bytes", "PutLogEvents", "us-east-1",
     arn(B, "us-east-1", "/b/service"), "GB", [(20.0, 10.0)], "Usage", {}),
    # /app/orphan: billed, not in the snapshot: 5 GB = $2.50.
    (A, "AmazonCloudWatch", "USE1-DataProcessing-Bytes", "PutLogEvents", "us-east-1",
     arn(A, "us-east-1", "/app/orphan"), "GB", [(5.0, 2.5)], "Usage", {"user_team": "data"}),
    # Account C, not in the snapshot: 8 GB = $4.00.
    (C, "AmazonCloudWatch", "USE1-DataProcessing-Bytes", "PutLogEvents", "us-east-1",
     arn(C, "us-east-1", "/other/x"), "GB", [(8.0, 4.0)], "Usage", {}),
    # Account-wide lines of account A: internet egress 100 GB = $9.00, the forwarder's Lambda
    # (2 M requests = $0.40, 1,000 GB-s = $0.0133334), CloudWatch metrics (unmapped, $1.20).
    (A, "AWSDataTransfer", "USE1-DataTransfer-Out-Bytes", "", "us-east-1", "", "GB",
     [(100.0, 9.0)], "Usage", {}),
    (A, "AWSLambda", "USE1-Request-ARM", "Invoke", "us-east-1",
     f"arn:aws:lambda:us-east-1:{A}:function:datadog-forwarder", "Requests",
     [(2000000.0, 0.4)], "Usage", {}),
    (A, "AWSLambda", "USE1-Lambda-GB-Second-ARM", "Invoke", "us-east-1",
     f"arn:aws:lambda:us-east-1:{A}:function:datadog-forwarder", "Lambda-GB-Second",
     [(1000.0, 0.0133334)], "Usage", {}),
    (A, "AmazonCloudWatch", "USE1-CW:GMD-Metrics", "GetMetricData", "us-east-1", "",
     "Metrics", [(120000.0, 1.2)], "Usage", {}),
    # Lines logplan never reads: S3's egress and EC2 instances.
    (A, "AmazonS3", "USE1-DataTransfer-Out-Bytes", "GetObject", "us-east-1", "bucket-a",
     "GB", [(500.0, 45.0)], "Usage", {}),
    (A, "AmazonEC2", "USE1-BoxUsage:m5.large", "RunInstances", "us-east-1", "i-0abc", "Hrs",
     [(744.0, 71.42)], "Usage", {}),
    # Credits, refunds and tax on CloudWatch: never usage.
    (A, "AmazonCloudWatch", "USE1-DataProcessing-Bytes", "", "us-east-1", "", "GB",
     [(0.0, -5.0)], "Credit", {}),
    (A, "AmazonCloudWatch", "USE1-DataProcessing-Bytes", "", "us-east-1", "", "GB",
     [(0.0, -1.0)], "Refund", {}),
    (A, "AmazonCloudWatch", "", "", "us-east-1", "", "", [(0.0, 2.0)], "Tax", {}),
]

# The CUR 2.0 columns, in the table dictionary's groups.
CUR2_COLUMNS = [
    ("bill_bill_type", "s"), ("bill_billing_entity", "s"), ("bill_billing_period_end_date", "t"),
    ("bill_billing_period_start_date", "t"), ("bill_invoice_id", "s"),
    ("bill_invoicing_entity", "s"), ("bill_payer_account_id", "s"),
    ("bill_payer_account_name", "s"),
    ("capacity_reservation_capacity_reservation_arn", "s"),
    ("capacity_reservation_capacity_reservation_status", "s"),
    ("capacity_reservation_capacity_reservation_type", "s"),
    ("cost_category", "m"), ("discount", "m"), ("discount_bundled_discount", "d"),
    ("discount_total_discount", "d"), ("identity_line_item_id", "s"),
    ("identity_time_interval", "s"), ("line_item_availability_zone", "s"),
    ("line_item_blended_cost", "d"), ("line_item_blended_rate", "s"),
    ("line_item_currency_code", "s"), ("line_item_legal_entity", "s"),
    ("line_item_line_item_description", "s"), ("line_item_line_item_type", "s"),
    ("line_item_net_unblended_cost", "d"), ("line_item_net_unblended_rate", "s"),
    ("line_item_normalization_factor", "d"), ("line_item_normalized_usage_amount", "d"),
    ("line_item_operation", "s"), ("line_item_product_code", "s"),
    ("line_item_resource_id", "s"), ("line_item_tax_type", "s"),
    ("line_item_unblended_cost", "d"), ("line_item_unblended_rate", "s"),
    ("line_item_usage_account_id", "s"), ("line_item_usage_account_name", "s"),
    ("line_item_usage_amount", "d"), ("line_item_usage_end_date", "t"),
    ("line_item_usage_start_date", "t"), ("line_item_usage_type", "s"),
    ("pricing_currency", "s"), ("pricing_lease_contract_length", "s"),
    ("pricing_offering_class", "s"), ("pricing_public_on_demand_cost", "d"),
    ("pricing_public_on_demand_rate", "s"), ("pricing_purchase_option", "s"),
    ("pricing_rate_code", "s"), ("pricing_rate_id", "s"), ("pricing_term", "s"),
    ("pricing_unit", "s"), ("product", "m"), ("product_comment", "s"),
    ("product_fee_code", "s"), ("product_fee_description", "s"),
    ("product_from_location", "s"), ("product_from_location_type", "s"),
    ("product_from_region_code", "s"), ("product_instance_family", "s"),
    ("product_instance_type", "s"), ("product_instancesku", "s"), ("product_location", "s"),
    ("product_location_type", "s"), ("product_operation", "s"),
    ("product_pricing_unit", "s"), ("product_product_family", "s"),
    ("product_region_code", "s"), ("product_servicecode", "s"), ("product_sku", "s"),
    ("product_to_location", "s"), ("product_to_location_type", "s"),
    ("product_to_region_code", "s"), ("product_usagetype", "s"),
    ("reservation_amortized_upfront_cost_for_usage", "d"),
    ("reservation_amortized_upfront_fee_for_billing_period", "d"),
    ("reservation_availability_zone", "s"), ("reservation_effective_cost", "d"),
    ("reservation_end_time", "s"), ("reservation_modification_status", "s"),
    ("reservation_net_amortized_upfront_cost_for_usage", "d"),
    ("reservation_net_amortized_upfront_fee_for_billing_period", "d"),
    ("reservation_net_effective_cost", "d"), ("reservation_net_recurring_fee_for_usage", "d"),
    ("reservation_net_unused_amortized_upfront_fee_for_billing_period", "d"),
    ("reservation_net_unused_recurring_fee", "d"), ("reservation_net_upfront_value", "d"),
    ("reservation_normalized_units_per_reservation", "s"),
    ("reservation_number_of_reservations", "s"), ("reservation_recurring_fee_for_usage", "d"),
    ("reservation_reservation_a_r_n", "s"), ("reservation_start_time", "s"),
    ("reservation_subscription_id", "s"), ("reservation_total_reserved_normalized_units", "s"),
    ("reservation_total_reserved_units", "s"), ("reservation_units_per_reservation", "s"),
    ("reservation_unused_amortized_upfront_fee_for_billing_period", "d"),
    ("reservation_unused_normalized_unit_quantity", "d"),
    ("reservation_unused_quantity", "d"), ("reservation_unused_recurring_fee", "d"),
    ("reservation_upfront_value", "d"), ("resource_tags", "m"),
    ("savings_plan_amortized_upfront_commitment_for_billing_period", "d"),
    ("savings_plan_end_time", "s"), ("savings_plan_instance_type_family", "s"),
    ("savings_plan_net_amortized_upfront_commitment_for_billing_period", "d"),
    ("savings_plan_net_recurring_commitment_for_billing_period", "d"),
    ("savings_plan_net_savings_plan_effective_cost", "d"),
    ("savings_plan_offering_type", "s"), ("savings_plan_payment_option", "s"),
    ("savings_plan_purchase_term", "s"),
    ("savings_plan_recurring_commitment_for_billing_period", "d"),
    ("savings_plan_region", "s"), ("savings_plan_savings_plan_a_r_n", "s"),
    ("savings_plan_savings_plan_effective_cost", "d"),
    ("savings_plan_savings_plan_rate", "d"), ("savings_plan_start_time", "s"),
    ("savings_plan_total_commitment_to_date", "d"), ("savings_plan_used_commitment", "d"),
    ("split_line_item_actual_usage", "d"), ("split_line_item_net_split_cost", "d"),
    ("split_line_item_net_unused_cost", "d"), ("split_line_item_parent_resource_id", "s"),
    ("split_line_item_public_on_demand_split_cost", "d"),
    ("split_line_item_public_on_demand_unused_cost", "d"),
    ("split_line_item_reserved_usage", "d"), ("split_line_item_split_cost", "d"),
    ("split_line_item_split_usage", "d"), ("split_line_item_split_usage_ratio", "d"),
    ("split_line_item_unused_cost", "d"),
]

TYPES = {
    "s": pa.string(),
    "d": pa.float64(),
    "t": pa.timestamp("ms"),
    "m": pa.map_(pa.string(), pa.string()),
}


def cur2_rows(payer=PAYER, start=OCT, end=NOV):
    rows = []
    n = 0
    for (acct, product, ut, op, region, rid, unit, days, line_type, tags) in LINES:
        for day, (amount, cost) in enumerate(days):
            n += 1
            usage_start = start + dt.timedelta(days=day)
            r = {name: None for name, _ in CUR2_COLUMNS}
            net = round(cost * 0.95, 10) if line_type == "Usage" else cost
            r.update({
                "bill_bill_type": "Anniversary",
                "bill_billing_entity": "AWS",
                "bill_billing_period_start_date": start,
                "bill_billing_period_end_date": end,
                "bill_invoicing_entity": "Amazon Web Services, Inc.",
                "bill_payer_account_id": payer,
                "identity_line_item_id": f"line-{n:05d}",
                "identity_time_interval": f"{usage_start:%Y-%m-%dT%H:%M:%SZ}/"
                                          f"{usage_start + dt.timedelta(days=1):%Y-%m-%dT%H:%M:%SZ}",
                "line_item_currency_code": "USD",
                "line_item_line_item_type": line_type,
                "line_item_unblended_cost": cost,
                "line_item_net_unblended_cost": net,
                "line_item_operation": op,
                "line_item_product_code": product,
                "line_item_resource_id": rid or None,
                "line_item_usage_account_id": acct,
                "line_item_usage_amount": amount,
                "line_item_usage_start_date": usage_start,
                "line_item_usage_end_date": usage_start + dt.timedelta(days=1),
                "line_item_usage_type": ut,
                "pricing_unit": unit,
                "pricing_currency": "USD",
                "product_region_code": region,
                "product_servicecode": product,
                "product": [("product_name", product)],
                "resource_tags": sorted(tags.items()),
                "cost_category": [],
                "discount": [],
            })
            rows.append(r)
    return rows


def cur2_table(rows, drop=()):
    cols = [(n, t) for n, t in CUR2_COLUMNS if n not in drop]
    schema = pa.schema([(n, TYPES[t]) for n, t in cols])
    return pa.Table.from_pylist([{n: r[n] for n, _ in cols} for r in rows], schema=schema)


def write_parquet(table, *parts):
    path = os.path.join(ROOT, *parts)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    pq.write_table(table, path, compression="snappy")


def write_csv_gz(table, *parts):
    # CSV exports write map columns as JSON objects.
    cols = {}
    for name in table.column_names:
        col = table.column(name)
        if pa.types.is_map(col.type):
            cols[name] = pa.array(
                [json.dumps(dict(v)) if v is not None else None for v in col.to_pylist()],
                pa.string(),
            )
        elif pa.types.is_timestamp(col.type):
            cols[name] = pa.array(
                [v.strftime("%Y-%m-%dT%H:%M:%S.000Z") if v else None for v in col.to_pylist()],
                pa.string(),
            )
        else:
            cols[name] = col
    buf = io.BytesIO()
    pacsv.write_csv(pa.table(cols), buf)
    path = os.path.join(ROOT, *parts)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        # mtime 0: the same bytes on every run.
        with gzip.GzipFile(fileobj=f, mode="wb", mtime=0) as gz:
            gz.write(buf.getvalue())


FOCUS_COLUMNS = [
    ("AvailabilityZone", "s"), ("BilledCost", "d"), ("BillingAccountId", "s"),
    ("BillingAccountName", "s"), ("BillingAccountType", "s"), ("BillingCurrency", "s"),
    ("BillingPeriodEnd", "t"), ("BillingPeriodStart", "t"), ("CapacityReservationId", "s"),
    ("CapacityReservationStatus", "s"), ("ChargeCategory", "s"), ("ChargeClass", "s"),
    ("ChargeDescription", "s"), ("ChargeFrequency", "s"), ("ChargePeriodEnd", "t"),
    ("ChargePeriodStart", "t"), ("CommitmentDiscountCategory", "s"),
    ("CommitmentDiscountId", "s"), ("CommitmentDiscountName", "s"),
    ("CommitmentDiscountQuantity", "d"), ("CommitmentDiscountStatus", "s"),
    ("CommitmentDiscountType", "s"), ("CommitmentDiscountUnit", "s"),
    ("ConsumedQuantity", "d"), ("ConsumedUnit", "s"), ("ContractedCost", "d"),
    ("ContractedUnitPrice", "d"), ("EffectiveCost", "d"), ("InvoiceId", "s"),
    ("InvoiceIssuerName", "s"), ("ListCost", "d"), ("ListUnitPrice", "d"),
    ("PricingCategory", "s"), ("PricingCurrency", "s"),
    ("PricingCurrencyContractedUnitPrice", "d"), ("PricingCurrencyEffectiveCost", "d"),
    ("PricingCurrencyListUnitPrice", "d"), ("PricingQuantity", "d"), ("PricingUnit", "s"),
    ("ProviderName", "s"), ("PublisherName", "s"), ("RegionId", "s"), ("RegionName", "s"),
    ("ResourceId", "s"), ("ResourceName", "s"), ("ResourceType", "s"),
    ("ServiceCategory", "s"), ("ServiceName", "s"), ("ServiceSubcategory", "s"),
    ("SkuId", "s"), ("SkuMeter", "s"), ("SkuPriceDetails", "m"), ("SkuPriceId", "s"),
    ("SubAccountId", "s"), ("SubAccountName", "s"), ("SubAccountType", "s"), ("Tags", "m"),
    ("x_Discounts", "m"), ("x_Operation", "s"), ("x_ServiceCode", "s"),
]

CATEGORY = {"Usage": "Usage", "Credit": "Credit", "Refund": "Adjustment", "Tax": "Tax"}


def focus_rows():
    rows = []
    for (acct, product, ut, op, region, rid, unit, days, line_type, tags) in LINES:
        for day, (amount, cost) in enumerate(days):
            start = OCT + dt.timedelta(days=day)
            r = {name: None for name, _ in FOCUS_COLUMNS}
            category = CATEGORY[line_type]
            r.update({
                "BilledCost": cost,
                "EffectiveCost": round(cost * 0.95, 10) if category == "Usage" else cost,
                "ListCost": cost,
                "ContractedCost": cost,
                "BillingAccountId": PAYER,
                "BillingAccountType": "Billing Account",
                "BillingCurrency": "USD",
                "BillingPeriodStart": OCT,
                "BillingPeriodEnd": NOV,
                "ChargeCategory": category,
                "ChargeFrequency": "Usage-Based",
                "ChargePeriodStart": start,
                "ChargePeriodEnd": start + dt.timedelta(days=1),
                "ConsumedQuantity": amount if category == "Usage" else None,
                "ConsumedUnit": unit if category == "Usage" else None,
                "InvoiceIssuerName": "Amazon Web Services, Inc.",
                "PricingCurrency": "USD",
                "ProviderName": "AWS",
                "PublisherName": "AWS",
                "RegionId": region,
                "ResourceId": rid or None,
                "ServiceName": product,
                "SkuMeter": ut or None,
                "SubAccountId": acct,
                "SubAccountType": "Linked Account",
                # FOCUS tags carry the user: prefix of cost allocation tags.
                "Tags": sorted((("user:" + k[len("user_"):].replace("_", "-")), v)
                               for k, v in tags.items()),
                "SkuPriceDetails": [],
                "x_Discounts": [],
                "x_Operation": op,
                "x_ServiceCode": product,
            })
            rows.append(r)
    return rows


def focus_table(rows, columns=FOCUS_COLUMNS):
    schema = pa.schema([(n, TYPES[t]) for n, t in columns])
    return pa.Table.from_pylist([{n: r.get(n) for n, _ in columns} for r in rows], schema=schema)


def main():
    rows = cur2_rows()
    # The export as Data Exports writes it: data/BILLING_PERIOD=YYYY-MM/<name>-0000N.snappy.parquet,
    # the month split over two files (and September's beside it, never read for October).
    half = len(rows) // 2
    base = ("cur2", "logplan-cur2", "data")
    write_parquet(cur2_table(rows[:half]), *base, "BILLING_PERIOD=2026-10",
                  "logplan-cur2-00001.snappy.parquet")
    write_parquet(cur2_table(rows[half:]), *base, "BILLING_PERIOD=2026-10",
                  "logplan-cur2-00002.snappy.parquet")
    write_parquet(cur2_table(cur2_rows(start=SEP, end=OCT)[:3]), *base,
                  "BILLING_PERIOD=2026-09", "logplan-cur2-00001.snappy.parquet")
    # The same month as gzip CSV.
    write_csv_gz(cur2_table(rows), "cur2-csv", "BILLING_PERIOD=2026-10", "logplan-cur2-00001.csv.gz")
    # Legacy tag columns instead of the map.
    legacy = cur2_table(rows, drop=("resource_tags",))
    legacy = legacy.append_column(
        "resource_tags_user_team",
        pa.array([dict(r["resource_tags"]).get("user_team") for r in rows], pa.string()),
    )
    write_parquet(legacy, "cur2-legacy-tags", "cur.parquet")
    # Bad inputs: a missing column, another month outside its folder, another payer.
    write_parquet(cur2_table(rows, drop=("line_item_usage_type",)), "bad", "missing-column",
                  "cur.parquet")
    write_parquet(cur2_table(cur2_rows(start=SEP, end=OCT)), "bad", "other-month", "cur.parquet")
    write_parquet(cur2_table(rows[:4]), "bad", "two-payers", "a.parquet")
    write_parquet(cur2_table(cur2_rows(payer="888888888888")[:4]), "bad", "two-payers",
                  "b.parquet")
    # FOCUS 1.2, and a FOCUS 1.0 file (x_UsageType, no SkuMeter / 1.2 columns).
    write_parquet(focus_table(focus_rows()), "focus", "data", "BILLING_PERIOD=2026-10",
                  "logplan-focus-00001.snappy.parquet")
    v10 = [(n, t) for n, t in FOCUS_COLUMNS if n not in (
        "BillingAccountType", "SubAccountType", "InvoiceId", "PricingCurrency",
        "PricingCurrencyContractedUnitPrice", "PricingCurrencyEffectiveCost",
        "PricingCurrencyListUnitPrice", "CapacityReservationId", "CapacityReservationStatus",
        "CommitmentDiscountQuantity", "CommitmentDiscountUnit", "ServiceSubcategory", "SkuMeter",
        "SkuPriceDetails")] + [("x_UsageType", "s"), ("x_CostCategories", "m")]
    old = focus_rows()
    for r in old:
        r["x_UsageType"] = r["SkuMeter"]
        r["x_CostCategories"] = []
    write_parquet(focus_table(old, v10), "bad", "focus-1.0", "focus.parquet")
    print(f"wrote fixtures under {os.path.normpath(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
