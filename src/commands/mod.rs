//! One module per subcommand: the glue between the command line and the stage modules, which
//! know nothing of the CLI.

pub mod init;
pub mod prices;
pub mod report;
pub mod sample;
