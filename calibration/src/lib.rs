//! Calibration of cessa-sim scenarios from historical call records.
//!
//! Empty for now: the calibration issue builds `cessa-sim calibrate` and
//! `cessa-sim backtest` here, on top of the engine crate `sim`.
