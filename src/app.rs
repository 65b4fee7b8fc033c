//! The entry point: parse the arguments ([`crate::cli`]), set up logging and the async runtime,
//! dispatch to the subcommand's glue ([`crate::commands`]), and turn every outcome into an exit
//! code (0 success, 1 ran fine but found a problem, 2 usage/input/runtime error) with any error
//! on one line of stderr. The one module that knows both the arguments and the commands.

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::commands;
use crate::error::{EXIT_ERROR, Error};
use crate::progress::Reporter;

/// Parse arguments, run, report: returns the process exit code.
pub fn main() -> i32 {
    let cli = Cli::parse();
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
    let filter = tracing_subscriber::EnvFilter::try_from_env("LOGPLAN_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(format!("logplan={level},warn")));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}
