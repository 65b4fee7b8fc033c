//! Against moto (CloudWatch Logs, STS) with metrics from the project's fake endpoint.

mod common;
