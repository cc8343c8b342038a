//! Streaming statistics of one replication: counters and fixed-bin
//! histograms whose size depends on the scenario's shape (regions, types,
//! channels, zones, months), never on the number of calls.

use crate::calendar::HOURS_PER_WEEK;

/// Width of a response-time histogram bin, minutes.
pub const BIN_MIN: f64 = 0.5;
/// Number of response-time bins below the overflow bin (covers 24 hours).
pub const BINS: usize = 2880;

/// Width of a bin of the per-team-group travel histograms, minutes.
pub const TRAVEL_BIN_MIN: f64 = 1.0;
/// Number of those bins below the overflow bin (covers 12 hours).
pub const TRAVEL_BINS: usize = 720;

/// Busy-team counts above this are tallied together.
pub const MAX_BUSY_LEVEL: usize = 64;

/// What happened to a contact. Every contact ends in exactly one outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(usize)]
pub enum Outcome {
    /// Resolved by phone.
    Phone = 0,
    /// Sent to police by triage (crime or threat).
    Police = 1,
    /// Sent to EMS by triage.
    Ems = 2,
    /// A mobile team arrived within the maximum response time.
    InTime = 3,
    /// A mobile team arrived, later than the maximum (a wrong estimate).
    Late = 4,
    /// Diverted to police for lack of mobile capacity.
    Diverted = 5,
    /// Hung up while waiting for a counsellor (and did not call back).
    Abandoned = 6,
    /// Rolled over to the national backup: answered out of state, so no
    /// local team could be sent.
    RolledOver = 7,
}

/// Number of outcomes.
pub const OUTCOMES: usize = 8;

/// Width of a bin of the contact-centre histograms, minutes (5 seconds).
pub const DESK_BIN_MIN: f64 = 5.0 / 60.0;
/// Number of those bins below the overflow bin (covers 2 hours).
pub const DESK_BINS: usize = 1440;

/// A counter kept per (region, call type, channel) cell, beyond outcomes: its own type, so a counter of another table cannot be passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Extra(usize);

impl Extra {
    /// Diverted because no team (own region or mutual aid) was on shift.
    pub const NO_TEAM: Extra = Extra(0);
    /// Mobile responses that requested police or EMS backup.
    pub const BACKUP: Extra = Extra(1);
    /// Mobile responses with an involuntary-commitment petition.
    pub const PETITION: Extra = Extra(2);
    /// Mobile responses with a transport.
    pub const TRANSPORT: Extra = Extra(3);
    /// Mobile responses by a team of another region (mutual aid).
    pub const MUTUAL_AID: Extra = Extra(4);
    /// Mobile responses that waited for a team after the dispatch decision.
    pub const WAITED: Extra = Extra(5);
    /// Contacts that reached a contact centre's queue (counted once).
    pub const OFFERED: Extra = Extra(6);
    /// Of which answered by an in-state counsellor.
    pub const ANSWERED: Extra = Extra(7);
    /// Of which answered within 20 seconds of reaching the queue.
    pub const ANSWERED_20S: Extra = Extra(8);
    /// Of which answered within 60 seconds.
    pub const ANSWERED_60S: Extra = Extra(9);
    /// Mobile-eligible contacts lost at the phones (abandoned or rolled over).
    pub const MOBILE_LOST_AT_DESK: Extra = Extra(10);
    /// Mobile-eligible contacts answered by a counsellor.
    pub const MOBILE_ANSWERED: Extra = Extra(11);
    /// Mobile responses cancelled while the team was on its way.
    pub const CANCELLED: Extra = Extra(12);
    /// Mobile responses where the team could not find the person.
    pub const UNABLE_TO_LOCATE: Extra = Extra(13);
    /// Mobile responses where the person refused the assessment.
    pub const REFUSED: Extra = Extra(14);
    /// Number of extra counters.
    pub const N: usize = 15;

    /// Its index in a row of the table.
    #[inline]
    pub const fn i(self) -> usize {
        self.0
    }
}

/// A counter kept per (month, zone).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthZone(usize);

impl MonthZone {
    /// All contacts.
    pub const CONTACTS: MonthZone = MonthZone(0);
    /// Contacts that triage sent to a mobile response.
    pub const MOBILE: MonthZone = MonthZone(1);
    /// Mobile responses in time.
    pub const IN_TIME: MonthZone = MonthZone(2);
    /// Mobile responses late.
    pub const LATE: MonthZone = MonthZone(3);
    /// Diverted to police for lack of capacity.
    pub const DIVERTED: MonthZone = MonthZone(4);
    /// Police by triage.
    pub const POLICE: MonthZone = MonthZone(5);
    /// Involuntary-commitment petitions.
    pub const PETITIONS: MonthZone = MonthZone(6);
    /// Number of counters.
    pub const N: usize = 7;
    /// Column names, in order.
    pub const NAMES: [&str; Self::N] = [
        "contacts",
        "mobile_eligible",
        "mobile_in_time",
        "mobile_late",
        "diverted_capacity",
        "police_triage",
        "petitions",
    ];

    /// Its index in a row of the table.
    #[inline]
    pub const fn i(self) -> usize {
        self.0
    }
}

/// A counter kept per (region, hour of week).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HourCount(usize);

impl HourCount {
    /// Mobile-eligible calls arriving in the hour.
    pub const MOBILE: HourCount = HourCount(0);
    /// Of which diverted for lack of capacity.
    pub const DIVERTED: HourCount = HourCount(1);
    /// Of which reached late.
    pub const LATE: HourCount = HourCount(2);
    /// Number of counters.
    pub const N: usize = 3;

    /// Its index in a row of the table.
    #[inline]
    pub const fn i(self) -> usize {
        self.0
    }
}

/// The dimensions of a tally.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    /// Regions.
    pub regions: usize,
    /// Call types.
    pub types: usize,
    /// Channels.
    pub channels: usize,
    /// Zones.
    pub zones: usize,
    /// Calendar months.
    pub months: usize,
    /// Contact centres.
    pub centres: usize,
    /// Team groups (`regions.NAME.teams.GROUP`).
    pub groups: usize,
}

impl Shape {
    /// Number of (region, type, channel) cells.
    pub fn cells(&self) -> usize {
        self.regions * self.types * self.channels
    }

    /// Index of a (region, type, channel) cell.
    #[inline]
    pub fn cell(&self, region: usize, ctype: usize, channel: usize) -> usize {
        (region * self.types + ctype) * self.channels + channel
    }
}

/// A reached call's times, minutes (see [`Tally::reached`]).
#[derive(Debug, Clone, Copy)]
pub struct Reached {
    /// Arrival (first contact) → arrival on scene.
    pub response_min: f64,
    /// The dispatch decision → a team set off.
    pub wait_min: f64,
    /// First contact → a team set off.
    pub dispatch_delay_min: f64,
    /// A team set off → arrived on scene.
    pub travel_min: f64,
    /// Arrived → left the scene.
    pub on_scene_min: f64,
}

/// The [`BIN_MIN`] bin of `minutes` (>= 0), the overflow bin past [`BINS`].
#[inline]
fn bin(minutes: f64) -> usize {
    // BIN_MIN is a power of two: multiplying by its inverse is exact.
    bin_of(minutes * (1.0 / BIN_MIN), BINS)
}

/// `x.floor()` as a bin index for `0 <= x < last`, bin 0 for a negative
/// or NaN `x`, `last` (the overflow bin) for `x >= last`: exactly
/// `(x as usize).min(last)`, through a 32-bit conversion, since the
/// saturating one to a 64-bit unsigned integer takes a dozen instructions
/// on x86-64 (issue 18: six bins a reached call).
#[inline]
fn bin_of(x: f64, last: usize) -> usize {
    if x >= last as f64 { last } else { x as u32 as usize }
}

/// Statistics of one replication.
#[derive(Debug, Clone)]
pub struct Tally {
    /// Dimensions.
    pub shape: Shape,
    /// Outcome counts, `[cell][OUTCOMES]`.
    pub outcomes: Vec<u32>,
    /// Extra counts, `[cell][Extra::N]`.
    pub extras: Vec<u32>,
    /// Response-time histograms, `[cell][BINS + 1]`; the last bin is overflow.
    pub response_hist: Vec<u32>,
    /// Sum of response times, minutes, `[cell]`.
    pub response_sum_min: Vec<f64>,
    /// Sum of waits from the dispatch decision until a team set off, minutes, `[cell]`.
    pub wait_sum_min: Vec<f64>,
    /// Histograms of those waits, `[cell][BINS + 1]`, like `response_hist`.
    pub wait_hist: Vec<u32>,
    /// Histograms of the delay from first contact until a team set off
    /// (intake, any wait for a counsellor, the wait for a team): what a
    /// dispatch system records as request → dispatch, `[cell][BINS + 1]`.
    pub dispatch_delay_hist: Vec<u32>,
    /// Histograms of travel times (a team set off → arrived on scene), `[cell][BINS + 1]`.
    pub travel_hist: Vec<u32>,
    /// Histograms of on-scene times (arrived → left the scene, before any
    /// transport), `[cell][BINS + 1]`.
    pub on_scene_hist: Vec<u32>,
    /// Minutes with k of the region's teams busy, `[region][MAX_BUSY_LEVEL + 1]`
    /// (the last entry counts k >= MAX_BUSY_LEVEL), in the measured window.
    pub busy_level_min: Vec<f64>,
    /// Sum of job durations (travel, scene, transport) of measured calls, by
    /// the serving team's region, minutes.
    pub job_min_sum: Vec<f64>,
    /// Jobs of measured calls, by the serving team's region.
    pub jobs: Vec<u64>,
    /// Counters by hour of week, `[region][168][HourCount::N]`.
    pub by_hour: Vec<u32>,
    /// Busy team-minutes by hour of week, `[region][168]`.
    pub busy_by_hour_min: Vec<f64>,
    /// Busy team-minutes by the region's teams, `[region]`.
    pub busy_min: Vec<f64>,
    /// Overtime team-minutes past shift ends, `[region]`.
    pub overtime_min: Vec<f64>,
    /// Integral over time of the number of waiting calls, call-minutes, `[region]`.
    pub queue_integral: Vec<f64>,
    /// Counters by month and zone, `[month][zone][MonthZone::N]`.
    pub month_zone: Vec<u32>,
    /// Sum of waits for a counsellor of answered contacts (last attempt),
    /// minutes, `[cell]`; empty without contact centres.
    pub answer_wait_sum_min: Vec<f64>,
    /// Of mobile-eligible answered contacts, minutes, `[cell]`.
    pub mobile_desk_wait_sum_min: Vec<f64>,
    /// Histograms of waits for a counsellor of answered contacts,
    /// `[cell][DESK_BINS + 1]` ([`DESK_BIN_MIN`] bins, the last overflow).
    pub answer_hist: Vec<u32>,
    /// Histograms of the time in queue of every offered contact's first
    /// attempt, until answered, hung up or rolled over, `[cell][DESK_BINS + 1]`.
    pub desk_time_hist: Vec<u32>,
    /// Busy counsellor-minutes by hour of week, `[centre][168]`.
    pub desk_busy_by_hour_min: Vec<f64>,
    /// Jobs of measured calls by team group, `[group]`.
    pub team_jobs: Vec<u32>,
    /// Busy minutes (travel, scene, transport) of each group's teams in the
    /// measured window, `[group]`.
    pub team_busy_min: Vec<f64>,
    /// Overtime minutes past shift ends of each group's teams, `[group]`.
    pub team_overtime_min: Vec<f64>,
    /// Sum of travel minutes of each group's measured jobs, `[group]`.
    pub team_travel_sum_min: Vec<f64>,
    /// Histograms of those travel times, `[group][TRAVEL_BINS + 1]`
    /// ([`TRAVEL_BIN_MIN`] bins, the last overflow).
    pub team_travel_hist: Vec<u32>,
    /// Measured jobs by team group and the call's zone, `[group][zone]`.
    pub team_zone_jobs: Vec<u32>,
    /// Follow-up visits made by each group's teams, `[group]`.
    pub team_follow_ups: Vec<u32>,
    /// Follow-up visits made, of measured responses, `[region]`.
    pub follow_ups_done: Vec<u64>,
    /// Of which after their due day's window, `[region]`.
    pub follow_ups_late: Vec<u64>,
    /// Follow-up visits dropped (not made by the latest day), `[region]`.
    pub follow_ups_dropped: Vec<u64>,
    /// Mobile calls (measured or not) still waiting when the run ended,
    /// counted as diverted.
    pub unresolved: u64,
}

impl Tally {
    /// An empty tally.
    pub fn new(shape: Shape) -> Self {
        let cells = shape.cells();
        Tally {
            shape,
            outcomes: vec![0; cells * OUTCOMES],
            extras: vec![0; cells * Extra::N],
            response_hist: vec![0; cells * (BINS + 1)],
            response_sum_min: vec![0.0; cells],
            wait_sum_min: vec![0.0; cells],
            wait_hist: vec![0; cells * (BINS + 1)],
            dispatch_delay_hist: vec![0; cells * (BINS + 1)],
            travel_hist: vec![0; cells * (BINS + 1)],
            on_scene_hist: vec![0; cells * (BINS + 1)],
            busy_level_min: vec![0.0; shape.regions * (MAX_BUSY_LEVEL + 1)],
            job_min_sum: vec![0.0; shape.regions],
            jobs: vec![0; shape.regions],
            by_hour: vec![0; shape.regions * HOURS_PER_WEEK * HourCount::N],
            busy_by_hour_min: vec![0.0; shape.regions * HOURS_PER_WEEK],
            busy_min: vec![0.0; shape.regions],
            overtime_min: vec![0.0; shape.regions],
            queue_integral: vec![0.0; shape.regions],
            month_zone: vec![0; shape.months * shape.zones * MonthZone::N],
            answer_wait_sum_min: vec![0.0; if shape.centres > 0 { cells } else { 0 }],
            mobile_desk_wait_sum_min: vec![0.0; if shape.centres > 0 { cells } else { 0 }],
            answer_hist: vec![
                0;
                if shape.centres > 0 {
                    cells * (DESK_BINS + 1)
                } else {
                    0
                }
            ],
            desk_time_hist: vec![
                0;
                if shape.centres > 0 {
                    cells * (DESK_BINS + 1)
                } else {
                    0
                }
            ],
            desk_busy_by_hour_min: vec![0.0; shape.centres * HOURS_PER_WEEK],
            team_jobs: vec![0; shape.groups],
            team_busy_min: vec![0.0; shape.groups],
            team_overtime_min: vec![0.0; shape.groups],
            team_travel_sum_min: vec![0.0; shape.groups],
            team_travel_hist: vec![0; shape.groups * (TRAVEL_BINS + 1)],
            team_zone_jobs: vec![0; shape.groups * shape.zones],
            team_follow_ups: vec![0; shape.groups],
            follow_ups_done: vec![0; shape.regions],
            follow_ups_late: vec![0; shape.regions],
            follow_ups_dropped: vec![0; shape.regions],
            unresolved: 0,
        }
    }

    /// Counts an outcome in a cell.
    #[inline]
    pub fn outcome(&mut self, cell: usize, o: Outcome) {
        self.outcomes[cell * OUTCOMES + o as usize] += 1;
    }

    /// Counts an extra event in a cell.
    #[inline]
    pub fn extra(&mut self, cell: usize, which: Extra) {
        self.extras[cell * Extra::N + which.i()] += 1;
    }

    /// Records a reached call's times in its cell: the response and wait
    /// (histograms and sums) and the phases a dispatch system exports
    /// (first contact → a team set off, travel, on scene), in one place so
    /// the cell's rows are found once (issue 18).
    #[inline]
    pub fn reached(&mut self, cell: usize, r: &Reached) {
        // `bin` is at most BINS, so `row + bin` stays in the cell's row: one
        // bounds check a histogram, not three for a sub-slice and its entry.
        let row = cell * (BINS + 1);
        self.response_hist[row + bin(r.response_min)] += 1;
        self.wait_hist[row + bin(r.wait_min)] += 1;
        self.dispatch_delay_hist[row + bin(r.dispatch_delay_min)] += 1;
        self.travel_hist[row + bin(r.travel_min)] += 1;
        self.on_scene_hist[row + bin(r.on_scene_min)] += 1;
        self.response_sum_min[cell] += r.response_min;
        self.wait_sum_min[cell] += r.wait_min;
    }

    /// Records a contact answered after waiting `minutes` for a counsellor.
    #[inline]
    pub fn answered(&mut self, cell: usize, minutes: f64, mobile: bool) {
        self.extra(cell, Extra::ANSWERED);
        if minutes <= 20.0 / 60.0 + 1e-9 {
            self.extra(cell, Extra::ANSWERED_20S);
        }
        if minutes <= 1.0 + 1e-9 {
            self.extra(cell, Extra::ANSWERED_60S);
        }
        let bin = bin_of(minutes / DESK_BIN_MIN, DESK_BINS);
        self.answer_hist[cell * (DESK_BINS + 1) + bin] += 1;
        self.answer_wait_sum_min[cell] += minutes;
        if mobile {
            self.extra(cell, Extra::MOBILE_ANSWERED);
            self.mobile_desk_wait_sum_min[cell] += minutes;
        }
    }

    /// Records the time in queue of an offered contact's first attempt, minutes.
    #[inline]
    pub fn desk_time(&mut self, cell: usize, minutes: f64) {
        let bin = bin_of(minutes / DESK_BIN_MIN, DESK_BINS);
        self.desk_time_hist[cell * (DESK_BINS + 1) + bin] += 1;
    }

    /// Records a measured job of a team of `group` to a call in `zone`,
    /// with its travel minutes.
    #[inline]
    pub fn team_job(&mut self, group: usize, zone: usize, travel_min: f64) {
        self.team_jobs[group] += 1;
        self.team_travel_sum_min[group] += travel_min;
        let bin = bin_of(travel_min * (1.0 / TRAVEL_BIN_MIN), TRAVEL_BINS);
        self.team_travel_hist[group * (TRAVEL_BINS + 1) + bin] += 1;
        self.team_zone_jobs[group * self.shape.zones + zone] += 1;
    }

    /// Counts in the (region, hour of week) table.
    #[inline]
    pub fn hour(&mut self, region: usize, hour: usize, which: HourCount) {
        self.by_hour[(region * HOURS_PER_WEEK + hour) * HourCount::N + which.i()] += 1;
    }

    /// Counts in the (month, zone) table.
    #[inline]
    pub fn month_zone(&mut self, month: usize, zone: usize, which: MonthZone) {
        self.month_zone[(month * self.shape.zones + zone) * MonthZone::N + which.i()] += 1;
    }

    /// Contacts counted when they arrived (in the measured window).
    pub fn contacts_generated(&self) -> u64 {
        self.month_zone
            .chunks_exact(MonthZone::N)
            .map(|c| u64::from(c[MonthZone::CONTACTS.i()]))
            .sum()
    }

    /// Total outcome counts over all cells.
    pub fn outcome_totals(&self) -> [u64; OUTCOMES] {
        let mut out = [0u64; OUTCOMES];
        for chunk in self.outcomes.chunks_exact(OUTCOMES) {
            for (o, c) in out.iter_mut().zip(chunk) {
                *o += u64::from(*c);
            }
        }
        out
    }
}

/// Quantile `q` (0..1) of a histogram with [`BIN_MIN`] bins, interpolating
/// linearly inside the bin; NaN when empty. Values in the overflow bin count
/// as its lower edge.
pub fn hist_quantile<T: Copy + Into<u64>>(hist: &[T], q: f64) -> f64 {
    hist_quantile_in(hist, q, BIN_MIN)
}

/// [`hist_quantile`] of a histogram with bins `bin` minutes wide.
pub fn hist_quantile_in<T: Copy + Into<u64>>(hist: &[T], q: f64, bin: f64) -> f64 {
    let total: u64 = hist.iter().map(|&c| c.into()).sum();
    if total == 0 {
        return f64::NAN;
    }
    let target = q * total as f64;
    let mut cum = 0.0;
    for (i, &c) in hist.iter().enumerate() {
        let c = c.into() as f64;
        if c > 0.0 && cum + c >= target {
            if i == hist.len() - 1 {
                return i as f64 * bin;
            }
            let f = ((target - cum) / c).clamp(0.0, 1.0);
            return (i as f64 + f) * bin;
        }
        cum += c;
    }
    (hist.len() - 1) as f64 * bin
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_floor_and_overflow() {
        assert_eq!(bin_of(0.0, 10), 0);
        assert_eq!(bin_of(3.7, 10), 3);
        assert_eq!(bin_of(9.999, 10), 9);
        assert_eq!(bin_of(10.0, 10), 10);
        assert_eq!(bin_of(1e300, 10), 10);
        assert_eq!(bin_of(-2.5, 10), 0);
        assert_eq!(bin_of(f64::NAN, 10), 0);
        assert_eq!(bin(0.49), 0);
        assert_eq!(bin(0.5), 1);
        assert_eq!(bin(BINS as f64 * BIN_MIN), BINS);
    }

    #[test]
    fn quantile_of_uniform_histogram() {
        // 100 values spread evenly over [0, 50) minutes, one per half-minute bin.
        let mut h = vec![0u32; BINS + 1];
        for c in h.iter_mut().take(100) {
            *c = 1;
        }
        assert!((hist_quantile(&h, 0.5) - 25.0).abs() < 1e-9);
        assert!((hist_quantile(&h, 0.9) - 45.0).abs() < 1e-9);
        assert!(hist_quantile(&[0u32; 10], 0.5).is_nan());
    }
}
