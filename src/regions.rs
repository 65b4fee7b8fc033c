//! The AWS regions logplan knows. An unknown name is an error rather than a silent request to a
//! region that does not exist (which would fail later with a less helpful DNS error).

/// Commercial, GovCloud and China regions, as of the price book's effective date.
pub const KNOWN: &[&str] = &[
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-south-1",
    "eu-south-2",
    "eu-north-1",
    "il-central-1",
    "me-south-1",
    "me-central-1",
    "mx-central-1",
    "sa-east-1",
    "us-gov-east-1",
    "us-gov-west-1",
    "cn-north-1",
    "cn-northwest-1",
];

pub fn is_known(region: &str) -> bool {
    KNOWN.contains(&region)
}

/// Check a user-given region name; the error says what was expected.
pub fn check(region: &str) -> crate::error::Result<()> {
    if is_known(region) {
        Ok(())
    } else {
        Err(crate::error::Error::Usage(format!(
            "unknown region {region:?}: expected an AWS region code such as us-east-1 or eu-west-1"
        )))
    }
}
