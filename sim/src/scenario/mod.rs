//! The scenario: what a committee describes in TOML, validated once into
//! typed values that the engine trusts.
//!
//! [`Scenario::from_toml`] reads a scenario from text and reports every
//! problem at once ([`ScenarioError`]), each with line, column and key.

mod build;
pub mod patch;
mod profile;
pub(crate) mod read;

pub use profile::{BUILTIN_PROFILES, builtin_profile};
pub use read::Problem;

pub(crate) use build::great_circle_miles;

use crate::calendar::Calendar;
use crate::dist::Duration;
use crate::schedule::Schedule;

/// The first line of a scenario text that command-line overrides changed,
/// followed by the overrides (`PATH=VALUE; ...`).
pub const OVERRIDES_COMMENT: &str = "# Overrides applied by cessa-sim (--set, -r, --seed): ";

/// A key as written in a dotted path or TOML file: bare when it can be,
/// else a quoted TOML string (`regions."Region 5"`).
pub fn toml_key(k: &str) -> String {
    read::key_part(k)
}

/// The overrides recorded in a scenario text's first line, if any.
pub fn overrides(text: &str) -> Option<&str> {
    text.lines().next()?.strip_prefix(OVERRIDES_COMMENT)
}

/// A scenario that failed validation: every problem found, in file order.
#[derive(Debug, Clone, thiserror::Error)]
pub struct ScenarioError {
    /// The file name (or `<embedded>`), for messages.
    pub file: String,
    /// Every problem, sorted by position.
    pub problems: Vec<Problem>,
}

impl ScenarioError {
    /// The error of `file`: its problems sorted by position, repeats removed.
    pub(crate) fn new(file: &str, mut problems: Vec<Problem>) -> ScenarioError {
        problems.sort_by_key(|p| (p.line, p.column));
        problems.dedup();
        ScenarioError {
            file: file.to_string(),
            problems,
        }
    }
}

impl std::fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.problems.len();
        write!(
            f,
            "{} has {} problem{}:",
            self.file,
            n,
            if n == 1 { "" } else { "s" }
        )?;
        for p in &self.problems {
            if p.line == 0 {
                write!(f, "\n  {p}")?;
            } else {
                write!(f, "\n  {}:{p}", self.file)?;
            }
        }
        Ok(())
    }
}

/// Index of a region in [`Scenario::regions`].
pub type RegionId = usize;
/// Index of a zone in [`Scenario::zones`].
pub type ZoneId = usize;

/// Settings of a run.
#[derive(Debug, Clone)]
pub struct RunSettings {
    /// First day simulated (00:00 local time).
    pub start_date: jiff::civil::Date,
    /// Simulated span, minutes (excluding nothing; warm-up is inside it).
    pub horizon_min: f64,
    /// Initial span excluded from statistics, minutes.
    pub warmup_min: f64,
    /// Number of independent replications.
    pub replications: u32,
    /// Seed from which every replication's streams derive.
    pub seed: u64,
}

/// How 9-8-8 decides whether a team can get there in time (model.md, step 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// Assign at intake to the team with the earliest estimated arrival, or
    /// divert at once if none meets the maximum.
    Predict,
    /// Queue centrally (priority, then first come) and divert when no team
    /// could reach the call in time any more.
    Escalate,
}

/// Which teams the `predict` policy considers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Candidates {
    /// Only teams idle at the moment of the decision.
    Idle,
    /// Also busy teams whose estimated arrival still meets the maximum.
    Any,
}

/// What the dispatcher knows about remaining busy and travel times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Knowledge {
    /// The true values (an oracle; what queueing theory assumes).
    Exact,
    /// Expected values given the time already spent.
    Expected,
}

/// Where a team goes after a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterCall {
    /// Drive back to the base zone (taking calls on the way, from the zone
    /// it is leaving).
    ReturnToBase,
    /// Wait where the last call was.
    Stay,
}

/// Dispatch settings.
#[derive(Debug, Clone, Copy)]
pub struct Dispatch {
    /// The policy.
    pub policy: Policy,
    /// Candidates under `predict`.
    pub candidates: Candidates,
    /// The dispatcher's estimate of remaining and travel time.
    pub estimate: Knowledge,
    /// Return to base, or stay at the scene.
    pub after_call: AfterCall,
}

/// An entry channel: 988 direct, a 9-1-1 transfer, a referral.
#[derive(Debug, Clone)]
pub struct Channel {
    /// Name as in the scenario.
    pub name: String,
    /// Share of contacts arriving by this channel.
    pub share: f64,
    /// Delay from first notification until a dispatch decision can be made;
    /// in a region answered by a contact centre, until the contact reaches
    /// the centre's queue (a hand-off), the assessment being the talk time.
    pub intake: Duration,
    /// At a contact centre, answered before every contact of the other
    /// channels (a priority line), else in the common queue.
    pub priority_line: bool,
}

/// A maximum response time: a number of minutes (possibly 0), or none.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MaxResponse {
    /// No maximum: never diverted for lateness.
    Unlimited,
    /// At most this many minutes from first notification to arrival.
    Minutes(f64),
}

impl MaxResponse {
    /// Minutes, infinite when unlimited.
    pub fn minutes(self) -> f64 {
        match self {
            MaxResponse::Unlimited => f64::INFINITY,
            MaxResponse::Minutes(m) => m,
        }
    }

    /// Minutes, or None when there is no (finite) maximum.
    pub fn limit(self) -> Option<f64> {
        let m = self.minutes();
        m.is_finite().then_some(m)
    }
}

/// Triage outcome of a contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Triage {
    /// Resolved by phone: no dispatch.
    Phone,
    /// Needs a mobile crisis team.
    Mobile,
    /// Police, because of a crime or a threat of injury (754/30(a)(i),(ii)).
    Police,
    /// EMS, for a physical emergency.
    Ems,
}

/// A type of emergency (754/50(2)).
#[derive(Debug, Clone)]
pub struct CallType {
    /// Name as in the scenario.
    pub name: String,
    /// Share of contacts of this type.
    pub share: f64,
    /// Priority: 1 is served first.
    pub priority: u32,
    /// Maximum response time in each region, indexed by [`RegionId`].
    pub max_response: Vec<MaxResponse>,
    /// A zone's own maximum (`max_response_by_zone`), indexed by zone;
    /// `None`: its region's.
    pub max_response_by_zone: Vec<Option<MaxResponse>>,
    /// Triage shares: phone, mobile, police, EMS (sum to 1).
    pub triage: [f64; 4],
    /// Time on scene.
    pub on_scene: Duration,
    /// A region's own on-scene time (`on_scene_by_region`), indexed by
    /// region; `None`: `on_scene`.
    pub on_scene_by_region: Vec<Option<Duration>>,
    /// Share of mobile responses with a transport.
    pub transport_share: f64,
    /// Transport time, when there is one.
    pub transport: Duration,
    /// Share of mobile responses that request police or EMS backup (754/25(k)).
    pub backup_share: f64,
    /// Share of mobile responses with an involuntary-commitment petition (754/40(c)(6)).
    pub petition_share: f64,
    /// Dispatches that end early (`early_endings`): each kind's share of
    /// the mobile responses and its own on-scene time, replacing the
    /// assessment (no transport, no petition). Empty: none.
    pub early_endings: Vec<EarlyEnding>,
    /// Transports go to the nearest open destination of this type in the
    /// call's region (`transport.to`; index into the scenario's destination
    /// types); `transport` is then the handover there. `None`: `transport`
    /// is the whole transport time and the team stays at the call's zone.
    pub transport_to: Option<usize>,
    /// How long a transported person occupies a bed or chair at a
    /// destination with a `capacity` (`transport.stay`); `None`: no bed.
    pub stay: Option<Duration>,
    /// Follow-up visits after a mobile response (`follow_up`); `None`: none.
    pub follow_up: Option<FollowUp>,
    /// Capabilities a team must have to take this type's calls (`needs`,
    /// e.g. `["youth"]`); empty: any team.
    pub needs: Vec<String>,
}

/// How a dispatch may end early (issue 15; the Lane County records: about
/// a quarter of dispatches do not find the person, 14% refuse, 7% are
/// cancelled).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// Cancelled while the team was on its way (it still drives the trip).
    Cancelled = 1,
    /// The team arrived and could not find the person.
    UnableToLocate = 2,
    /// The person refused the assessment.
    Refused = 3,
}

impl Ending {
    /// Every kind, in the order of their keys.
    pub const ALL: [Ending; 3] = [Ending::Cancelled, Ending::UnableToLocate, Ending::Refused];

    /// Its key in `early_endings`.
    pub const fn key(self) -> &'static str {
        match self {
            Ending::Cancelled => "cancelled",
            Ending::UnableToLocate => "unable_to_locate",
            Ending::Refused => "refused",
        }
    }
}

/// Follow-up visits of a call type (issue 15; Illinois' Mobile Crisis
/// Response program follows up for at least 3 and up to 30 days): a share of
/// its mobile responses is visited again, `visits` times, every
/// `every_days` days, in the daytime window, by the region's teams when
/// idle (after any crisis call), each visit lasting `duration` on site
/// after the drive; a visit not made by `within_days` after the response is
/// dropped.
#[derive(Debug, Clone)]
pub struct FollowUp {
    /// Share of the type's mobile responses followed up.
    pub share: f64,
    /// Visits per follow-up.
    pub visits: u32,
    /// Days from the response (or the last visit) to the next visit.
    pub every_days: u32,
    /// Minutes on site of a visit.
    pub duration: Duration,
    /// The daytime window visits start in, minutes after midnight: [start, end).
    pub window_min: (f64, f64),
    /// Days after the response by which every visit must have started.
    pub within_days: u32,
}

/// One kind of early ending of a call type.
#[derive(Debug, Clone)]
pub struct EarlyEnding {
    /// Which.
    pub kind: Ending,
    /// Share of the call type's mobile responses.
    pub share: f64,
    /// Minutes on scene instead of the assessment.
    pub on_scene: Duration,
}

impl CallType {
    /// The on-scene time of this type's calls in region `r`.
    #[inline]
    pub fn on_scene_in(&self, r: usize) -> &Duration {
        self.on_scene_by_region[r].as_ref().unwrap_or(&self.on_scene)
    }
}

/// A zone: a police district or sub-region.
#[derive(Debug, Clone)]
pub struct Zone {
    /// Name, unique within its region.
    pub name: String,
    /// The region it belongs to.
    pub region: RegionId,
    /// Relative demand weight within the region.
    pub weight: f64,
    /// Latitude and longitude of a representative point, degrees.
    pub coords: Option<(f64, f64)>,
    /// Area, square miles.
    pub area_sqmi: Option<f64>,
}

/// How travel times are drawn in a region.
#[derive(Debug, Clone)]
pub enum Travel {
    /// One distribution for every route in the region.
    Time(Duration),
    /// A zone-to-zone mean (in [`Scenario::travel_mean_min`]) times a random factor.
    Routes {
        /// The factor (mean usually 1).
        factor: Duration,
    },
}

/// Index of a centre in [`Scenario::centres`].
pub type CentreId = usize;

/// The order in which a contact centre answers waiting contacts (after any
/// priority line).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerOrder {
    /// First come, first answered.
    FirstCome,
    /// By call-type priority, then first come.
    Priority,
}

/// Where a contact goes when no counsellor answered it in time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RolloverTo {
    /// The national backup network: answered at once by phone, out of
    /// state, so no local team can be dispatched.
    National,
    /// Another centre of the scenario (its own counsellors and queue).
    Centre(CentreId),
}

/// Rollover of unanswered contacts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rollover {
    /// Minutes unanswered before the contact rolls over.
    pub after_min: f64,
    /// Where it goes.
    pub to: RolloverTo,
}

/// A group of counsellors with one schedule.
#[derive(Debug, Clone)]
pub struct CounsellorGroup {
    /// Name as in the scenario (`counsellors.NAME`).
    pub name: String,
    /// Counsellors on shift when the group is.
    pub count: u32,
    /// When they are on shift.
    pub schedule: Schedule,
}

/// A 9-8-8 contact centre: counsellors who answer and assess every contact
/// of its regions before any dispatch. The maximum response time still
/// counts from first notification (754/25(c)), so waiting for a counsellor
/// uses it up.
#[derive(Debug, Clone)]
pub struct Centre {
    /// Name as in the scenario.
    pub name: String,
    /// Counsellor groups.
    pub counsellors: Vec<CounsellorGroup>,
    /// Talk (assessment) time by call type, indexed like [`Scenario::call_types`].
    pub talk: Vec<Duration>,
    /// Patience before a waiting caller hangs up; `None`: callers wait.
    pub patience: Option<Duration>,
    /// Share of callers who hang up and call again once, and after how long.
    pub callback: Option<(f64, Duration)>,
    /// Order of answering.
    pub order: AnswerOrder,
    /// Rollover of contacts unanswered for a while.
    pub rollover: Option<Rollover>,
}

/// A group of identical teams with one base and one schedule.
#[derive(Debug, Clone)]
pub struct TeamGroup {
    /// Name as in the scenario (`teams.NAME`).
    pub name: String,
    /// The region.
    pub region: RegionId,
    /// Number of teams.
    pub count: u32,
    /// Base zone.
    pub base: ZoneId,
    /// When the teams are on shift.
    pub schedule: Schedule,
    /// Overtime allowed past the end of a shift to finish a call, minutes.
    pub overtime_min: f64,
    /// What its teams can do that some call types need (`capabilities`).
    pub capabilities: Vec<String>,
}

/// A destination of transports (issue 15): a crisis stabilization or
/// receiving centre, an emergency department.
#[derive(Debug, Clone)]
pub struct Destination {
    /// Name as in the scenario (`destinations.NAME`).
    pub name: String,
    /// Its region.
    pub region: RegionId,
    /// Its zone.
    pub zone: ZoneId,
    /// Its type (index into [`Scenario::destination_types`]).
    pub kind: usize,
    /// Beds or chairs; `None`: never full.
    pub capacity: Option<u32>,
}

/// An EMS region.
#[derive(Debug, Clone)]
pub struct Region {
    /// Name as in the scenario.
    pub name: String,
    /// Residents.
    pub population: f64,
    /// Mean rate of contacts, per minute, with `demand_scale` applied.
    pub rate_per_min: f64,
    /// Hour-of-week factors (mean 1), bin 0 = Monday 00:00.
    pub profile: [f64; 168],
    /// Factors by month of the year (January first), as given.
    pub month_factors: [f64; 12],
    /// The region's zones.
    pub zones: Vec<ZoneId>,
    /// How travel is drawn.
    pub travel: Travel,
    /// Factors on the trips to calls that start in each hour of the day
    /// (`travel.by_hour`, hour 0 first): rush hours are slower.
    pub travel_by_hour: Option<[f64; 24]>,
    /// Regions whose teams may answer this region's calls (754/25(h)).
    pub mutual_aid: Vec<RegionId>,
    /// The contact centre that answers its contacts, if any (else contacts
    /// reach the dispatcher after the channel's intake delay).
    pub centre: Option<CentreId>,
}

/// A validated scenario: built only by [`Scenario::from_toml`], read
/// through its accessors, never changed (a change is a new text, validated:
/// see [`patch`]).
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Name.
    name: String,
    /// The TOML text it was read from (echoed into outputs).
    source: String,
    /// Run settings.
    run: RunSettings,
    /// Multiplier on every region's demand.
    demand_scale: f64,
    /// Yearly growth of every region's demand from the run's start
    /// (0.03 = +3% a year, compounded continuously by the hour).
    demand_growth_per_year: f64,
    /// Multiplier on every travel time.
    travel_scale: f64,
    /// Multiplier on every on-scene time.
    on_scene_scale: f64,
    /// Dispatch settings.
    dispatch: Dispatch,
    /// Entry channels.
    channels: Vec<Channel>,
    /// Call types.
    call_types: Vec<CallType>,
    /// Regions.
    regions: Vec<Region>,
    /// Zones of all regions.
    zones: Vec<Zone>,
    /// Mean travel minutes from zone `i` to zone `j` at index `i * zones + j`
    /// (NaN where no route is defined), with `travel_scale` applied.
    travel_mean_min: Vec<f64>,
    /// Team groups of all regions.
    team_groups: Vec<TeamGroup>,
    /// 9-8-8 contact centres.
    centres: Vec<Centre>,
    /// Destinations of transports, of every region.
    destinations: Vec<Destination>,
    /// Destination type names (`destinations.NAME.type`), sorted.
    destination_types: Vec<String>,
    /// Team capability names (`teams.GROUP.capabilities`), sorted, at most 32.
    capabilities: Vec<String>,
}

impl Scenario {
    /// Name.
    #[inline]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The TOML text it was read from (echoed into outputs).
    #[inline]
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Run settings.
    #[inline]
    pub fn run(&self) -> &RunSettings {
        &self.run
    }

    /// Multiplier on every region's demand.
    #[inline]
    pub fn demand_scale(&self) -> f64 {
        self.demand_scale
    }

    /// Destinations of transports, of every region.
    #[inline]
    pub fn destinations(&self) -> &[Destination] {
        &self.destinations
    }

    /// Destination type names, sorted (what `transport.to` names).
    #[inline]
    pub fn destination_types(&self) -> &[String] {
        &self.destination_types
    }

    /// Team capability names, sorted: bit `i` of a team's mask is the
    /// `i`-th.
    #[inline]
    pub fn capabilities(&self) -> &[String] {
        &self.capabilities
    }

    /// Yearly growth of every region's demand from the run's start (0.03 =
    /// +3% a year): the rate `t` minutes in is multiplied by
    /// `(1 + g)^(t / 525,960)` (365.25-day years), hour by hour.
    #[inline]
    pub fn demand_growth_per_year(&self) -> f64 {
        self.demand_growth_per_year
    }

    /// Multiplier on every travel time.
    #[inline]
    pub fn travel_scale(&self) -> f64 {
        self.travel_scale
    }

    /// Multiplier on every on-scene time.
    #[inline]
    pub fn on_scene_scale(&self) -> f64 {
        self.on_scene_scale
    }

    /// Dispatch settings.
    #[inline]
    pub fn dispatch(&self) -> &Dispatch {
        &self.dispatch
    }

    /// Entry channels.
    #[inline]
    pub fn channels(&self) -> &[Channel] {
        &self.channels
    }

    /// Call types.
    #[inline]
    pub fn call_types(&self) -> &[CallType] {
        &self.call_types
    }

    /// Regions.
    #[inline]
    pub fn regions(&self) -> &[Region] {
        &self.regions
    }

    /// Zones of all regions.
    #[inline]
    pub fn zones(&self) -> &[Zone] {
        &self.zones
    }

    /// Mean travel minutes from zone `i` to zone `j` at index `i * zones + j`
    /// (NaN where no route is defined), with `travel_scale` applied.
    #[inline]
    pub fn travel_mean_min(&self) -> &[f64] {
        &self.travel_mean_min
    }

    /// Team groups of all regions.
    #[inline]
    pub fn team_groups(&self) -> &[TeamGroup] {
        &self.team_groups
    }

    /// 9-8-8 contact centres.
    #[inline]
    pub fn centres(&self) -> &[Centre] {
        &self.centres
    }

    /// Reads and validates a scenario from TOML text; `file` names it in
    /// messages.
    pub fn from_toml(text: &str, file: &str) -> Result<Scenario, ScenarioError> {
        build::build(text, file)
    }

    /// Checks that `text` is TOML, reporting a syntax error at its line
    /// and column in `file`; the scenario itself is not read.
    pub fn check_toml(text: &str, file: &str) -> Result<(), ScenarioError> {
        let mut r = read::Reader::new(text);
        match r.parse() {
            Some(_) => Ok(()),
            None => Err(r.into_error(file)),
        }
    }

    /// The calendar of a run, with months up to the horizon.
    pub fn calendar(&self) -> Calendar {
        Calendar::new(self.run.start_date, self.run.horizon_min)
    }

    /// Mean travel minutes from one zone to another (NaN when undefined).
    #[inline]
    pub fn route_mean_min(&self, from: ZoneId, to: ZoneId) -> f64 {
        self.travel_mean_min[from * self.zones.len() + to]
    }

    /// Total number of teams.
    pub fn team_count(&self) -> u32 {
        self.team_groups.iter().map(|g| g.count).sum()
    }
}

/// The embedded Illinois default scenario (`scenarios/illinois.toml`).
pub const ILLINOIS_TOML: &str = include_str!("../../../scenarios/illinois.toml");
