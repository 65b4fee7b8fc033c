//! The entry point: parse the arguments ([`crate::cli`]), set up logging and the async runtime,
//! dispatch to the subcommand's glue ([`crate::commands`]), and turn every outcome into an exit
//! code (0 success, 1 ran fine but found a problem, 2 usage/input/runtime error) with any error
//! on one line of stderr. The one module that knows both the arguments and the commands.

use std::io::IsTerminal;

use clap::{CommandFactory, Parser};

use crate::cli::{Cli, Command};
use crate::commands;
use crate::error::{EXIT_ERROR, Error};
use crate::progress::Reporter;

/// Parse arguments, run, report: returns the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return argument_error(&e),
    };
    init_tracing(cli.global.verbose, cli.global.quiet);
    let reporter = Reporter::new(cli.global.quiet);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("logplan: cannot start the async runtime: {e}");
            return EXIT_ERROR;
        }
    };
    let result = runtime.block_on(run(cli, &reporter));
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("logplan: {}", one_line(&e));
            e.exit_code()
        }
    }
}

/// `--help` and `--version` print as clap prints them (exit 0); an argument error becomes one
/// line, `logplan: <message>; see logplan <command> --help`, exit 2.
fn argument_error(e: &clap::Error) -> i32 {
    use clap::error::ErrorKind;
    if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
        let _ = e.print();
        return crate::error::EXIT_OK;
    }
    eprintln!(
        "logplan: {}; see {} --help",
        argument_message(e),
        command_path(std::env::args().skip(1))
    );
    EXIT_ERROR
}

/// clap's message without its `error:` label, tips and usage block (plain text: the rendering
/// carries no colour codes once turned into a string).
fn argument_message(e: &clap::Error) -> String {
    let text = e.render().to_string();
    let first = text
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("error:"))
        .map(|l| l.trim_start_matches("error:").trim().to_string());
    first.unwrap_or_else(|| "a command is required (sample, report, queries, ...)".into())
}

/// `logplan queries apply`: the subcommands named in the arguments, for the `--help` hint.
fn command_path(args: impl Iterator<Item = String>) -> String {
    let mut cmd = Cli::command();
    let mut path = String::from("logplan");
    for a in args {
        if a.starts_with('-') {
            continue;
        }
        let Some(sub) = cmd.find_subcommand(&a).cloned() else {
            continue;
        };
        path.push(' ');
        path.push_str(sub.get_name());
        cmd = sub;
    }
    path
}

fn one_line(e: &Error) -> String {
    e.to_string().replace(['\n', '\r'], " ")
}

async fn run(cli: Cli, reporter: &Reporter) -> Result<i32, Error> {
    match cli.command {
        Command::Sample(args) => commands::sample::run(&cli.global, &args, reporter).await,
        Command::Report(args) => commands::report::run(&cli.global, &args, reporter).await,
        Command::Actuals(args) => commands::actuals::run(&cli.global, &args, reporter).await,
        Command::Prices(args) => commands::prices::run(&cli.global, &args),
        Command::Init(args) => commands::init::run(&args),
        Command::Queries(args) => commands::queries::run(&cli.global, &args, reporter).await,
        Command::IamPolicy(args) => commands::iam::run(&cli.global, &args),
    }
}

fn init_tracing(verbose: u8, quiet: bool) {
    let level = match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, _) => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("LOGPLAN_LOG").unwrap_or_else(|_| {
        // --quiet silences the SDK's warnings too: the error line is all that is printed.
        let others = if quiet { "off" } else { "warn" };
        tracing_subscriber::EnvFilter::new(format!("logplan={level},{others}"))
    });
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        // Colour codes only for a person at a terminal, never into a file or a pipe.
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}
