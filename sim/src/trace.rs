//! Call records from a simulation, in the shape a dispatch system exports:
//! for every mobile-eligible call, when it was requested, dispatched, when
//! the team arrived and left the scene. They let the calibration be tested
//! on records whose true parameters are known (fit what was simulated, get
//! the parameters back), and let a back-test be checked against itself.
//!
//! Tracing keeps one record per call in memory, so it is for tests and
//! small runs; `montecarlo::run` never traces.

use crate::engine::Engine;
use crate::model::Model;

/// One mobile-eligible call of a traced replication. Times are minutes
/// from the run start.
#[derive(Debug, Clone, PartialEq)]
pub struct CallRecord {
    /// Region index.
    pub region: usize,
    /// Zone index.
    pub zone: usize,
    /// Call type index.
    pub call_type: usize,
    /// Channel index.
    pub channel: usize,
    /// First notification (the request).
    pub request_min: f64,
    /// When the dispatch decision was made (after intake).
    pub decision_min: f64,
    /// When a team set off; none when diverted.
    pub dispatch_min: Option<f64>,
    /// When the team arrived on scene.
    pub arrival_min: Option<f64>,
    /// When the team left the scene (before any transport).
    pub departure_min: Option<f64>,
    /// When the team was free again (after transport).
    pub free_min: Option<f64>,
    /// Diverted to police for lack of capacity.
    pub diverted: bool,
}

/// Simulates replication `replication` of a model and returns its call
/// records, in the order calls were dispatched or diverted.
pub fn trace(model: &Model, replication: u64) -> Vec<CallRecord> {
    Engine::new(model, replication).run_traced().1
}
