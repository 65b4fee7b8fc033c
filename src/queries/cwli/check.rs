//! Semantic checks on a parsed query: what parses but CloudWatch would reject or mis-run
//! (commands an Infrequent Access log group does not support, `sort` after `dedup`, `stats`
//! without an aggregate, unknown functions and wrong argument counts).

use super::ast::*;
use super::diag::{Diagnostic, codes};
use super::functions::{self, FnKind};

/// Commands the Infrequent Access log class does not support (CWL_AnalyzeLogData_Classes).
const IA_UNSUPPORTED: &[&str] = &["pattern", "diff", "unmask", "filterindex"];

pub(crate) fn check_query(query: &Query, infrequent_access: bool) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut joins = 0usize;
    check_one(query, infrequent_access, &mut out, &mut joins);
    out.sort_by_key(|d| d.span.start);
    out
}

fn check_one(query: &Query, ia: bool, out: &mut Vec<Diagnostic>, joins: &mut usize) {
    let mut after_dedup = false;
    for stage in &query.stages {
        let name = stage.command.name();
        if ia && IA_UNSUPPORTED.contains(&name) {
            out.push(
                Diagnostic::error(
                    codes::IA_UNSUPPORTED,
                    stage.name_span.clone(),
                    format!(
                        "'{}' is not supported on Infrequent Access log groups",
                        written_name(name)
                    ),
                )
                .with_help(
                    "run this query on Standard-class log groups only, or remove the command",
                ),
            );
        }
        if after_dedup && !matches!(stage.command, Command::Limit(_) | Command::Invalid { .. }) {
            out.push(
                Diagnostic::error(
                    codes::AFTER_DEDUP,
                    stage.name_span.clone(),
                    format!(
                        "only 'limit' may follow 'dedup', found '{}'",
                        written_name(name)
                    ),
                )
                .with_help(format!("move '{}' before 'dedup'", written_name(name))),
            );
            // One finding per dedup is enough.
            after_dedup = false;
        }
        if matches!(stage.command, Command::Dedup(_)) {
            after_dedup = true;
        }
        match &stage.command {
            Command::Stats(stats) => check_stats(stats, out),
            Command::Parse(parse) => check_glob(parse, out),
            Command::Join(_) => {
                *joins += 1;
                if *joins > 1 {
                    out.push(
                        Diagnostic::error(
                            codes::MULTIPLE_JOINS,
                            stage.name_span.clone(),
                            "a query may contain only one 'join'",
                        )
                        .with_help(
                            "split the query, or correlate the extra source with a subquery",
                        ),
                    );
                }
            }
            _ => {}
        }
        for e in stage.exprs() {
            e.walk(&mut |e| check_call(e, ia, out));
        }
    }
    if let Some(source) = &query.source {
        for item in &source.items {
            if let SourceItem::LogGroups { args, .. }
            | SourceItem::LogGroupTags { args, .. }
            | SourceItem::DataSource { args, .. } = item
            {
                for arg in args {
                    arg.value.walk(&mut |e| check_call(e, ia, out));
                }
            }
        }
    }
    for sub in query.subqueries() {
        check_one(sub, ia, out, joins);
    }
}

fn written_name(lower: &str) -> &str {
    match lower {
        "filterindex" => "filterIndex",
        other => other,
    }
}

fn has_stats_function(e: &Expr) -> bool {
    let mut found = false;
    e.walk(&mut |e| {
        if let ExprKind::Call { name, .. } = &e.kind
            && functions::lookup(&name.name).is_some_and(|f| f.kind.is_stats_function())
        {
            found = true;
        }
    });
    found
}

fn contains_error(e: &Expr) -> bool {
    let mut found = false;
    e.walk(&mut |e| found |= matches!(e.kind, ExprKind::Error));
    found
}

fn check_stats(stats: &Stats, out: &mut Vec<Diagnostic>) {
    if stats.aggregates.is_empty() || stats.aggregates.iter().any(|p| contains_error(&p.expr)) {
        return; // a syntax error was reported already
    }
    if stats.aggregates.iter().any(|p| has_stats_function(&p.expr)) {
        return;
    }
    let first = &stats.aggregates[0].expr.span;
    let last = &stats.aggregates[stats.aggregates.len() - 1];
    let end = last
        .alias
        .as_ref()
        .map_or(last.expr.span.end, |a| a.span.end);
    let mut d = Diagnostic::error(
        codes::STATS_NO_AGG,
        first.start..end,
        "'stats' has no aggregate function",
    );
    let only_bin = stats.aggregates.iter().all(|p| {
        matches!(&p.expr.kind, ExprKind::Call { name, .. } if name.name.eq_ignore_ascii_case("bin"))
    });
    d = if only_bin {
        d.with_help("bin() groups, it does not aggregate: write e.g. 'stats count(*) by bin(5m)'")
    } else {
        d.with_help("aggregate with count, sum, avg, min, max, pct, stddev or count_distinct")
    };
    out.push(d);
}

fn check_glob(parse: &Parse, out: &mut Vec<Diagnostic>) {
    if let ParsePattern::Glob { pattern, span } = &parse.pattern {
        let stars = pattern.matches('*').count();
        if parse.aliases.is_empty() {
            return; // missing `as` was reported by the parser
        }
        if stars != parse.aliases.len() {
            out.push(
                Diagnostic::error(
                    codes::GLOB_ALIASES,
                    span.clone(),
                    format!(
                        "glob pattern has {stars} wildcard{} but 'as' names {} field{}",
                        if stars == 1 { "" } else { "s" },
                        parse.aliases.len(),
                        if parse.aliases.len() == 1 { "" } else { "s" }
                    ),
                )
                .with_help("give one name after 'as' for each '*' in the pattern"),
            );
        }
    }
}

fn check_call(e: &Expr, ia: bool, out: &mut Vec<Diagnostic>) {
    let ExprKind::Call { name, args } = &e.kind else {
        return;
    };
    let Some(spec) = functions::lookup(&name.name) else {
        let mut d = Diagnostic::warning(
            codes::UNKNOWN_FUNCTION,
            name.span.clone(),
            format!("unknown function '{}'", name.name),
        );
        if let Some(s) = functions::suggest(&name.name) {
            d = d.with_help(format!("did you mean '{s}'?"));
        }
        out.push(d);
        return;
    };
    if ia && spec.name == "unmask" {
        out.push(
            Diagnostic::error(
                codes::IA_UNSUPPORTED,
                name.span.clone(),
                "'unmask' is not supported on Infrequent Access log groups",
            )
            .with_help("run this query on Standard-class log groups only, or remove unmask()"),
        );
    }
    if args.iter().any(|a| matches!(a.kind, ExprKind::Error)) {
        return;
    }
    let n = args.len();
    let ok = n >= spec.min && spec.max.is_none_or(|max| n <= max);
    if !ok {
        let expected = match spec.max {
            Some(max) if max == spec.min => format!("{max}"),
            Some(max) => format!("{} to {max}", spec.min),
            None => format!("at least {}", spec.min),
        };
        let plural = if expected == "1" { "" } else { "s" };
        out.push(Diagnostic::error(
            codes::ARITY,
            e.span.clone(),
            format!("'{}' takes {expected} argument{plural}, got {n}", spec.name),
        ));
    }
    if spec.kind == FnKind::Scalar && spec.name == "bin" {
        // bin() takes a period; a bare number is a common slip (bin(300) for 5 minutes).
        if let Some(arg) = args.first()
            && matches!(arg.kind, ExprKind::Number(_))
        {
            out.push(
                Diagnostic::error(
                    codes::BAD_TIME_UNIT,
                    arg.span.clone(),
                    "bin() needs a time period with a unit",
                )
                .with_help("write e.g. bin(5m) or bin(1h)"),
            );
        }
    }
}
