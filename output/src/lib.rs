//! Tables and summaries of cessa-sim results: the terminal table of `run`,
//! `summary.json`, and the CSV tables. Everything written is a pure
//! function of the results, so the same run gives the same bytes.

pub mod tables;
pub mod terminal;

pub use tables::{RunOutputs, write_run, write_validation};
pub use terminal::{region_table, validation_table};
