//! The cessa-sim engine: a discrete-event Monte Carlo simulation of 9-8-8
//! mobile crisis response (see `shared/model.md` for the model).
//!
//! The crate does no file or terminal I/O. It takes scenario text,
//! validates it once into a [`Scenario`], and returns [`RunResults`].
//!
//! ```
//! use sim::{Model, Scenario, montecarlo};
//! let text = r#"
//! [run]
//! horizon_days = 30
//! replications = 4
//! [call_types.crisis]
//! max_response_min = 60
//! triage = { phone = 0.8, mobile = 0.2 }
//! on_scene = { dist = "exponential", mean = 60 }
//! [regions.Town]
//! population = 100000
//! calls_per_hour = 1.0
//! travel = { time = { dist = "lognormal", median = 15, p90 = 30 } }
//! teams.day = { count = 2, shift = "24/7" }
//! "#;
//! let scenario = Scenario::from_toml(text, "example.toml").unwrap();
//! let model = Model::new(scenario);
//! let results = montecarlo::run(&model, 4, &|| {});
//! let diverted = results
//!     .figure(Some("Town"), None, None, sim::results::GroupFigure::DivertedShare)
//!     .unwrap();
//! assert!(diverted.mean >= 0.0 && diverted.mean <= 1.0);
//! ```
//!
//! ## Event order
//! Events are ordered by time, then by the order they were scheduled:
//! events at the same instant run first in, first out.

pub mod calendar;
pub mod compare;
pub mod dist;
mod engine;
pub mod events;
pub mod figures;
pub mod model;
pub mod montecarlo;
pub mod queueing;
pub mod results;
pub mod rng;
pub mod scenario;
pub mod schedule;
pub mod sensitivity;
pub mod sizing;
pub mod stats;
pub mod sweep;
pub mod tally;
pub mod trace;
pub mod validation;

pub use model::Model;
pub use results::RunResults;
pub use scenario::{Scenario, ScenarioError};
