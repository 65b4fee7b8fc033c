//! `logplan` binary: parse arguments, run, print the error on one line, exit with a documented code.

fn main() {
    std::process::exit(logplan::app::main());
}
