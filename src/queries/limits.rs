//! What the CloudWatch Logs API accepts, in one place: names, lengths, patterns and counts of
//! query definitions, their parameters and scheduled queries. Lint, the apply preflight and the
//! exports check against these; each constant names the page it was read from.
//!
//! Sources (CloudWatch Logs API reference, 2026): PutQueryDefinition (name 1-255 matching
//! `^([^:*\/]+\/?)*[^:*\/]+$`, queryString 1-10,000, logGroupNames items 1-512 matching
//! `[\.\-_/#A-Za-z0-9]+`), QueryParameter (name 1-128 matching `^[a-zA-Z_][a-zA-Z0-9_]*`,
//! defaultValue at most 1,024, description at most 512; "supported only for Logs Insights QL
//! queries"), CreateScheduledQuery (name 1-300, description at most 1,024, scheduleExpression at
//! most 256, logGroupIdentifiers 1-50 items of 1-2,048 matching `[\w#+=/:,.@-]*`,
//! executionRoleArn required, endTimeOffset non-negative and less than startTimeOffset), and
//! the CloudFormation schema of `AWS::Logs::ScheduledQuery` as cfn-lint 1.58 ships it (name
//! pattern `^[a-zA-Z0-9_\-/.#]+$`, S3 `DestinationIdentifier` pattern
//! `^s3://[a-z0-9][\.\-a-z0-9]{1,61}[a-z0-9](/.*)?`) and of `AWS::Logs::QueryDefinition`
//! (`Parameters` at most 20 items).

/// PutQueryDefinition `name`.
pub const MAX_NAME: usize = 255;
/// PutQueryDefinition / CreateScheduledQuery `queryString`.
pub const MAX_QUERY: usize = 10_000;
/// A log group name.
pub const MAX_LOG_GROUP: usize = 512;
/// QueryParameter `name`, `defaultValue`, `description`; parameters per definition.
pub const MAX_PARAMETER_NAME: usize = 128;
pub const MAX_PARAMETER_DEFAULT: usize = 1_024;
pub const MAX_PARAMETER_DESCRIPTION: usize = 512;
pub const MAX_PARAMETERS: usize = 20;
/// CreateScheduledQuery `name` (the API reference; CloudFormation's schema still says 255).
pub const MAX_SCHEDULED_NAME: usize = 300;
/// `AWS::Logs::ScheduledQuery` `Name` in the CloudFormation schema.
pub const MAX_SCHEDULED_NAME_CFN: usize = 255;
/// CreateScheduledQuery `description`.
pub const MAX_SCHEDULED_DESCRIPTION: usize = 1_024;
/// CreateScheduledQuery `scheduleExpression`.
pub const MAX_SCHEDULE_EXPRESSION: usize = 256;
/// CreateScheduledQuery `logGroupIdentifiers`.
pub const MAX_SCHEDULED_LOG_GROUPS: usize = 50;

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// A query definition name: 1-255 characters, no `:` or `*`, no leading, trailing or doubled
/// `/`.
pub fn check_definition_name(name: &str) -> Result<(), String> {
    let len = chars(name);
    if len == 0 || len > MAX_NAME {
        return Err(format!(
            "name {name:?} must be 1 to {MAX_NAME} characters (it is {len})"
        ));
    }
    if let Some(c) = name.chars().find(|c| *c == ':' || *c == '*') {
        return Err(format!(
            "name {name:?} contains {c:?}, which CloudWatch does not allow"
        ));
    }
    if name.starts_with('/') || name.ends_with('/') || name.contains("//") {
        return Err(format!(
            "name {name:?} has a leading, trailing or doubled '/'; folders are separated by single '/'"
        ));
    }
    Ok(())
}

/// A scheduled query name: 1-300 characters of letters, digits and `_ - / . #`.
pub fn check_scheduled_name(name: &str) -> Result<(), String> {
    let len = chars(name);
    if len == 0 || len > MAX_SCHEDULED_NAME {
        return Err(format!(
            "scheduled query name {name:?} must be 1 to {MAX_SCHEDULED_NAME} characters (it is {len})"
        ));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '/' | '.' | '#')))
    {
        return Err(format!(
            "scheduled query name {name:?} contains {c:?}; allowed: letters, digits and _ - / . #"
        ));
    }
    Ok(())
}

/// Log group names: `[\.\-_/#A-Za-z0-9]+`, at most 512 characters.
pub fn check_log_group(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > MAX_LOG_GROUP {
        return Err(format!(
            "log group name {name:?} must be 1 to {MAX_LOG_GROUP} characters"
        ));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '/' | '#')))
    {
        return Err(format!(
            "log group name {name:?} contains {c:?}; allowed: letters, digits and . - _ / #"
        ));
    }
    Ok(())
}

/// The query text as it is sent: 1-10,000 characters. `what` says which text (the deployed
/// text includes logplan's marker line).
pub fn check_query_text(text: &str, what: &str) -> Result<(), String> {
    let len = chars(text);
    if len == 0 {
        return Err(format!("{what} is empty"));
    }
    if len > MAX_QUERY {
        return Err(format!(
            "{what} is {len} characters; CloudWatch allows at most {MAX_QUERY}"
        ));
    }
    Ok(())
}

/// A QueryParameter name: `^[a-zA-Z_][a-zA-Z0-9_]*`, 1-128 characters.
pub fn check_parameter_name(name: &str) -> Result<(), String> {
    let mut cs = name.chars();
    let first_ok = cs
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    if !first_ok || !cs.all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(format!(
            "parameter name {name:?} must start with a letter or '_' and hold only letters, digits and '_'"
        ));
    }
    if chars(name) > MAX_PARAMETER_NAME {
        return Err(format!(
            "parameter name {name:?} is longer than {MAX_PARAMETER_NAME} characters"
        ));
    }
    Ok(())
}

/// An IAM role ARN: `arn:<partition>:iam::<12 digits>:role/<path/name>`.
pub fn check_role_arn(arn: &str, field: &str) -> Result<(), String> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let ok = parts.len() == 6
        && parts[0] == "arn"
        && parts[1].starts_with("aws")
        && parts[2] == "iam"
        && parts[3].is_empty()
        && parts[4].len() == 12
        && parts[4].bytes().all(|b| b.is_ascii_digit())
        && parts[5]
            .strip_prefix("role/")
            .is_some_and(|n| !n.is_empty());
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{field} {arn:?} is not an IAM role ARN (arn:aws:iam::123456789012:role/name)"
        ))
    }
}

/// An S3 destination: `s3://bucket[/prefix]` with a valid bucket name.
pub fn check_s3_destination(uri: &str) -> Result<(), String> {
    let Some(rest) = uri.strip_prefix("s3://") else {
        return Err(format!("destination {uri:?} must be an s3:// URI"));
    };
    let bucket = rest.split('/').next().unwrap_or("");
    let ok = (3..=63).contains(&bucket.len())
        && bucket
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
        && bucket
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        && bucket
            .bytes()
            .last()
            .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    if ok {
        Ok(())
    } else {
        Err(format!(
            "destination {uri:?}: bucket name must be 3-63 lower-case letters, digits, '.' or '-'"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definition_names_follow_the_api_pattern() {
        assert!(check_definition_name("waf/blocked-by-rule").is_ok());
        assert!(check_definition_name("aws-samples/general/25 most recent logs").is_ok());
        for bad in ["", "/a", "a/", "a//b", "a:b", "a*b", &"x".repeat(256)] {
            assert!(check_definition_name(bad).is_err(), "{bad:?}");
        }
        assert!(check_definition_name(&"x".repeat(255)).is_ok());
    }

    #[test]
    fn scheduled_names_allow_300_characters_of_a_narrower_set() {
        assert!(check_scheduled_name(&"a".repeat(300)).is_ok());
        assert!(check_scheduled_name(&"a".repeat(301)).is_err());
        assert!(check_scheduled_name("team/waf/top-ips.v2#1").is_ok());
        assert!(check_scheduled_name("has space").is_err());
        assert!(check_scheduled_name("").is_err());
    }

    #[test]
    fn parameters_roles_and_destinations() {
        assert!(check_parameter_name("_ip4").is_ok());
        assert!(check_parameter_name("4ip").is_err());
        assert!(check_parameter_name("a-b").is_err());
        assert!(check_parameter_name(&"p".repeat(129)).is_err());
        assert!(check_role_arn("arn:aws:iam::123456789012:role/x/y", "r").is_ok());
        assert!(check_role_arn("arn:aws-us-gov:iam::123456789012:role/x", "r").is_ok());
        for bad in [
            "arn:aws:iam::12345678901:role/x",
            "arn:aws:iam::123456789012:user/x",
            "arn:aws:s3:::b",
            "role/x",
        ] {
            assert!(check_role_arn(bad, "r").is_err(), "{bad}");
        }
        assert!(check_s3_destination("s3://my-bucket/logplan/out").is_ok());
        assert!(check_s3_destination("s3://My_Bucket").is_err());
        assert!(check_s3_destination("https://b/x").is_err());
        assert!(check_query_text(&"a".repeat(10_000), "q").is_ok());
        assert!(check_query_text(&"a".repeat(10_001), "q").is_err());
    }
}
