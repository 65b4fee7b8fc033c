//! Tests of the Logs Insights QL parser and linter (`logplan::queries::cwli`): every construct
//! parses clean with the expected tree, each finding has its code and position, recovery reports
//! several errors at once, a corpus of realistic queries lints clean, and no input panics.

use logplan::queries::cwli::ast::*;
use logplan::queries::cwli::{
    Diagnostic, Severity, check, line_col, lint, lint_ppl, lint_sql, parse, render,
};
use proptest::prelude::*;

// ---- helpers ------------------------------------------------------------------------------

/// Parses and asserts there is nothing to report, syntax or semantics.
fn clean(text: &str) -> Query {
    let parsed = parse(text);
    assert!(
        parsed.diagnostics.is_empty(),
        "syntax findings for {text:?}: {:#?}",
        parsed.diagnostics
    );
    let semantic = check(&parsed, false);
    assert!(
        semantic.is_empty(),
        "semantic findings for {text:?}: {semantic:#?}"
    );
    parsed.query
}

fn only_stage(text: &str) -> Command {
    let q = clean(text);
    assert_eq!(q.stages.len(), 1, "{text}");
    q.stages
        .into_iter()
        .next()
        .map(|s| s.command)
        .unwrap_or(Command::Anomaly)
}

/// (code, line, col) of every finding.
fn findings(text: &str, ia: bool) -> Vec<(&'static str, usize, usize)> {
    lint(text, ia)
        .iter()
        .map(|d| {
            let (l, c) = line_col(text, d.span.start);
            (d.code, l, c)
        })
        .collect()
}

fn field(name: &str) -> ExprKind {
    ExprKind::Field(name.to_string())
}

/// A compact rendering of an expression tree, for precedence assertions.
fn sexpr(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Field(f) => f.clone(),
        ExprKind::Str(s) => format!("{s:?}"),
        ExprKind::Number(n) => format!("{n}"),
        ExprKind::Duration { value, unit } => format!("{value}{unit}"),
        ExprKind::Regex { pattern, flags } => format!("/{pattern}/{flags}"),
        ExprKind::Bool(b) => format!("{b}"),
        ExprKind::Star => "*".into(),
        ExprKind::Param(p) => format!("{{{{{p}}}}}"),
        ExprKind::List(items) => format!(
            "[{}]",
            items.iter().map(sexpr).collect::<Vec<_>>().join(" ")
        ),
        ExprKind::Map(entries) => format!(
            "{{{}}}",
            entries
                .iter()
                .map(|(k, v)| format!("{}:{}", k.name, sexpr(v)))
                .collect::<Vec<_>>()
                .join(" ")
        ),
        ExprKind::Call { name, args } => format!(
            "{}({})",
            name.name,
            args.iter().map(sexpr).collect::<Vec<_>>().join(" ")
        ),
        ExprKind::Unary { op, operand } => format!("({op:?} {})", sexpr(operand)),
        ExprKind::Binary { op, lhs, rhs } => {
            format!("({op:?} {} {})", sexpr(lhs), sexpr(rhs))
        }
        ExprKind::Index { base, index } => format!("{}[{}]", sexpr(base), sexpr(index)),
        ExprKind::Member { base, name } => format!("{}.{}", sexpr(base), name.name),
        ExprKind::Subquery(q) => format!("(subquery {} stages)", q.stages.len()),
        ExprKind::Error => "ERROR".into(),
    }
}

fn filter_expr(text: &str) -> String {
    match only_stage(text) {
        Command::Filter(e) => sexpr(&e),
        other => panic!("not a filter: {other:?}"),
    }
}

// ---- commands, one family per test ----------------------------------------------------------

#[test]
fn fields_with_aliases_backticks_at_fields_and_nested_paths() {
    let Command::Fields(p) = only_stage(
        "fields @timestamp, @logStream, `field name` as fn, httpRequest.clientIp, a.b.0.c, \
         m.`odd.key`, toupper(@log) as LOG",
    ) else {
        panic!("not fields")
    };
    assert_eq!(p.len(), 7);
    assert_eq!(p[0].expr.kind, field("@timestamp"));
    assert_eq!(p[2].expr.kind, field("field name"));
    assert_eq!(p[2].alias.as_ref().map(|a| a.name.as_str()), Some("fn"));
    assert_eq!(p[3].expr.kind, field("httpRequest.clientIp"));
    assert_eq!(p[4].expr.kind, field("a.b.0.c"));
    assert_eq!(p[5].expr.kind, field("m.`odd.key`"));
    assert_eq!(sexpr(&p[6].expr), "toupper(@log)");
    assert_eq!(p[6].alias.as_ref().map(|a| a.name.as_str()), Some("LOG"));
}

#[test]
fn display_takes_fields_and_expressions() {
    let Command::Display(p) = only_stage("display @message, toupper(json_message)") else {
        panic!("not display")
    };
    assert_eq!(p.len(), 2);
}

#[test]
fn arithmetic_precedence_and_associativity() {
    assert_eq!(
        filter_expr("filter a + b * c > 1"),
        "(Gt (Add a (Mul b c)) 1)"
    );
    assert_eq!(
        filter_expr("filter (a + b) * c = 2"),
        "(Eq (Mul (Add a b) c) 2)"
    );
    assert_eq!(
        filter_expr("filter 2 ^ 3 ^ 2 = x"),
        "(Eq (Pow 2 (Pow 3 2)) x)"
    );
    assert_eq!(
        filter_expr("filter a - b - c % 10 = 0"),
        "(Eq (Sub (Sub a b) (Mod c 10)) 0)"
    );
    assert_eq!(
        filter_expr("filter x / 1024 / 1024 >= 1.5"),
        "(Ge (Div (Div x 1024) 1024) 1.5)"
    );
}

#[test]
fn boolean_and_comparison_operators() {
    assert_eq!(filter_expr("filter not x in [1, 2]"), "(Not (In x [1 2]))");
    assert_eq!(
        filter_expr("filter a = 1 or b != 2 and c <= 3"),
        "(Or (Eq a 1) (And (NotEq b 2) (Le c 3)))"
    );
    assert_eq!(
        filter_expr("filter x not in [\"a\", \"b\"] and y not like /z/"),
        "(And (NotIn x [\"a\" \"b\"]) (NotLike y /z/))"
    );
    assert_eq!(
        filter_expr("filter msg =~ /(?i)err/"),
        "(Match msg /(?i)err/)"
    );
    assert_eq!(
        filter_expr("filter msg like \"ERROR\""),
        "(Like msg \"ERROR\")"
    );
    assert_eq!(
        filter_expr("filter !ispresent(a) or not isblank(b)"),
        "(Or (Not ispresent(a)) (Not isblank(b)))"
    );
    assert_eq!(
        filter_expr("filter a < 1 and b > 2 and c >= 3"),
        "(And (And (Lt a 1) (Gt b 2)) (Ge c 3))"
    );
}

#[test]
fn literals_strings_numbers_regex_durations_booleans_lists() {
    assert_eq!(
        filter_expr(r#"filter a = 'it\'s' or b = "say \"hi\"""#),
        r#"(Or (Eq a "it's") (Eq b "say \"hi\""))"#
    );
    assert_eq!(
        filter_expr("filter a = -5 or b = -0.25 or c = 1e3"),
        "(Or (Or (Eq a -5) (Eq b -0.25)) (Eq c 1000))"
    );
    assert_eq!(filter_expr("filter a - 1 = 0"), "(Eq (Sub a 1) 0)");
    assert_eq!(filter_expr("filter -x = 1"), "(Eq (Neg x) 1)");
    assert_eq!(
        filter_expr("filter @message like /a\\/b[0-9]+(?=x)/i"),
        "(Like @message /a\\/b[0-9]+(?=x)/i)"
    );
    assert_eq!(
        filter_expr("filter ok = true and bad = false"),
        "(And (Eq ok true) (Eq bad false))"
    );
    assert_eq!(
        filter_expr("filter x in [1, \"a\", 2.5]"),
        "(In x [1 \"a\" 2.5])"
    );
    let Command::Stats(s) = only_stage(
        "stats count(*) by bin(5m), bin(1h), bin(30s), bin(1d), bin(1w), bin(100ms), bin(2hrs), bin(1mo), bin(1qtr), bin(1y)",
    ) else {
        panic!("not stats")
    };
    let units: Vec<String> = s.by.iter().map(|p| sexpr(&p.expr)).collect();
    assert_eq!(
        units,
        [
            "bin(5m)",
            "bin(1h)",
            "bin(30s)",
            "bin(1d)",
            "bin(1w)",
            "bin(100ms)",
            "bin(2hrs)",
            "bin(1mo)",
            "bin(1qtr)",
            "bin(1y)"
        ]
    );
}

#[test]
fn json_access_with_index_and_member() {
    let q = clean(
        "fields jsonParse(@message) as json_message\n\
         | filter json_message.users[1].action = \"PutData\"",
    );
    let Command::Filter(e) = &q.stages[1].command else {
        panic!("not filter")
    };
    assert_eq!(sexpr(e), "(Eq json_message.users[1].action \"PutData\")");
}

#[test]
fn stats_with_aliases_grouping_and_offset() {
    let Command::Stats(s) = only_stage("stats count(*) as n by bin(5m), host") else {
        panic!("not stats")
    };
    assert_eq!(s.aggregates.len(), 1);
    assert_eq!(sexpr(&s.aggregates[0].expr), "count(*)");
    assert_eq!(
        s.aggregates[0].alias.as_ref().map(|a| a.name.as_str()),
        Some("n")
    );
    assert_eq!(s.by.len(), 2);
    assert_eq!(sexpr(&s.by[0].expr), "bin(5m)");
    assert_eq!(s.by[1].expr.kind, field("host"));
    assert!(s.offset.is_none());

    let Command::Stats(s) = only_stage("stats avg(latency) by bin(1m) offset 1d") else {
        panic!("not stats")
    };
    assert_eq!(s.offset.as_ref().map(sexpr).as_deref(), Some("1d"));

    let Command::Stats(s) =
        only_stage("STATS sum(message_length) / 1024 / 1024 AS logs_mb BY BIN(5m) as @t")
    else {
        panic!("not stats")
    };
    assert_eq!(s.by[0].alias.as_ref().map(|a| a.name.as_str()), Some("@t"));
    assert_eq!(
        sexpr(&s.aggregates[0].expr),
        "(Div (Div sum(message_length) 1024) 1024)"
    );
    clean(
        "stats count() as c, count_distinct(ip), pct(@duration, 99), earliest(x), sortsLast(y) by z",
    );
    clean("stats count_over_time(*) as errors by bin(1m) offset 5m");
}

#[test]
fn sort_and_limit() {
    let Command::Sort(keys) = only_stage("sort f desc, g asc, h") else {
        panic!("not sort")
    };
    let orders: Vec<Option<SortOrder>> = keys.iter().map(|k| k.order).collect();
    assert_eq!(orders, [Some(SortOrder::Desc), Some(SortOrder::Asc), None]);
    assert_eq!(
        only_stage("limit 20"),
        Command::Limit(Expr {
            kind: ExprKind::Number(20.0),
            span: 6..8
        })
    );
}

#[test]
fn parse_glob_and_regex_with_and_without_source() {
    let Command::Parse(p) = only_stage(r#"parse @message "* - [*]" as a, b"#) else {
        panic!("not parse")
    };
    assert_eq!(
        p.source.as_ref().map(|e| e.kind.clone()),
        Some(field("@message"))
    );
    assert!(matches!(&p.pattern, ParsePattern::Glob { pattern, .. } if pattern == "* - [*]"));
    let names: Vec<&str> = p.aliases.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["a", "b"]);

    let Command::Parse(p) = only_stage(r"parse @message /(?<ip>\S+) (?<verb>GET|POST)/") else {
        panic!("not parse")
    };
    assert!(
        matches!(&p.pattern, ParsePattern::Regex { pattern, multi: false, .. } if pattern == r"(?<ip>\S+) (?<verb>GET|POST)")
    );

    let Command::Parse(p) = only_stage(r#"parse "glob*" as x"#) else {
        panic!("not parse")
    };
    assert!(p.source.is_none());
    assert_eq!(p.aliases.len(), 1);

    let Command::Parse(p) = only_stage(r"parse /(?<n>\d+)/") else {
        panic!("not parse")
    };
    assert!(p.source.is_none());

    let Command::Parse(p) = only_stage(r"parse @message /(?<ip>\d+\.\d+\.\d+\.\d+)/ multi") else {
        panic!("not parse")
    };
    assert!(matches!(p.pattern, ParsePattern::Regex { multi: true, .. }));

    let Command::Parse(p) = only_stage("parse @message logfmt as lf") else {
        panic!("not parse")
    };
    assert!(matches!(&p.pattern, ParsePattern::Mode { name } if name.name == "logfmt"));
    clean(
        r#"parse @message "user=*, method:*" as @user, @method | parse url "/api/*/users/*" as v, id"#,
    );
}

#[test]
fn dedup_pattern_diff_anomaly() {
    let Command::Dedup(fields) = only_stage("dedup a, b") else {
        panic!("not dedup")
    };
    assert_eq!(fields.len(), 2);
    assert!(matches!(
        only_stage("pattern @message"),
        Command::Pattern(_)
    ));
    assert_eq!(only_stage("diff"), Command::Diff(None));
    for period in ["previousDay", "previousWeek", "previousMonth"] {
        let Command::Diff(Some(p)) = only_stage(&format!("diff {period}")) else {
            panic!("not diff")
        };
        assert_eq!(p.name, period);
    }
    let q =
        clean("fields @timestamp, @message | pattern @message | anomaly | sort @timestamp desc");
    assert_eq!(
        q.commands().collect::<Vec<_>>(),
        ["fields", "pattern", "anomaly", "sort"]
    );
}

#[test]
fn unmask_as_function_and_as_command() {
    let q = clean("fields @timestamp, unmask(@message) | sort @timestamp desc | limit 20");
    let Command::Fields(p) = &q.stages[0].command else {
        panic!("not fields")
    };
    assert_eq!(sexpr(&p[1].expr), "unmask(@message)");
    assert!(matches!(only_stage("unmask(@message)"), Command::Unmask(args) if args.len() == 1));
}

#[test]
fn unnest_lookup_join_addtotals_filterindex() {
    let q = clean(
        "fields jsonParse(@message) as js | unnest js.accounts into account | filter account.type = \"internal\"",
    );
    assert!(matches!(&q.stages[1].command, Command::Unnest { into, .. } if into.name == "account"));

    let Command::Lookup(l) = only_stage(
        "lookup network_services ip_address as srcAddr, port as dstPort OUTPUT service_name, owner",
    ) else {
        panic!("not lookup")
    };
    assert_eq!(l.table.name, "network_services");
    assert_eq!(l.keys.len(), 2);
    assert_eq!(
        l.keys[0].log_field.as_ref().map(|f| f.name.as_str()),
        Some("srcAddr")
    );
    assert_eq!(l.mode, OutputMode::Output);
    assert_eq!(l.outputs.len(), 2);
    let Command::Lookup(l) =
        only_stage("lookup known_hosts ip_address as srcAddr OUTPUTNEW hostname, region")
    else {
        panic!("not lookup")
    };
    assert_eq!(l.mode, OutputMode::OutputNew);

    let q = clean(
        "filter status >= 500\n| join type=inner left=api right=lambda\n    where api.requestId=lambda.requestId\n    (SOURCE '/aws/lambda/my-function')\n| fields api.requestId, lambda.duration",
    );
    let Command::Join(j) = &q.stages[1].command else {
        panic!("not join")
    };
    assert_eq!(j.options.len(), 3);
    assert_eq!(sexpr(&j.condition), "(Eq api.requestId lambda.requestId)");
    assert_eq!(
        j.right.source_log_groups(),
        [SourceLogGroup::Name("/aws/lambda/my-function".into())]
    );

    let Command::AddTotals(a) =
        only_stage("addtotals fieldname=RowSum row=true col=false price, tax")
    else {
        panic!("not addtotals")
    };
    assert_eq!(a.options.len(), 3);
    assert_eq!(a.fields.len(), 2);
    assert!(matches!(only_stage("addtotals"), Command::AddTotals(_)));

    assert_eq!(
        match only_stage("filterIndex IPaddress in [\"198.51.100.0\", \"198.51.100.1\"]") {
            Command::FilterIndex(e) => sexpr(&e),
            other => panic!("{other:?}"),
        },
        "(In IPaddress [\"198.51.100.0\" \"198.51.100.1\"])"
    );
}

#[test]
fn leading_source_clause_forms() {
    let q = clean(
        "SOURCE logGroups(namePrefix: [\"/aws/lambda\", \"/ecs/prod\"], class: \"STANDARD\") START=-1h END=now\n| filter @message like /ERROR/",
    );
    let source = q.source.as_ref().map(|s| (s.start.clone(), s.end.clone()));
    let (start, end) = source.unwrap_or((None, None));
    assert_eq!(start.map(|b| b.text).as_deref(), Some("-1h"));
    assert_eq!(end.map(|b| b.text).as_deref(), Some("now"));
    assert_eq!(
        q.source_log_groups(),
        [
            SourceLogGroup::Prefix("/aws/lambda".into()),
            SourceLogGroup::Prefix("/ecs/prod".into())
        ]
    );
    assert_eq!(q.commands().collect::<Vec<_>>(), ["source", "filter"]);

    let q = clean(
        "SOURCE logGroups(namePrefix: [], class: \"STANDARD\") START=2026-01-23T00:00:00.000Z END=0s |\nfields @timestamp",
    );
    assert_eq!(
        q.source.and_then(|s| s.start).map(|b| b.text).as_deref(),
        Some("2026-01-23T00:00:00.000Z")
    );
    clean("SOURCE logGroups() | filterIndex @data_source_name in [\"aws_cloudtrail\"] | limit 5");
    clean("SOURCE logGroupTags([{key: 'team', values: ['payments', '!test*']}]) | limit 5");
    clean("SOURCE dataSource(['amazon_vpc.flow']) | stats count(*) by action");
    let q = clean("SOURCE '/aws/lambda/a' | SOURCE '/aws/lambda/b' | fields @message");
    assert_eq!(q.source_log_groups().len(), 2);
    assert_eq!(q.stages.len(), 1);
}

#[test]
fn subquery_on_the_right_of_in() {
    let q = clean(
        "filter requestId in (\n  SOURCE '/aws/lambda/auth-service'\n  | filter authResult = \"FAILED\"\n  | fields requestId\n)\n| fields @timestamp, requestId\n| limit 50",
    );
    assert_eq!(q.stages.len(), 3);
    assert_eq!(
        q.referenced_log_groups(),
        [SourceLogGroup::Name("/aws/lambda/auth-service".into())]
    );
    assert!(q.source_log_groups().is_empty());
    assert_eq!(
        q.fields_referenced(),
        ["requestId", "@timestamp", "authResult"]
    );
}

#[test]
fn comments_and_commented_out_stages() {
    let q = clean(
        "# top errors\nfields @timestamp, @message # trailing comment\n# | filter @message like /debug/\n| sort @timestamp desc\n#| limit 5\n| limit 20",
    );
    assert_eq!(
        q.commands().collect::<Vec<_>>(),
        ["fields", "sort", "limit"]
    );
    // A `#` inside strings and regexes is not a comment.
    assert_eq!(
        filter_expr("filter a = \"#1\" or b like /#x/"),
        "(Or (Eq a \"#1\") (Like b /#x/))"
    );
}

#[test]
fn keywords_are_case_insensitive() {
    let q = clean(
        "FIELDS @timestamp | Filter x LIKE /a/ AND NOT y IN [1] | STATS COUNT(*) AS n BY BIN(5m) | SORT n DESC | LIMIT 5",
    );
    assert_eq!(
        q.commands().collect::<Vec<_>>(),
        ["fields", "filter", "stats", "sort", "limit"]
    );
}

#[test]
fn helpers_list_commands_and_fields() {
    let q = clean(
        "fields @timestamp, httpRequest.clientIp as ip | filter action = \"BLOCK\" | lookup geo ip_address as ip OUTPUT country | stats count(*) as n by country",
    );
    assert_eq!(
        q.commands().collect::<Vec<_>>(),
        ["fields", "filter", "lookup", "stats"]
    );
    assert_eq!(
        q.fields_referenced(),
        [
            "@timestamp",
            "httpRequest.clientIp",
            "action",
            "ip",
            "country"
        ]
    );
}

#[test]
fn saved_query_parameters() {
    let q = clean(
        "fields httpRequest.country\n| filter httpRequest.country not in {{expected_countries}}\n\
         | stats count(*) as n by bin({{ period }})\n| limit {{max_rows}}",
    );
    let Command::Filter(e) = &q.stages[1].command else {
        panic!("not filter")
    };
    assert_eq!(
        sexpr(e),
        "(NotIn httpRequest.country {{expected_countries}})"
    );
    assert_eq!(
        q.parameters_referenced(),
        ["expected_countries", "period", "max_rows"]
    );
    // Not a placeholder: a map literal, which a filter cannot hold.
    assert_eq!(findings("filter a = {{1x}}", false), [("LQ001", 1, 13)]);
}

// ---- findings: code, line and column ---------------------------------------------------------

#[test]
fn unterminated_string_is_lq002() {
    assert_eq!(
        findings("fields a\n| filter b = \"abc", false),
        [("LQ002", 2, 14)]
    );
    assert_eq!(findings("filter x like /abc", false), [("LQ002", 1, 15)]);
    assert_eq!(findings("fields `bad name", false), [("LQ002", 1, 8)]);
}

#[test]
fn unknown_command_is_lq003_with_suggestion() {
    let text = "fields a\n| fitler b = 1";
    let d = lint(text, false);
    assert_eq!(findings(text, false), [("LQ003", 2, 3)]);
    assert_eq!(d[0].help.as_deref(), Some("did you mean 'filter'?"));
    assert_eq!(findings("fields a | select b", false), [("LQ003", 1, 12)]);
}

#[test]
fn filter_with_nothing_after_it_is_lq004() {
    assert_eq!(findings("fields a\n| filter", false), [("LQ004", 2, 3)]);
    assert_eq!(findings("filter | limit 5", false), [("LQ004", 1, 1)]);
    assert_eq!(findings("stats by host", false), [("LQ004", 1, 1)]);
    assert_eq!(findings("filter a =", false), [("LQ004", 1, 10)]);
}

#[test]
fn unbalanced_parentheses_are_lq005() {
    assert_eq!(
        findings("filter (a = 1\n| limit 5", false),
        [("LQ005", 1, 8)]
    );
    assert_eq!(findings("filter a = 1)", false), [("LQ005", 1, 13)]);
    assert_eq!(
        findings("fields concat(a, b\n| limit 1", false),
        [("LQ005", 1, 14)]
    );
    assert_eq!(findings("filter x in [1, 2", false), [("LQ005", 1, 13)]);
}

#[test]
fn stray_pipes_are_lq006() {
    assert_eq!(findings("fields a | | limit 5", false), [("LQ006", 1, 12)]);
    assert_eq!(findings("| fields a", false), [("LQ006", 1, 1)]);
    assert_eq!(findings("fields a |", false), [("LQ006", 1, 10)]);
    assert_eq!(findings("", false), [("LQ006", 1, 1)]);
    assert_eq!(findings("  # only a comment\n", false), [("LQ006", 1, 1)]);
}

#[test]
fn bad_time_units_are_lq007() {
    assert_eq!(
        findings("stats count(*) by bin(5x)", false),
        [("LQ007", 1, 23)]
    );
    assert_eq!(
        findings("stats count(*) by bin(300)", false),
        [("LQ007", 1, 23)]
    );
}

#[test]
fn stats_with_only_bin_is_lq103() {
    let text = "fields a\n| stats bin(5m)";
    assert_eq!(findings(text, false), [("LQ103", 2, 9)]);
    assert!(
        lint(text, false)[0]
            .help
            .as_deref()
            .is_some_and(|h| h.contains("count(*)"))
    );
    assert_eq!(findings("stats x by y", false), [("LQ103", 1, 7)]);
    assert!(findings("stats latest(x) by y", false).is_empty());
}

#[test]
fn only_limit_may_follow_dedup_lq102() {
    assert_eq!(findings("dedup a | sort b", false), [("LQ102", 1, 11)]);
    assert_eq!(
        findings("dedup a\n| limit 5\n| filter x = 1", false),
        [("LQ102", 3, 3)]
    );
    assert!(findings("sort b desc | dedup a | limit 10", false).is_empty());
}

#[test]
fn infrequent_access_commands_are_lq101() {
    for (text, col) in [
        ("fields @message | pattern @message", 19),
        ("fields @message | diff previousDay", 19),
        ("fields @timestamp, unmask(@message)", 20),
        ("fields @message | filterIndex requestId = \"abc\"", 19),
        ("fields @message | unmask(@message)", 19),
    ] {
        assert_eq!(findings(text, true), [("LQ101", 1, col)], "{text}");
        assert!(findings(text, false).is_empty(), "{text}");
    }
    let d = lint("pattern @message", true);
    assert_eq!(
        d[0].message,
        "'pattern' is not supported on Infrequent Access log groups"
    );
    // The message keeps the documented spelling.
    assert!(
        lint("filterIndex a = 1", true)[0]
            .message
            .contains("'filterIndex'")
    );
}

#[test]
fn unknown_function_is_a_warning_and_arity_an_error() {
    let d = lint("fields coutn(*) as n", false);
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].code, "LQ104");
    assert_eq!(d[0].severity, Severity::Warning);
    assert_eq!(d[0].help.as_deref(), Some("did you mean 'count'?"));
    assert_eq!(line_col("fields coutn(*) as n", d[0].span.start), (1, 8));

    assert_eq!(
        findings("stats pct(@duration) by bin(5m)", false),
        [("LQ105", 1, 7)]
    );
    let d = lint("filter isIpv4InSubnet(srcAddr)", false);
    assert_eq!(d[0].message, "'isIpv4InSubnet' takes 2 arguments, got 1");
    assert_eq!(findings("fields now(1)", false), [("LQ105", 1, 8)]);
    assert!(
        findings(
            "fields concat(a, b, c, d), coalesce(a, b, c), substr(s, 1), substr(s, 1, 2)",
            false
        )
        .is_empty()
    );
}

#[test]
fn glob_alias_count_and_double_join() {
    assert_eq!(
        findings("parse @message \"* - *\" as a", false),
        [("LQ120", 1, 16)]
    );
    let two = "fields a | join left=a right=b where a.k=b.k (SOURCE 'x') | join left=c right=d where c.k=d.k (SOURCE 'y')";
    assert_eq!(findings(two, false), [("LQ121", 1, 61)]);
}

#[test]
fn source_must_come_first_and_needs_groups() {
    assert_eq!(
        findings("fields a | SOURCE logGroups()", false),
        [("LQ001", 1, 12)]
    );
    assert_eq!(findings("SOURCE | fields a", false), [("LQ004", 1, 1)]);
    assert_eq!(
        findings("SOURCE logGroups(namePrefix: ['/a'] START=-1h", false),
        [("LQ001", 1, 37)]
    );
    assert_eq!(
        findings("SOURCE logGroups(namePrefix: ['/a']", false),
        [("LQ005", 1, 17)]
    );
}

#[test]
fn several_errors_are_reported_in_one_run() {
    let text = "fields @timestamp, \"unterminated\n\
                | fitler x = 1\n\
                | stats bin(5m)\n\
                | filter (a = 1\n\
                | sort f desc\n\
                | filter";
    assert_eq!(
        findings(text, false),
        [
            ("LQ002", 1, 20),
            ("LQ003", 2, 3),
            ("LQ103", 3, 9),
            ("LQ005", 4, 10),
            ("LQ004", 6, 3),
        ]
    );
    // The good stages still made it into the tree.
    let parsed = parse(text);
    assert_eq!(
        parsed.query.commands().collect::<Vec<_>>(),
        ["fields", "fitler", "stats", "filter", "sort", "filter"]
    );
}

#[test]
fn unexpected_characters_are_reported_once() {
    assert_eq!(findings("filter a = 1 ; b", false), [("LQ001", 1, 14)]);
    assert_eq!(findings("fields a b", false), [("LQ001", 1, 10)]);
    assert_eq!(findings("limit ten", false), [("LQ001", 1, 7)]);
    assert_eq!(findings("diff yesterday", false), [("LQ001", 1, 6)]);
    assert_eq!(findings("fields concat(a,)", false), [("LQ001", 1, 17)]);
    assert_eq!(findings("fields $x", false), [("LQ001", 1, 8)]);
    let d = lint("filter x in (\"a\", \"b\")", false);
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].message, "expected ')', found ','");
    assert_eq!(
        line_col("filter x in (\"a\", \"b\")", d[0].span.start),
        (1, 17)
    );
}

// ---- rendering --------------------------------------------------------------------------------

#[test]
fn render_aligns_carets_after_multibyte_characters() {
    let text = "filter msg = \"café\" | fitler x";
    let d = lint(text, false);
    assert_eq!(d.len(), 1);
    assert_eq!(line_col(text, d[0].span.start), (1, 23));
    assert_eq!(
        render("queries/cafe.cwli", text, &d[0]),
        "queries/cafe.cwli:1:23: LQ003 unknown command 'fitler'\n\
         \x20 |\n\
         1 | filter msg = \"café\" | fitler x\n\
         \x20 |                       ^^^^^^\n\
         \x20 = help: did you mean 'filter'?\n"
    );
}

#[test]
fn render_handles_later_lines_and_no_help() {
    let text = "fields a\n\n\n\n\n\n\n\n\n| filter b = 'x";
    let d = lint(text, false);
    let out = render("q", text, &d[0]);
    assert_eq!(
        out,
        "q:10:14: LQ002 unterminated string\n   |\n10 | | filter b = 'x\n   |              ^^\n   = help: close the string with '\n"
    );
    let bare = Diagnostic {
        code: "LQ999",
        severity: Severity::Error,
        message: "m".into(),
        span: 0..0,
        help: None,
    };
    assert_eq!(render("p", "", &bare), "p:1:1: LQ999 m\n  |\n1 | \n  | ^\n");
}

#[test]
fn line_col_counts_characters_and_clamps() {
    let text = "ab\nçd\n";
    assert_eq!(line_col(text, 0), (1, 1));
    assert_eq!(line_col(text, 3), (2, 1));
    assert_eq!(line_col(text, 5), (2, 2));
    assert_eq!(line_col(text, 4), (2, 1)); // inside 'ç': floors to its start
    assert_eq!(line_col(text, 999), (3, 1));
}

// ---- corpus -----------------------------------------------------------------------------------

const CORPUS: &[&str] = &[
    // WAF: blocked requests by terminating rule
    "# WAF: blocked requests by terminating rule\n\
     fields @timestamp, terminatingRuleId, httpRequest.clientIp\n\
     | filter action = \"BLOCK\"\n\
     | stats count(*) as blocked by terminatingRuleId\n\
     | sort blocked desc\n\
     | limit 20",
    // WAF: blocked by country
    "filter action = \"BLOCK\"\n| stats count(*) as requests by httpRequest.country\n| sort requests desc\n| limit 25",
    // WAF: top client IPs
    "fields httpRequest.clientIp as clientIp\n| filter action = 'BLOCK'\n| stats count(*) as hits by clientIp\n| sort hits desc\n| limit 10",
    // WAF: rate-based rule trips per 5 minutes
    "# which IPs tripped the rate-based rule\n\
     filter terminatingRuleType = \"RATE_BASED\"\n\
     | stats count(*) as blocked by httpRequest.clientIp, bin(5m)\n\
     | sort blocked desc",
    // WAF: rule ids from the raw message
    "filter @message like /\"action\":\"BLOCK\"/\n| parse @message '\"terminatingRuleId\":\"*\"' as rule\n| stats count(*) as n by rule\n| sort n desc",
    // WAF: blocked URIs per host header
    "filter action = \"BLOCK\" and httpRequest.headers.0.name = \"host\"\n| stats count(*) as n by httpRequest.headers.0.value, httpRequest.uri\n| sort n desc\n| limit 50",
    // ALB: 5xx by path
    "# ALB 5xx by path\n\
     filter elb_status_code >= 500\n\
     | parse request_url \"https://*/*\" as host, path\n\
     | stats count(*) as errors by path\n\
     | sort errors desc\n\
     | limit 20",
    // ALB: latency percentiles
    "fields target_processing_time * 1000 as latencyMs\n\
     | stats pct(latencyMs, 50) as p50, pct(latencyMs, 90) as p90, pct(latencyMs, 99) as p99 by bin(5m)",
    // ALB: 5xx per target group over time
    "filter elb_status_code like /^5/\n| stats count(*) as e5xx by bin(1m), target_group_arn",
    // Route 53 Resolver: top domains
    "# Route 53 Resolver: most queried domains\nstats count(*) as queries by query_name\n| sort queries desc\n| limit 25",
    // Route 53 Resolver: NXDOMAIN by name and client
    "filter rcode = \"NXDOMAIN\"\n| stats count(*) as nx by query_name, srcaddr\n| sort nx desc\n| limit 50",
    // Route 53: queries by type per hour
    "stats count(*) by query_type, bin(1h)",
    // VPC flow logs: top talkers
    "# VPC flow logs: top talkers by bytes\nstats sum(bytes) as bytesTransferred by srcAddr, dstAddr\n| sort bytesTransferred desc\n| limit 15",
    // VPC flow logs: rejects
    "filter action = \"REJECT\"\n| stats count(*) as rejects by srcAddr, dstPort\n| sort rejects desc\n| limit 20",
    // VPC flow logs: egress out of the VPC CIDR
    "filter isIpv4InSubnet(srcAddr, \"10.0.0.0/16\") and not isIpv4InSubnet(dstAddr, \"10.0.0.0/16\")\n\
     | stats sum(bytes) / 1024 / 1024 as egressMiB by srcAddr\n\
     | sort egressMiB desc",
    // VPC flow logs: UDP talkers
    "filter protocol = 17 | stats count(*) as flows by srcAddr | sort flows desc | limit 10",
    // /var/log/secure: failed logins by IP
    "# sshd: failed password attempts by source IP\n\
     filter @message like /Failed password/\n\
     | parse @message /Failed password for (invalid user )?(?<user>\\S+) from (?<ip>\\S+) port (?<port>\\d+)/\n\
     | stats count(*) as attempts by ip\n\
     | sort attempts desc\n\
     | limit 20",
    // /var/log/secure: invalid users
    "filter @message like \"Invalid user\"\n\
     | parse @message \"Invalid user * from * port *\" as user, ip, port\n\
     | stats count_distinct(user) as users, count(*) as attempts by ip\n\
     | filter attempts > 10\n\
     | sort attempts desc",
    // Lambda: cold starts
    "filter @type = \"REPORT\" and ispresent(@initDuration)\n\
     | stats count(*) as coldStarts, avg(@initDuration) as avgInitMs, max(@initDuration) as maxInitMs by bin(1h)",
    // Lambda: errors
    "fields @timestamp, @message, @logStream\n| filter @message like /(?i)(error|exception|task timed out)/\n| sort @timestamp desc\n| limit 100",
    // Lambda: memory over-provisioning
    "filter @type = \"REPORT\"\n\
     | stats max(@memorySize / 1000 / 1000) as provisionedMB,\n\
     \x20       min(@maxMemoryUsed / 1000 / 1000) as smallestMemoryRequestMB,\n\
     \x20       avg(@maxMemoryUsed / 1000 / 1000) as avgMemoryUsedMB,\n\
     \x20       max(@maxMemoryUsed / 1000 / 1000) as maxMemoryUsedMB,\n\
     \x20       provisionedMB - maxMemoryUsedMB as overProvisionedMB",
    // Lambda: duration percentiles
    "filter @type = \"REPORT\"\n| stats avg(@duration), max(@duration), min(@duration), pct(@duration, 95) by bin(5m)",
    // Lambda: 4xx in the last two hours
    "parse @message \"Status Code: *;\" as statusCode\n| filter statusCode >= 400 and statusCode <= 499\n| filter toMillis(@timestamp) >= (now() * 1000 - 7200000)",
    // Latest event per server
    "fields @timestamp, server, severity, message\n| sort @timestamp desc\n| dedup server, severity\n| limit 50",
    // CloudTrail via SOURCE and field indexes
    "SOURCE logGroups(namePrefix: [\"/aws/cloudtrail\"], class: \"STANDARD\") START=-1h END=now\n\
     | filterIndex @data_source_name in [\"aws_cloudtrail\"]\n\
     | filter eventSource = \"iam.amazonaws.com\" and eventName in [\"CreateUser\", \"DeleteUser\"]\n\
     | stats count(*) by eventName, userIdentity.arn",
    // JSON arrays
    "fields jsonParse(@message) as js\n| unnest js.accounts into account\n| stats sum(account.droppedSpans) as n by account.accountId\n| sort n desc\n| limit 10",
    // Lookup enrichment
    "fields @timestamp, srcAddr, dstAddr, dstPort\n| lookup network_services ip_address as srcAddr, port as dstPort OUTPUT service_name, owner\n| filter ispresent(service_name)",
    // API Gateway joined with Lambda
    "filter status >= 500\n\
     | join type=inner left=api right=lambda\n\
     \x20   where api.requestId=lambda.requestId\n\
     \x20   (SOURCE '/aws/lambda/my-function')\n\
     | fields api.requestId, api.status, api.latency, lambda.duration\n\
     | sort api.latency desc",
    // Failed auth requests via subquery
    "filter requestId in (\n    SOURCE '/aws/lambda/auth-service'\n    | filter authResult = \"FAILED\"\n    | fields requestId\n)\n| fields @timestamp, requestId, endpoint, status\n| sort @timestamp desc\n| limit 50",
    // Patterns and anomalies in errors
    "fields @timestamp, @message\n| filter @type = \"ERROR\"\n| pattern @message\n| anomaly\n| sort @timestamp desc",
    // Week-over-week pattern diff
    "fields @message\n| pattern @message\n| diff previousWeek",
    // Ingest volume with two stats
    "FIELDS strlen(@message) AS message_length\n\
     | STATS sum(message_length) / 1024 / 1024 AS logs_mb BY BIN(5m) as @t\n\
     | STATS max(logs_mb) AS peak_ingest_mb, avg(logs_mb) AS avg_ingest_mb BY dateceil(@t, 10m)",
    // A commented-out stage
    "fields @timestamp, @message\n# | filter @message like /debug/\n| sort @timestamp desc\n| limit 20",
    // Totals
    "fields price, tax, qty\n| addtotals fieldname=RowSum price, tax",
    // API Gateway p99 by resource
    "fields @timestamp, resourcePath, responseLatency\n| stats pct(responseLatency, 99) as p99 by resourcePath\n| sort p99 desc",
];

#[test]
fn corpus_lints_clean() {
    assert!(CORPUS.len() >= 25);
    for q in CORPUS {
        let d = lint(q, false);
        assert!(d.is_empty(), "findings for\n{q}\n{d:#?}");
    }
}

#[test]
fn corpus_on_infrequent_access_flags_only_unsupported_commands() {
    for q in CORPUS {
        let d = lint(q, true);
        let parsed = parse(q);
        let uses_ia_unsupported = parsed
            .query
            .commands()
            .any(|c| ["pattern", "diff", "unmask", "filterindex"].contains(&c));
        assert_eq!(!d.is_empty(), uses_ia_unsupported, "{q}\n{d:#?}");
        assert!(d.iter().all(|d| d.code == "LQ101"), "{d:#?}");
    }
}

// ---- never panics -----------------------------------------------------------------------------

fn assert_spans_ok(text: &str) {
    for ia in [false, true] {
        for d in lint(text, ia) {
            assert!(d.span.start <= d.span.end, "{d:?} in {text:?}");
            assert!(d.span.end <= text.len(), "{d:?} in {text:?}");
            assert!(text.is_char_boundary(d.span.start), "{d:?} in {text:?}");
            assert!(text.is_char_boundary(d.span.end), "{d:?} in {text:?}");
            assert!(!d.message.contains('\n'), "{d:?}");
            let _ = render("p", text, &d);
        }
    }
    let parsed = parse(text);
    for stage in &parsed.query.stages {
        assert!(stage.span.end <= text.len());
        assert!(text.is_char_boundary(stage.span.start) && text.is_char_boundary(stage.span.end));
        for e in stage.exprs() {
            e.walk(&mut |e| {
                assert!(
                    e.span.start <= e.span.end && e.span.end <= text.len(),
                    "{e:?}"
                );
                assert!(text.is_char_boundary(e.span.start) && text.is_char_boundary(e.span.end));
            });
        }
    }
}

#[test]
fn hostile_inputs_do_not_panic() {
    for text in [
        "(".repeat(20_000),
        ")".repeat(1_000),
        "!".repeat(20_000) + "x",
        "-".repeat(20_000),
        "[".repeat(20_000),
        "filter ".to_string() + &"not ".repeat(20_000) + "x",
        "filter x in (".repeat(3_000),
        "f(".repeat(10_000),
        "|".repeat(1_000),
        "\"".to_string(),
        "`".to_string(),
        "/".to_string(),
        "parse /".to_string(),
        "SOURCE START=".to_string(),
        "é|ü\u{0}\u{FEFF}#\n".repeat(50),
        "filter \"\\".to_string(),
        "fields a.".to_string(),
        "fields 5".to_string(),
        "stats count(*) by bin(5m) offset".to_string(),
        "join type=".to_string(),
        "lookup t a as".to_string(),
        "filter a in (SOURCE 'x' | filter (".to_string(),
    ] {
        assert_spans_ok(&text);
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 512,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn parse_never_panics_on_arbitrary_text(text in any::<String>()) {
        assert_spans_ok(&text);
    }

    #[test]
    fn parse_never_panics_on_query_like_text(
        text in "[a-z@`'\"/\\\\|()\\[\\]{},.:=!<>~*+%^# \n0-9-]{0,80}"
    ) {
        assert_spans_ok(&text);
    }

    #[test]
    fn parse_never_panics_on_mutated_corpus(
        which in 0..CORPUS.len(),
        edits in proptest::collection::vec((any::<bool>(), any::<prop::sample::Index>(), any::<char>()), 1..6),
    ) {
        let mut text = CORPUS[which].to_string();
        for (insert, at, ch) in edits {
            let boundaries: Vec<usize> = text
                .char_indices()
                .map(|(i, _)| i)
                .chain(std::iter::once(text.len()))
                .collect();
            let pos = boundaries[at.index(boundaries.len())];
            if insert {
                text.insert(pos, ch);
            } else if pos < text.len() {
                text.remove(pos);
            }
        }
        assert_spans_ok(&text);
    }
}

// ---- PPL and SQL ------------------------------------------------------------------------------

fn codes(d: &[Diagnostic]) -> Vec<&'static str> {
    d.iter().map(|d| d.code).collect()
}

#[test]
fn ppl_clean_queries() {
    for q in [
        "source = `/aws/lambda/my-fn` | where status >= 500 | stats count() by path",
        "search source=logs | head 10",
        "fields `@timestamp`, `@message` | sort - `@timestamp` | head 25",
        "where field1=\"success\" | where field2 != \"i-023fe0a90929d8822\" | fields field3 | head 1000",
        "LEFT JOIN left=l, right=r on l.id = r.id `join_right_lg` | fields l.field_1, r.field_2",
        "parse field1 \".*/(?<field2>[^/]+$)\" | where field2 = \"requestId\"",
    ] {
        assert!(lint_ppl(q).is_empty(), "{q}: {:?}", lint_ppl(q));
    }
}

#[test]
fn ppl_findings() {
    let d = lint_ppl("where msg = \"oops | head 5");
    assert_eq!(codes(&d), ["LQ201"]);
    assert_eq!(
        line_col("where msg = \"oops | head 5", d[0].span.start),
        (1, 13)
    );
    assert_eq!(codes(&lint_ppl("fields `@message | head 5")), ["LQ201"]);
    assert_eq!(codes(&lint_ppl("where (a = 1 | head 5")), ["LQ202"]);
    assert_eq!(codes(&lint_ppl("where a = 1) | head 5")), ["LQ202"]);
    let d = lint_ppl("filter a = 1 | head 5");
    assert_eq!(codes(&d), ["LQ203"]);
    assert_eq!(d[0].span, 0..6);
    assert_eq!(codes(&lint_ppl("   ")), ["LQ006"]);
}

#[test]
fn sql_clean_queries() {
    for q in [
        "SELECT `@timestamp`, `@message` FROM `/aws/lambda/my-fn` WHERE `@message` LIKE '%error%' ORDER BY `@timestamp` DESC LIMIT 100",
        "-- errors per hour\nselect count(*) from `LogGroupA` where status = 'it''s'",
        "WITH t AS (SELECT a FROM `lg`) SELECT * FROM t",
        "SELECT A.`@message`, B.status FROM `LogGroupA` as A INNER JOIN `LogGroupB` as B ON A.requestId = B.requestId",
        "SELECT * FROM `logGroups(logGroupIdentifier: ['/aws/lambda/a'])` LIMIT 10",
        "/* block */ SELECT service, COUNT(*) FROM `filterIndex('region' = 'us-east-1')` GROUP BY service",
    ] {
        assert!(lint_sql(q).is_empty(), "{q}: {:?}", lint_sql(q));
    }
}

#[test]
fn sql_findings() {
    assert_eq!(codes(&lint_sql("SELECT 'abc FROM `lg`")), ["LQ201"]);
    assert_eq!(codes(&lint_sql("SELECT a FROM `lg")), ["LQ201"]);
    assert_eq!(codes(&lint_sql("SELECT count(a FROM `lg`")), ["LQ202"]);
    assert_eq!(codes(&lint_sql("fields a FROM `lg`")), ["LQ203"]);
    let d = lint_sql("SELECT 1");
    assert_eq!(codes(&d), ["LQ204"]);
    let d = lint_sql("SELECT a\nFROM 'not a name'");
    assert_eq!(codes(&d), ["LQ204"]);
    assert_eq!(
        line_col("SELECT a\nFROM 'not a name'", d[0].span.start),
        (2, 1)
    );
}

// ---- accepted but undocumented: warnings, never errors ------------------------------------------

#[test]
fn undocumented_constructs_are_warnings_with_their_place() {
    let w = |text: &str| -> Vec<(&'static str, usize, usize, Severity)> {
        lint(text, false)
            .into_iter()
            .map(|d| {
                let (l, c) = line_col(text, d.span.start);
                (d.code, l, c, d.severity)
            })
            .collect()
    };
    // 'sort by': the `by` word (column 8 of the second line) is what is undocumented.
    assert_eq!(
        w("fields a\n| sort by a desc"),
        vec![("LQ301", 2, 8, Severity::Warning)]
    );
    // `by` alone after sort is still an error: there is no field to sort by.
    assert_eq!(codes(&lint("fields a | sort by", false)), ["LQ001"]);
    assert_eq!(
        w("filter a == 1"),
        vec![("LQ302", 1, 10, Severity::Warning)]
    );
    assert_eq!(
        w("fields @message\n| head 20"),
        vec![("LQ305", 2, 3, Severity::Warning)]
    );
    assert_eq!(
        codes(&lint("fields @message | tail twenty", false)),
        ["LQ305", "LQ001"]
    );
    assert_eq!(
        w("filter a = 1\n| estimate anything (at all)"),
        vec![("LQ304", 2, 3, Severity::Warning)]
    );
    // A regex wrapped over lines outside `parse` is still unterminated (a division could follow).
    assert_eq!(
        codes(&lint("filter a like /x\ny/", false)),
        ["LQ002", "LQ001"]
    );
}
