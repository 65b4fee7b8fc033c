//! Cost Explorer usage types, mapped to the model's components. A usage type is
//! `<REGION>-<Feature>` (`USE1-DataProcessing-Bytes`, `EU-TimedStorage-ByteHrs`); us-east-1 rows
//! sometimes carry no prefix. Region codes follow AWS's "Region billing codes" table. A usage
//! type the map does not know is reported as unmapped with its cost, never dropped.

use rust_decimal::Decimal;

use crate::model::Component;

/// AWS billing region codes (docs.aws.amazon.com/global-infrastructure/latest/regions/
/// aws-region-billing-codes.html). eu-west-1 is `EU`; some inter-region usage types write it
/// `EUW1`, accepted too.
pub const REGION_CODES: &[(&str, &str)] = &[
    ("USE1", "us-east-1"),
    ("USE2", "us-east-2"),
    ("USW1", "us-west-1"),
    ("USW2", "us-west-2"),
    ("CAN1", "ca-central-1"),
    ("CAN2", "ca-west-1"),
    ("MXC1", "mx-central-1"),
    ("AFS1", "af-south-1"),
    ("APE1", "ap-east-1"),
    ("APE2", "ap-east-2"),
    ("APN1", "ap-northeast-1"),
    ("APN2", "ap-northeast-2"),
    ("APN3", "ap-northeast-3"),
    ("APS1", "ap-southeast-1"),
    ("APS2", "ap-southeast-2"),
    ("APS3", "ap-south-1"),
    ("APS4", "ap-southeast-3"),
    ("APS5", "ap-south-2"),
    ("APS6", "ap-southeast-4"),
    ("APS7", "ap-southeast-5"),
    ("APS8", "ap-southeast-6"),
    ("APS9", "ap-southeast-7"),
    ("EU", "eu-west-1"),
    ("EUW1", "eu-west-1"),
    ("EUW2", "eu-west-2"),
    ("EUW3", "eu-west-3"),
    ("EUC1", "eu-central-1"),
    ("EUC2", "eu-central-2"),
    ("EUN1", "eu-north-1"),
    ("EUS1", "eu-south-1"),
    ("EUS2", "eu-south-2"),
    ("ILC1", "il-central-1"),
    ("MEC1", "me-central-1"),
    ("MES1", "me-south-1"),
    ("SAE1", "sa-east-1"),
    ("UGE1", "us-gov-east-1"),
    ("UGW1", "us-gov-west-1"),
    ("CNN1", "cn-north-1"),
    ("CNW1", "cn-northwest-1"),
];

/// How a billed quantity converts to the model's unit for the component.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Conversion {
    /// Cost Explorer reports GB (GiB, as AWS bills); `Bytes` if it says so.
    Gigabytes,
    /// Storage: byte-hours, to GB-months of the billed month (unless the unit already says
    /// GB-Mo).
    ByteHoursToGbMonths,
    /// Lambda requests, to millions.
    Millions,
    /// Already in the model's unit (GB-seconds, hours).
    AsIs,
}

/// What a usage type is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UsageType {
    /// The usage type as billed.
    pub usage_type: String,
    /// The region its prefix names (no prefix: us-east-1).
    pub region: String,
    /// The part after the region prefix.
    pub feature: String,
    /// The model's component, when the map knows it.
    pub component: Option<Component>,
    pub conversion: Conversion,
    /// For an unmapped usage type: what it is, when known.
    pub note: Option<&'static str>,
}

/// Split a usage type into region and feature. Only codes of the table count as a prefix, so
/// `Request-ARM` or `CW:GMD-Metrics` are features of us-east-1, not a region "Request".
pub fn split(usage_type: &str) -> (String, String) {
    if let Some((head, rest)) = usage_type.split_once('-')
        && let Some((_, region)) = REGION_CODES.iter().find(|(code, _)| *code == head)
        && !rest.is_empty()
    {
        return (region.to_string(), rest.to_string());
    }
    ("us-east-1".to_string(), usage_type.to_string())
}

/// Map a usage type to a component.
pub fn classify(usage_type: &str) -> UsageType {
    use Component as C;
    let (region, feature) = split(usage_type);
    let f = feature.as_str();
    let (component, conversion) = match f {
        "DataProcessing-Bytes" => (Some(C::CloudwatchIngest), Conversion::Gigabytes),
        "DataProcessingIA-Bytes" => (Some(C::CloudwatchIngestIa), Conversion::Gigabytes),
        _ if f.starts_with("VendedLog-Bytes") => (Some(C::VendedIngest), Conversion::Gigabytes),
        _ if f.starts_with("VendedLogIA-Bytes") => (Some(C::VendedIngestIa), Conversion::Gigabytes),
        "TimedStorage-ByteHrs" => (Some(C::Storage), Conversion::ByteHoursToGbMonths),
        "DataScanned-Bytes" => (Some(C::InsightsScan), Conversion::Gigabytes),
        "DataTransfer-Out-Bytes" => (Some(C::EgressInternet), Conversion::Gigabytes),
        "Request" | "Request-ARM" => (Some(C::LambdaRequests), Conversion::Millions),
        "Lambda-GB-Second" | "Lambda-GB-Second-ARM" => (Some(C::LambdaDuration), Conversion::AsIs),
        "BilledBytes" => (Some(C::FirehoseIngest), Conversion::Gigabytes),
        "FH-Egress-Bytes" => (Some(C::VendedToFirehose), Conversion::Gigabytes),
        "VpcEndpoint-Bytes" => (Some(C::PrivatelinkData), Conversion::Gigabytes),
        "VpcEndpoint-Hours" => (Some(C::PrivatelinkEndpointHours), Conversion::AsIs),
        _ => (None, Conversion::AsIs),
    };
    let note = match component {
        Some(_) => None,
        None => Some(unmapped_note(f)),
    };
    UsageType {
        usage_type: usage_type.to_string(),
        region,
        feature,
        component,
        conversion,
        note,
    }
}

/// What an unmapped usage type is, as far as logplan can tell.
fn unmapped_note(feature: &str) -> &'static str {
    if feature.starts_with("CW:") {
        "CloudWatch metrics, alarms, dashboards or API requests: not a log component"
    } else if matches!(
        feature,
        "Logs-LiveTail" | "DataProtection-Bytes" | "S3-Egress-Bytes"
    ) || feature.starts_with("Logs-")
    {
        "a CloudWatch Logs feature the model does not price"
    } else if feature.contains("-AWS-Out-Bytes")
        || feature.contains("-AWS-In-Bytes")
        || feature.starts_with("DataTransfer-")
    {
        "data transfer other than internet egress (between regions or zones, or inbound)"
    } else if feature.starts_with("Lambda-") || feature.starts_with("Request") {
        "Lambda usage the forwarder model does not include"
    } else {
        "not a usage type logplan models"
    }
}

/// A billed quantity in the model's unit. `unit` is Cost Explorer's unit for the quantity;
/// `hours_in_month` is the billed month's length (storage byte-hours over it are GB-months).
pub fn convert(
    quantity: Decimal,
    unit: &str,
    conversion: Conversion,
    hours_in_month: u32,
) -> Decimal {
    let gib = Decimal::from(1u64 << 30);
    let u = unit.to_ascii_lowercase();
    match conversion {
        Conversion::Gigabytes if u == "bytes" => quantity / gib,
        Conversion::Gigabytes | Conversion::AsIs => quantity,
        Conversion::ByteHoursToGbMonths if u.contains("gb-mo") || u.contains("gb-month") => {
            quantity
        }
        Conversion::ByteHoursToGbMonths => quantity / gib / Decimal::from(hours_in_month.max(1)),
        Conversion::Millions => quantity / Decimal::from(1_000_000),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn prefixes_name_the_region() {
        let u = classify("USE1-DataProcessing-Bytes");
        assert_eq!(
            (u.region.as_str(), u.feature.as_str()),
            ("us-east-1", "DataProcessing-Bytes")
        );
        assert_eq!(u.component, Some(Component::CloudwatchIngest));
        for (ut, region, c) in [
            (
                "EU-DataProcessingIA-Bytes",
                "eu-west-1",
                Component::CloudwatchIngestIa,
            ),
            (
                "EUC1-TimedStorage-ByteHrs",
                "eu-central-1",
                Component::Storage,
            ),
            (
                "APN1-DataScanned-Bytes",
                "ap-northeast-1",
                Component::InsightsScan,
            ),
            (
                "APN2-VendedLog-Bytes",
                "ap-northeast-2",
                Component::VendedIngest,
            ),
            (
                "APS1-VendedLog-Bytes-WAFLogs",
                "ap-southeast-1",
                Component::VendedIngest,
            ),
            (
                "USW2-VendedLogIA-Bytes",
                "us-west-2",
                Component::VendedIngestIa,
            ),
            (
                "USE2-FH-Egress-Bytes",
                "us-east-2",
                Component::VendedToFirehose,
            ),
            ("USE2-BilledBytes", "us-east-2", Component::FirehoseIngest),
            (
                "APS3-DataTransfer-Out-Bytes",
                "ap-south-1",
                Component::EgressInternet,
            ),
            ("USW2-Request-ARM", "us-west-2", Component::LambdaRequests),
            (
                "EU-Lambda-GB-Second-ARM",
                "eu-west-1",
                Component::LambdaDuration,
            ),
            (
                "USE1-VpcEndpoint-Bytes",
                "us-east-1",
                Component::PrivatelinkData,
            ),
            (
                "APN1-VpcEndpoint-Hours",
                "ap-northeast-1",
                Component::PrivatelinkEndpointHours,
            ),
        ] {
            let u = classify(ut);
            assert_eq!(u.region, region, "{ut}");
            assert_eq!(u.component, Some(c), "{ut}");
            assert_eq!(u.note, None, "{ut}");
        }
    }

    #[test]
    fn no_prefix_is_us_east_1() {
        for (ut, c) in [
            ("DataProcessing-Bytes", Component::CloudwatchIngest),
            ("TimedStorage-ByteHrs", Component::Storage),
            ("DataTransfer-Out-Bytes", Component::EgressInternet),
            ("Request", Component::LambdaRequests),
            ("Request-ARM", Component::LambdaRequests),
            ("Lambda-GB-Second", Component::LambdaDuration),
            ("VendedLog-Bytes-CFLogs", Component::VendedIngest),
        ] {
            let u = classify(ut);
            assert_eq!(u.region, "us-east-1", "{ut}");
            assert_eq!(u.feature, ut);
            assert_eq!(u.component, Some(c), "{ut}");
        }
    }

    #[test]
    fn unknown_and_non_log_usage_types_are_unmapped_with_a_note() {
        let u = classify("USE1-CW:GMD-Metrics");
        assert_eq!(u.component, None);
        assert_eq!(u.feature, "CW:GMD-Metrics");
        assert!(u.note.unwrap().contains("not a log component"));
        let u = classify("CW:GMD-Metrics");
        assert_eq!((u.region.as_str(), u.component), ("us-east-1", None));
        assert!(
            classify("USE1-Logs-LiveTail")
                .note
                .unwrap()
                .contains("does not price")
        );
        let u = classify("USE1-EUW2-AWS-Out-Bytes");
        assert_eq!(u.region, "us-east-1");
        assert_eq!(u.component, None);
        assert!(u.note.unwrap().contains("between regions"));
        let u = classify("XYZ9-Brand-New-Thing");
        assert_eq!(u.region, "us-east-1", "XYZ9 is not a region code");
        assert_eq!(u.feature, "XYZ9-Brand-New-Thing");
        assert_eq!(u.component, None);
        assert_eq!(u.note, Some("not a usage type logplan models"));
        // Look-alikes of mapped features stay unmapped.
        assert_eq!(classify("USE1-DataProcessing-Bytes-X").component, None);
        assert_eq!(classify("USE1-TimedStorageIA-ByteHrs").component, None);
        assert_eq!(classify("EU-").component, None);
    }

    #[test]
    fn quantities_convert_to_model_units() {
        let gib = Decimal::from(1u64 << 30);
        // 6 GiB held through a 31-day month: 6 GB-months.
        let byte_hours = gib * d("6") * d("744");
        assert_eq!(
            convert(byte_hours, "ByteHrs", Conversion::ByteHoursToGbMonths, 744),
            d("6")
        );
        assert_eq!(
            convert(d("6"), "GB-Mo", Conversion::ByteHoursToGbMonths, 744),
            d("6")
        );
        assert_eq!(convert(d("30"), "GB", Conversion::Gigabytes, 744), d("30"));
        assert_eq!(
            convert(gib * d("2"), "Bytes", Conversion::Gigabytes, 744),
            d("2")
        );
        assert_eq!(
            convert(d("2500000"), "Requests", Conversion::Millions, 744),
            d("2.5")
        );
        assert_eq!(
            convert(d("512"), "Lambda-GB-Second", Conversion::AsIs, 744),
            d("512")
        );
    }
}
