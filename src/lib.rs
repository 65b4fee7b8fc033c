//! `logplan`: measures what each CloudWatch log group costs where it is, and what it would cost
//! on the other path. The crate is organised by stage (`discover`, `sample`, `snapshot`), with
//! every AWS call behind the small traits of [`aws`] so that AWS, an emulator and the built-in
//! [`demo`] account run the same code above them. [`cli`] and [`commands`] are the glue.

pub mod app;
pub mod atomic;
pub mod aws;
pub mod cli;
pub mod collect;
pub mod commands;
pub mod config;
pub mod csv_line;
pub mod demo;
pub mod discover;
pub mod error;
pub mod format;
pub mod model;
pub mod money;
pub mod parallel;
pub mod period;
pub mod pricing;
pub mod progress;
pub mod queries;
pub mod reconcile;
pub mod regions;
pub mod report;
pub mod sample;
pub mod snapshot;
