//! Export the library as infrastructure code that deploys the same thing `apply` would, and
//! that `plan` recognises afterwards (the texts carry logplan's markers).
//!
//! * Terraform: the AWS Cloud Control provider (`hashicorp/awscc`), generated from the
//!   CloudFormation schemas: `awscc_logs_query_definition` with `query_language` and
//!   `parameters` (read in the provider's published bindings from 1.92.0 on) and
//!   `awscc_logs_scheduled_query` (from 1.93.0 on); the export requires `>= 1.93.0`. The
//!   `hashicorp/aws` provider's `aws_cloudwatch_query_definition` has `name`, `query_string`
//!   and `log_group_names` only (provider source as of 2026) and no scheduled-query resource,
//!   so it cannot carry PPL, SQL, parameters or schedules.
//! * CloudFormation: `AWS::Logs::QueryDefinition` (`QueryLanguage`, `Parameters`) and
//!   `AWS::Logs::ScheduledQuery`, as in the resource schemas cfn-lint 1.58 ships.
//!
//! Neither schema has `EndTimeOffset` for scheduled queries, nor scheduled-query names over
//! 255 characters: such a library is refused rather than exported wrong.

use std::collections::BTreeSet;

use super::deploy::target_name;
use super::file::QueryFile;
use super::limits;
use super::scheduled;
use super::{identity, preflight};
use crate::aws::insights::ScheduledQuery;

/// The lowest `hashicorp/awscc` version with both resources and their attributes.
pub const AWSCC_MIN_VERSION: &str = "1.93.0";

/// A Terraform/CloudFormation identifier from a console name: letters, digits and `_`,
/// unique within the export.
fn identifier(name: &str, taken: &mut BTreeSet<String>, alnum_only: bool) -> String {
    let mut id: String = if alnum_only {
        let words: String = name
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|p| !p.is_empty())
            .map(|p| {
                let mut cs = p.chars();
                cs.next()
                    .map(|f| f.to_ascii_uppercase().to_string() + cs.as_str())
                    .unwrap_or_default()
            })
            .collect();
        words
    } else {
        name.chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect()
    };
    if !alnum_only && !id.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        id = format!("q_{id}");
    }
    let mut candidate = id.clone();
    let mut n = 2;
    while !taken.insert(candidate.clone()) {
        candidate = format!("{id}{}{n}", if alnum_only { "" } else { "_" });
        n += 1;
    }
    candidate
}

/// An HCL quoted string: escapes for `\`, `"`, control characters, and template sequences
/// (`${` and `%{` are doubled so Terraform does not interpolate them).
pub fn hcl_string(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    o.push('"');
    let chars: Vec<char> = s.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let next = chars.get(i + 1).copied();
        match c {
            '\\' => o.push_str("\\\\"),
            '"' => o.push_str("\\\""),
            '\n' => o.push_str("\\n"),
            '\r' => o.push_str("\\r"),
            '\t' => o.push_str("\\t"),
            '$' if next == Some('{') => o.push_str("$$"),
            '%' if next == Some('{') => o.push_str("%%"),
            c if (c as u32) < 0x20 => o.push_str(&format!("\\u{:04x}", c as u32)),
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

fn hcl_list(items: &[String]) -> String {
    let v: Vec<String> = items.iter().map(|g| hcl_string(g)).collect();
    format!("[{}]", v.join(", "))
}

/// The scheduled query a file exports, checked against what the schemas can say.
fn exported_scheduled(
    f: &QueryFile,
    prefix: Option<&str>,
    lib: &str,
) -> Result<Option<ScheduledQuery>, String> {
    let Some(r) = scheduled::resolve_file(f)? else {
        return Ok(None);
    };
    let name = target_name(prefix, &f.name);
    if name.chars().count() > limits::MAX_SCHEDULED_NAME_CFN {
        return Err(format!(
            "{}: scheduled query name {name:?} is over {} characters, which AWS::Logs::ScheduledQuery does not take",
            f.path.display(),
            limits::MAX_SCHEDULED_NAME_CFN
        ));
    }
    if r.end_offset != 0 {
        return Err(format!(
            "{}: [scheduled] end_offset: AWS::Logs::ScheduledQuery (and awscc_logs_scheduled_query) have no EndTimeOffset; deploy this one with `logplan queries apply`",
            f.path.display()
        ));
    }
    Ok(Some(scheduled::desired(
        f,
        &r,
        &name,
        lib,
        f.log_groups.clone(),
    )))
}

/// Preflight every file first: an export that AWS would refuse is not written.
fn checked(files: &[QueryFile], prefix: Option<&str>, lib: &str) -> Result<(), String> {
    let problems = preflight::check_all(files, prefix, lib, None);
    match problems.first() {
        Some(p) => Err(format!("{p} (and {} more)", problems.len() - 1)),
        None => Ok(()),
    }
}

pub fn terraform(files: &[QueryFile], prefix: Option<&str>, lib: &str) -> Result<String, String> {
    checked(files, prefix, lib)?;
    let mut taken = BTreeSet::new();
    let mut o = String::from("# Generated by `logplan queries export --format terraform`.\n");
    o += &format!(
        "terraform {{\n  required_providers {{\n    awscc = {{\n      source  = \"hashicorp/awscc\"\n      version = \">= {AWSCC_MIN_VERSION}\"\n    }}\n  }}\n}}\n"
    );
    for f in files {
        let name = target_name(prefix, &f.name);
        if f.definition {
            let id = identifier(&name, &mut taken, false);
            let text = identity::deployed_text(
                f.language,
                &f.query,
                &f.log_groups,
                lib,
                &name,
                &f.version.to_string(),
            );
            o += &format!("\nresource \"awscc_logs_query_definition\" \"{id}\" {{\n");
            o += &format!("  name            = {}\n", hcl_string(&name));
            o += &format!("  query_string    = {}\n", hcl_string(&text));
            o += &format!("  query_language  = {}\n", hcl_string(f.language.api()));
            if !f.log_groups.is_empty() {
                o += &format!("  log_group_names = {}\n", hcl_list(&f.log_groups));
            }
            if !f.parameters.is_empty() {
                o += "  parameters = [\n";
                for p in &f.parameters {
                    o += "    {\n";
                    o += &format!("      name          = {}\n", hcl_string(&p.name));
                    if let Some(d) = &p.default {
                        o += &format!("      default_value = {}\n", hcl_string(d));
                    }
                    if let Some(d) = &p.description {
                        o += &format!("      description   = {}\n", hcl_string(d));
                    }
                    o += "    },\n";
                }
                o += "  ]\n";
            }
            o += "}\n";
        }
        if let Some(q) = exported_scheduled(f, prefix, lib)? {
            let id = identifier(&format!("{name} scheduled"), &mut taken, false);
            o += &format!("\nresource \"awscc_logs_scheduled_query\" \"{id}\" {{\n");
            o += &format!("  name                  = {}\n", hcl_string(&q.name));
            if let Some(d) = &q.description {
                o += &format!("  description           = {}\n", hcl_string(d));
            }
            o += &format!("  query_language        = {}\n", hcl_string(&q.language));
            o += &format!("  query_string          = {}\n", hcl_string(&q.query));
            if !q.log_groups.is_empty() {
                o += &format!("  log_group_identifiers = {}\n", hcl_list(&q.log_groups));
            }
            o += &format!(
                "  schedule_expression   = {}\n",
                hcl_string(&q.schedule_expression)
            );
            if let Some(tz) = &q.timezone {
                o += &format!("  timezone              = {}\n", hcl_string(tz));
            }
            if let Some(s) = q.start_offset {
                o += &format!("  start_time_offset     = {s}\n");
            }
            if let Some(s) = &q.state {
                o += &format!("  state                 = {}\n", hcl_string(s));
            }
            o += &format!(
                "  execution_role_arn    = {}\n",
                hcl_string(&q.execution_role_arn)
            );
            if let Some(d) = &q.destination {
                o += "  destination_configuration = {\n    s3_configuration = {\n";
                o += &format!(
                    "      destination_identifier = {}\n      role_arn               = {}\n",
                    hcl_string(&d.uri),
                    hcl_string(&d.role_arn)
                );
                o += "    }\n  }\n";
            }
            o += "}\n";
        }
    }
    Ok(o)
}

pub fn cloudformation(
    files: &[QueryFile],
    prefix: Option<&str>,
    lib: &str,
) -> Result<String, String> {
    use serde_json::{Map, Value, json};
    checked(files, prefix, lib)?;
    let mut taken = BTreeSet::new();
    let mut resources = Map::new();
    for f in files {
        let name = target_name(prefix, &f.name);
        if f.definition {
            let id = format!("Query{}", identifier(&name, &mut taken, true));
            let mut props = Map::new();
            props.insert("Name".into(), name.clone().into());
            props.insert(
                "QueryString".into(),
                identity::deployed_text(
                    f.language,
                    &f.query,
                    &f.log_groups,
                    lib,
                    &name,
                    &f.version.to_string(),
                )
                .into(),
            );
            props.insert("QueryLanguage".into(), f.language.api().into());
            if !f.log_groups.is_empty() {
                props.insert("LogGroupNames".into(), f.log_groups.clone().into());
            }
            if !f.parameters.is_empty() {
                let params: Vec<Value> = f
                    .parameters
                    .iter()
                    .map(|p| {
                        let mut m = Map::new();
                        m.insert("Name".into(), p.name.clone().into());
                        if let Some(d) = &p.default {
                            m.insert("DefaultValue".into(), d.clone().into());
                        }
                        if let Some(d) = &p.description {
                            m.insert("Description".into(), d.clone().into());
                        }
                        Value::Object(m)
                    })
                    .collect();
                props.insert("Parameters".into(), params.into());
            }
            resources.insert(
                id,
                json!({"Type": "AWS::Logs::QueryDefinition", "Properties": props}),
            );
        }
        if let Some(q) = exported_scheduled(f, prefix, lib)? {
            let id = format!(
                "Scheduled{}",
                identifier(&format!("{name} scheduled"), &mut taken, true)
            );
            let mut props = Map::new();
            props.insert("Name".into(), q.name.clone().into());
            if let Some(d) = &q.description {
                props.insert("Description".into(), d.clone().into());
            }
            props.insert("QueryLanguage".into(), q.language.clone().into());
            props.insert("QueryString".into(), q.query.clone().into());
            if !q.log_groups.is_empty() {
                props.insert("LogGroupIdentifiers".into(), q.log_groups.clone().into());
            }
            props.insert(
                "ScheduleExpression".into(),
                q.schedule_expression.clone().into(),
            );
            if let Some(tz) = &q.timezone {
                props.insert("Timezone".into(), tz.clone().into());
            }
            if let Some(s) = q.start_offset {
                props.insert("StartTimeOffset".into(), s.into());
            }
            if let Some(s) = &q.state {
                props.insert("State".into(), s.clone().into());
            }
            props.insert(
                "ExecutionRoleArn".into(),
                q.execution_role_arn.clone().into(),
            );
            if let Some(d) = &q.destination {
                props.insert(
                    "DestinationConfiguration".into(),
                    json!({"S3Configuration": {"DestinationIdentifier": d.uri, "RoleArn": d.role_arn}}),
                );
            }
            resources.insert(
                id,
                json!({"Type": "AWS::Logs::ScheduledQuery", "Properties": props}),
            );
        }
    }
    let template = json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "Saved Logs Insights queries and scheduled queries, generated by logplan queries export",
        "Resources": resources,
    });
    serde_json::to_string_pretty(&template)
        .map(|t| t + "\n")
        .map_err(|e| format!("template JSON: {e}"))
}
