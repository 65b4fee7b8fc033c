//! Syntax tree of a Logs Insights QL query: an optional leading `SOURCE` clause and a pipeline
//! of stages, each one command with its parsed arguments. Every node keeps the byte span it came
//! from so findings can point at it. A stage or expression that failed to parse is kept as
//! `Command::Invalid` / `ExprKind::Error` so the rest of the query is still available.

use std::ops::Range;

pub type Span = Range<usize>;

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Query {
    pub source: Option<Source>,
    pub stages: Vec<Stage>,
    pub span: Span,
}

/// `SOURCE logGroups(...) START=... END=... |` or `SOURCE '/log/group'`.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Source {
    pub items: Vec<SourceItem>,
    pub start: Option<TimeBound>,
    pub end: Option<TimeBound>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub enum SourceItem {
    /// `logGroups(namePrefix: [...], class: "STANDARD", accountIdentifier: [...])`
    LogGroups { args: Vec<NamedArg>, span: Span },
    /// `logGroupTags([{key: 'team', values: ['a']}])`
    LogGroupTags { args: Vec<NamedArg>, span: Span },
    /// `dataSource(['amazon_vpc.flow'])`
    DataSource { args: Vec<NamedArg>, span: Span },
    /// A log group named by a string, as dashboards and the right side of `join` write it.
    Name { name: String, span: Span },
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct NamedArg {
    pub name: Option<Ident>,
    pub value: Expr,
}

/// The raw text of `START=...` / `END=...` (`-1h`, `0s`, `now`, an ISO timestamp).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct TimeBound {
    pub text: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Stage {
    pub command: Command,
    /// The whole stage, command word to last argument.
    pub span: Span,
    /// Just the command word.
    pub name_span: Span,
}

/// `expr [as alias]`, in `fields`, `display` and `stats`.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Projection {
    pub expr: Expr,
    pub alias: Option<Ident>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum SortOrder {
    Asc,
    Desc,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct SortKey {
    pub expr: Expr,
    pub order: Option<SortOrder>,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Stats {
    pub aggregates: Vec<Projection>,
    pub by: Vec<Projection>,
    /// `... by bin(5m) offset 1h`
    pub offset: Option<Expr>,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub enum ParsePattern {
    /// `"user=*, method:*"`, with one `*` per alias.
    Glob { pattern: String, span: Span },
    /// `/(?<name>...)/`; fields come from the named groups. `multi` extracts every match.
    Regex {
        pattern: String,
        span: Span,
        multi: bool,
    },
    /// `logfmt` or `csv`.
    Mode { name: Ident },
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Parse {
    /// The field parsed; `None` means `@message`.
    pub source: Option<Expr>,
    pub pattern: ParsePattern,
    pub aliases: Vec<Ident>,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct LookupKey {
    pub table_field: Ident,
    /// `ip_address as srcAddr`: the log field matched against the table column.
    pub log_field: Option<Ident>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum OutputMode {
    Output,
    OutputNew,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Lookup {
    pub table: Ident,
    pub keys: Vec<LookupKey>,
    pub mode: OutputMode,
    pub outputs: Vec<Ident>,
}

/// `join type=inner left=a right=b where a.k=b.k (SOURCE '/lg')`
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Join {
    pub options: Vec<(Ident, Ident)>,
    pub condition: Expr,
    pub right: Box<Query>,
}

/// `addtotals fieldname=Total row=true col=false a, b`
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct AddTotals {
    pub options: Vec<(Ident, Expr)>,
    pub fields: Vec<Expr>,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub enum Command {
    Fields(Vec<Projection>),
    Display(Vec<Projection>),
    Filter(Expr),
    FilterIndex(Expr),
    Stats(Stats),
    Sort(Vec<SortKey>),
    Limit(Expr),
    Parse(Parse),
    Dedup(Vec<Expr>),
    Pattern(Expr),
    /// `diff`, `diff previousDay|previousWeek|previousMonth`
    Diff(Option<Ident>),
    /// The `unmask` command word followed by its operands, e.g. `unmask(@message)` as a stage.
    Unmask(Vec<Expr>),
    Unnest {
        expr: Expr,
        into: Ident,
    },
    Lookup(Lookup),
    Join(Join),
    Anomaly,
    AddTotals(AddTotals),
    /// A stage that could not be parsed; `name` is its first word, lower-cased.
    Invalid {
        name: String,
    },
}

impl Command {
    /// Lower-case command name (`filterindex`, `addtotals`); for `Invalid`, the first word.
    pub fn name(&self) -> &str {
        match self {
            Command::Fields(_) => "fields",
            Command::Display(_) => "display",
            Command::Filter(_) => "filter",
            Command::FilterIndex(_) => "filterindex",
            Command::Stats(_) => "stats",
            Command::Sort(_) => "sort",
            Command::Limit(_) => "limit",
            Command::Parse(_) => "parse",
            Command::Dedup(_) => "dedup",
            Command::Pattern(_) => "pattern",
            Command::Diff(_) => "diff",
            Command::Unmask(_) => "unmask",
            Command::Unnest { .. } => "unnest",
            Command::Lookup(_) => "lookup",
            Command::Join(_) => "join",
            Command::Anomaly => "anomaly",
            Command::AddTotals(_) => "addtotals",
            Command::Invalid { name } => name,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum UnaryOp {
    Neg,
    Not,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum BinaryOp {
    Or,
    And,
    Eq,
    NotEq,
    Lt,
    Le,
    Gt,
    Ge,
    Like,
    NotLike,
    /// `=~`
    Match,
    In,
    NotIn,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub enum ExprKind {
    /// A field path as written, backticks around a single-segment name removed
    /// (`@timestamp`, `httpRequest.clientIp`, `field name`).
    Field(String),
    Str(String),
    Number(f64),
    /// `5m`, `1h`, `30s`: `value` and the unit as written.
    Duration {
        value: f64,
        unit: String,
    },
    /// `/pattern/flags`; the pattern is opaque.
    Regex {
        pattern: String,
        flags: String,
    },
    Bool(bool),
    /// `*` in `count(*)`.
    Star,
    /// A saved-query parameter, `{{name}}`, replaced by its value when the query runs.
    Param(String),
    List(Vec<Expr>),
    /// `{key: 'team', values: [...]}` (only meaningful in `SOURCE logGroupTags`).
    Map(Vec<(Ident, Expr)>),
    Call {
        name: Ident,
        args: Vec<Expr>,
    },
    Unary {
        op: UnaryOp,
        operand: Box<Expr>,
    },
    Binary {
        op: BinaryOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// `list[1]`
    Index {
        base: Box<Expr>,
        index: Box<Expr>,
    },
    /// `list[1].action`
    Member {
        base: Box<Expr>,
        name: Ident,
    },
    /// `(SOURCE '/lg' | filter ... | fields requestId)` on the right of `in`.
    Subquery(Box<Query>),
    /// Where an expression was required but could not be parsed.
    Error,
}

/// A log group selected by `SOURCE`: by exact name or by name prefix.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub enum SourceLogGroup {
    Name(String),
    Prefix(String),
}

impl Expr {
    /// Visits this expression and every sub-expression, parents first. Subqueries are not
    /// entered (they are queries of their own; see [`Query::subqueries`]).
    pub fn walk<'a>(&'a self, f: &mut impl FnMut(&'a Expr)) {
        f(self);
        match &self.kind {
            ExprKind::List(items) => items.iter().for_each(|e| e.walk(f)),
            ExprKind::Map(entries) => entries.iter().for_each(|(_, e)| e.walk(f)),
            ExprKind::Call { args, .. } => args.iter().for_each(|e| e.walk(f)),
            ExprKind::Unary { operand, .. } => operand.walk(f),
            ExprKind::Binary { lhs, rhs, .. } => {
                lhs.walk(f);
                rhs.walk(f);
            }
            ExprKind::Index { base, index } => {
                base.walk(f);
                index.walk(f);
            }
            ExprKind::Member { base, .. } => base.walk(f),
            _ => {}
        }
    }
}

impl Stage {
    /// Every top-level expression of this stage (operands, not aliases or option names).
    pub fn exprs(&self) -> Vec<&Expr> {
        let mut out = Vec::new();
        match &self.command {
            Command::Fields(p) | Command::Display(p) => out.extend(p.iter().map(|p| &p.expr)),
            Command::Filter(e) | Command::FilterIndex(e) | Command::Limit(e) => out.push(e),
            Command::Pattern(e) => out.push(e),
            Command::Stats(s) => {
                out.extend(s.aggregates.iter().map(|p| &p.expr));
                out.extend(s.by.iter().map(|p| &p.expr));
                out.extend(s.offset.iter());
            }
            Command::Sort(keys) => out.extend(keys.iter().map(|k| &k.expr)),
            Command::Parse(p) => out.extend(p.source.iter()),
            Command::Dedup(e) | Command::Unmask(e) => out.extend(e.iter()),
            Command::Unnest { expr, .. } => out.push(expr),
            Command::Join(j) => out.push(&j.condition),
            Command::AddTotals(a) => {
                out.extend(a.options.iter().map(|(_, e)| e));
                out.extend(a.fields.iter());
            }
            Command::Diff(_) | Command::Lookup(_) | Command::Anomaly | Command::Invalid { .. } => {}
        }
        out
    }
}

impl Query {
    /// Lower-case command names in order, `source` first when the query has a SOURCE clause.
    pub fn commands(&self) -> impl Iterator<Item = &str> {
        self.source
            .iter()
            .map(|_| "source")
            .chain(self.stages.iter().map(|s| s.command.name()))
    }

    /// Log groups named by the leading `SOURCE` clause: `namePrefix` entries as prefixes,
    /// quoted names as names. Empty when there is no SOURCE (the caller picks the groups).
    pub fn source_log_groups(&self) -> Vec<SourceLogGroup> {
        let mut out = Vec::new();
        if let Some(source) = &self.source {
            collect_source_groups(source, &mut out);
        }
        out
    }

    /// Every log group the query names anywhere: the leading SOURCE, the right side of `join`
    /// and `in (SOURCE ...)` subqueries. Each is scanned, so each costs.
    pub fn referenced_log_groups(&self) -> Vec<SourceLogGroup> {
        let mut out = self.source_log_groups();
        for sub in self.subqueries() {
            for group in sub.referenced_log_groups() {
                if !out.contains(&group) {
                    out.push(group);
                }
            }
        }
        out
    }

    /// Queries nested directly in this one: join right sides and `in (...)` subqueries.
    pub fn subqueries(&self) -> Vec<&Query> {
        let mut out = Vec::new();
        for stage in &self.stages {
            if let Command::Join(j) = &stage.command {
                out.push(&*j.right);
            }
            for e in stage.exprs() {
                e.walk(&mut |e| {
                    if let ExprKind::Subquery(q) = &e.kind {
                        out.push(&**q);
                    }
                });
            }
        }
        out
    }

    /// Names of the `{{parameter}}` placeholders the query uses, in order, without duplicates.
    pub fn parameters_referenced(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut queries = vec![self];
        while let Some(q) = queries.pop() {
            for stage in &q.stages {
                for e in stage.exprs() {
                    e.walk(&mut |e| {
                        if let ExprKind::Param(name) = &e.kind
                            && !out.contains(name)
                        {
                            out.push(name.clone());
                        }
                    });
                }
            }
            queries.extend(q.subqueries());
        }
        out
    }

    /// Field names the query reads, in order of first appearance, without duplicates: field
    /// references in expressions, `parse` sources, `lookup` match fields. Names the query only
    /// defines (aliases) are not listed unless it also reads them. Subqueries are included.
    pub fn fields_referenced(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        self.collect_fields(&mut out);
        out
    }

    fn collect_fields(&self, out: &mut Vec<String>) {
        fn push(name: &str, out: &mut Vec<String>) {
            if !out.iter().any(|n| n == name) {
                out.push(name.to_string());
            }
        }
        for stage in &self.stages {
            for e in stage.exprs() {
                e.walk(&mut |e| {
                    if let ExprKind::Field(name) = &e.kind {
                        push(name, out);
                    }
                });
            }
            if let Command::Lookup(l) = &stage.command {
                for key in &l.keys {
                    let field = key.log_field.as_ref().unwrap_or(&key.table_field);
                    push(&field.name, out);
                }
            }
        }
        for sub in self.subqueries() {
            sub.collect_fields(out);
        }
    }
}

fn collect_source_groups(source: &Source, out: &mut Vec<SourceLogGroup>) {
    for item in &source.items {
        match item {
            SourceItem::Name { name, .. } => out.push(SourceLogGroup::Name(name.clone())),
            SourceItem::LogGroups { args, .. } => {
                for arg in args {
                    let is_prefix = arg
                        .name
                        .as_ref()
                        .is_some_and(|n| n.name.eq_ignore_ascii_case("namePrefix"));
                    if !is_prefix {
                        continue;
                    }
                    arg.value.walk(&mut |e| {
                        if let ExprKind::Str(s) = &e.kind {
                            out.push(SourceLogGroup::Prefix(s.clone()));
                        }
                    });
                }
            }
            SourceItem::LogGroupTags { .. } | SourceItem::DataSource { .. } => {}
        }
    }
}
