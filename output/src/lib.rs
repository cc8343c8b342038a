//! Tables and summaries of cessa-sim results: the terminal table of `run`,
//! `summary.json`, and the CSV tables. Everything written is a pure
//! function of the results, so the same run gives the same bytes.

pub mod compare;
pub mod percent;
pub mod report;
pub mod sensitivity;
pub mod sizing;
pub mod sweep;
pub mod tables;
pub mod terminal;

pub use compare::{compare_table, write_compare};
pub use sensitivity::{sensitivity_table, write_sensitivity};
pub use sizing::{sizing_table, write_sizing};
pub use tables::{
    OutputError, RunOutputs, by_region_table, by_region_table_header, check_folder, rows_to_csv, to_csv,
    write_atomic, write_folder, write_run, write_validation,
};
pub use terminal::{region_table, validation_table};
