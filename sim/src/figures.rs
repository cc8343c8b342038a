//! Every reported figure, defined once: its name (in `summary.json`, the
//! CSV headers, the terminal and the report, and for reading results back),
//! its unit, what it means, and how one replication's value is computed.
//! Adding a figure is one variant and its arms here; the compiler points at
//! every arm still missing, and nothing else is positional.

use crate::tally::{DESK_BIN_MIN, Outcome, TRAVEL_BIN_MIN, hist_quantile, hist_quantile_in};

/// What one replication's figure of a group is computed from: its summed
/// counters (see [`crate::tally`]) and the measured span.
#[derive(Debug, Clone, Copy)]
pub(crate) struct GroupSums<'a> {
    /// Contacts by outcome ([`Outcome`] order).
    pub outcomes: &'a [u64],
    /// Extra counters ([`crate::tally::Extra`] order).
    pub extras: &'a [u64],
    /// Sum of response times of reached calls, minutes.
    pub response_sum_min: f64,
    /// Sum of waits for a team of reached calls, minutes.
    pub wait_sum_min: f64,
    /// Response-time histogram (0.5-minute bins).
    pub response_hist: &'a [u32],
    /// Wait histogram (0.5-minute bins).
    pub wait_hist: &'a [u32],
    /// Histogram of first contact → a team set off (0.5-minute bins).
    pub dispatch_delay_hist: &'a [u32],
    /// Travel-time histogram (0.5-minute bins).
    pub travel_hist: &'a [u32],
    /// On-scene-time histogram (0.5-minute bins).
    pub on_scene_hist: &'a [u32],
    /// Sum of waits for a counsellor of answered contacts, minutes.
    pub answer_wait_sum_min: f64,
    /// Of mobile-eligible answered contacts, minutes.
    pub mobile_desk_wait_sum_min: f64,
    /// Histogram of waits for a counsellor ([`DESK_BIN_MIN`] bins; empty
    /// without contact centres).
    pub answer_hist: &'a [u32],
    /// Measured months (30.4375 days each).
    pub months: f64,
}

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { f64::NAN }
}

macro_rules! figures {
    ($(#[$doc:meta])* $name:ident, |$s:ident: $sums:ty| {
        $($(#[$vdoc:meta])* $variant:ident = $key:literal, $unit:literal, $desc:literal => $value:expr;)*
    }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vdoc])* $variant,)*
        }

        impl $name {
            /// Every figure, in report order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// Their names, in the same order.
            pub const NAMES: &'static [&'static str] = &[$($key,)*];

            /// The figure's name in outputs.
            pub const fn name(self) -> &'static str {
                match self { $($name::$variant => $key,)* }
            }

            /// Its unit.
            pub const fn unit(self) -> &'static str {
                match self { $($name::$variant => $unit,)* }
            }

            /// What it means.
            pub const fn description(self) -> &'static str {
                match self { $($name::$variant => $desc,)* }
            }

            /// The figure with this name.
            pub fn from_name(name: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|f| f.name() == name)
            }

            /// One replication's value (NaN where undefined, e.g. a share of
            /// no calls).
            #[allow(unused_variables)]
            pub(crate) fn value(self, $s: &$sums) -> f64 {
                match self { $($name::$variant => $value,)* }
            }
        }
    };
}

impl GroupSums<'_> {
    fn o(&self, i: Outcome) -> f64 {
        self.outcomes[i as usize] as f64
    }
    fn x(&self, i: Extra) -> f64 {
        self.extras[i.i()] as f64
    }
    fn contacts(&self) -> f64 {
        self.outcomes.iter().sum::<u64>() as f64
    }
    /// Mobile-eligible contacts: reached, diverted, or lost at the phones.
    fn mobile(&self) -> f64 {
        self.o(Outcome::InTime)
            + self.o(Outcome::Late)
            + self.o(Outcome::Diverted)
            + self.x(Extra::MOBILE_LOST_AT_DESK)
    }
    fn reached(&self) -> f64 {
        self.o(Outcome::InTime) + self.o(Outcome::Late)
    }
}

use crate::tally::Extra;

figures!(
    /// A figure reported for every group (statewide, region, call type,
    /// channel and their crossings). Shares of `mobile` calls are over
    /// mobile-eligible calls (model.md); shares of contacts say so.
    GroupFigure, |s: GroupSums<'_>| {
    /// Contacts per month.
    ContactsPerMonth = "contacts_per_month", "contacts/month", "9-8-8 calls, 9-1-1 transfers and referrals per month" => s.contacts() / s.months;
    /// Mobile calls per month.
    MobilePerMonth = "mobile_per_month", "calls/month", "contacts triage sent to a mobile team, per month" => s.mobile() / s.months;
    /// Share of contacts resolved by phone.
    PhoneShareOfContacts = "phone_share_of_contacts", "share", "of contacts: resolved by phone" => ratio(s.o(Outcome::Phone), s.contacts());
    /// Share of contacts sent to a mobile team.
    MobileShareOfContacts = "mobile_share_of_contacts", "share", "of contacts: sent to a mobile team" => ratio(s.mobile(), s.contacts());
    /// Share of contacts sent to police by triage.
    PoliceTriageShareOfContacts = "police_triage_share_of_contacts", "share", "of contacts: sent to police by triage" => ratio(s.o(Outcome::Police), s.contacts());
    /// Share of contacts sent to EMS by triage.
    EmsShareOfContacts = "ems_share_of_contacts", "share", "of contacts: sent to EMS by triage" => ratio(s.o(Outcome::Ems), s.contacts());
    /// Share of mobile calls reached in time.
    InTimeShare = "in_time_share", "share", "of mobile calls: a team arrived within the maximum" => ratio(s.o(Outcome::InTime), s.mobile());
    /// Share of mobile calls reached late.
    LateShare = "late_share", "share", "of mobile calls: a team arrived after the maximum" => ratio(s.o(Outcome::Late), s.mobile());
    /// Share of mobile calls diverted for lack of capacity.
    DivertedShare = "diverted_share", "share", "of mobile calls: diverted to police for lack of capacity (754/40(c)(3))" => ratio(s.o(Outcome::Diverted), s.mobile());
    /// Share of mobile calls diverted with no team on shift.
    NoTeamOnShiftShare = "no_team_on_shift_share", "share", "of mobile calls: diverted because no team (own or mutual aid) was on shift" => ratio(s.x(Extra::NO_TEAM), s.mobile());
    /// Diverted calls per month.
    DivertedPerMonth = "diverted_per_month", "calls/month", "mobile calls diverted for lack of capacity, per month" => s.o(Outcome::Diverted) / s.months;
    /// Mean response time.
    ResponseMeanMin = "response_mean_min", "minutes", "mean response time (first contact to arrival) of reached calls" => ratio(s.response_sum_min, s.reached());
    /// Median response time.
    ResponseP50Min = "response_p50_min", "minutes", "median response time of reached calls (this replication's histogram)" => hist_quantile(s.response_hist, 0.5);
    /// 90th percentile response time.
    ResponseP90Min = "response_p90_min", "minutes", "90th percentile response time of reached calls" => hist_quantile(s.response_hist, 0.9);
    /// 95th percentile response time.
    ResponseP95Min = "response_p95_min", "minutes", "95th percentile response time of reached calls" => hist_quantile(s.response_hist, 0.95);
    /// Backup requests per month.
    BackupsPerMonth = "backups_per_month", "requests/month", "mobile responses that requested police or EMS backup, per month" => s.x(Extra::BACKUP) / s.months;
    /// Petitions per month.
    PetitionsPerMonth = "petitions_per_month", "petitions/month", "involuntary-commitment petitions (754/40(c)(6)), per month" => s.x(Extra::PETITION) / s.months;
    /// Transports per month.
    TransportsPerMonth = "transports_per_month", "transports/month", "mobile responses with a transport, per month" => s.x(Extra::TRANSPORT) / s.months;
    /// Share of responses by mutual aid.
    MutualAidShareOfResponses = "mutual_aid_share_of_responses", "share", "of reached calls: answered by another region's team (754/25(h))" => ratio(s.x(Extra::MUTUAL_AID), s.reached());
    /// Share of responses cancelled en route.
    CancelledShareOfResponses = "cancelled_share_of_responses", "share", "of reached calls: cancelled while the team was on its way (early_endings)" => ratio(s.x(Extra::CANCELLED), s.reached());
    /// Share of responses where the person was not found.
    UnableToLocateShareOfResponses = "unable_to_locate_share_of_responses", "share", "of reached calls: the team could not find the person (early_endings)" => ratio(s.x(Extra::UNABLE_TO_LOCATE), s.reached());
    /// Share of responses refused.
    RefusedShareOfResponses = "refused_share_of_responses", "share", "of reached calls: the person refused the assessment (early_endings)" => ratio(s.x(Extra::REFUSED), s.reached());
    /// Share of responses that waited for a team.
    WaitedShareOfResponses = "waited_share_of_responses", "share", "of reached calls: waited for a team after the dispatch decision" => ratio(s.x(Extra::WAITED), s.reached());
    /// Mean wait for a team.
    WaitMeanMin = "wait_mean_min", "minutes", "mean wait for a team after the dispatch decision, of reached calls" => ratio(s.wait_sum_min, s.reached());
    /// Median wait for a team.
    WaitP50Min = "wait_p50_min", "minutes", "median wait for a team, of reached calls" => hist_quantile(s.wait_hist, 0.5);
    /// 90th percentile wait for a team.
    WaitP90Min = "wait_p90_min", "minutes", "90th percentile wait for a team, of reached calls" => hist_quantile(s.wait_hist, 0.9);
    /// Share of mobile calls lost at the phones.
    LostAtPhonesShare = "lost_at_phones_share", "share", "of mobile calls: hung up or rolled over before a counsellor assessed them (the phones' part of the misses; diverted is the teams', late the travel's)" => ratio(s.x(Extra::MOBILE_LOST_AT_DESK), s.mobile());
    /// Share of offered contacts answered.
    AnswerShare = "answer_share", "share", "of contacts offered to a contact centre: answered, in state or by the national backup" => ratio(s.x(Extra::ANSWERED) + s.o(Outcome::RolledOver), s.x(Extra::OFFERED));
    /// Share answered in state.
    InStateAnswerShare = "in_state_answer_share", "share", "of contacts offered to a contact centre: answered by an in-state counsellor" => ratio(s.x(Extra::ANSWERED), s.x(Extra::OFFERED));
    /// Share abandoned.
    AbandonedShare = "abandoned_share", "share", "of contacts offered to a contact centre: hung up while waiting (after any callback)" => ratio(s.o(Outcome::Abandoned), s.x(Extra::OFFERED));
    /// Share rolled over.
    RolledOverShare = "rolled_over_share", "share", "of contacts offered to a contact centre: rolled over to the national backup (no local team can follow)" => ratio(s.o(Outcome::RolledOver), s.x(Extra::OFFERED));
    /// Mean speed of answer.
    AnswerWaitMeanS = "answer_wait_mean_s", "seconds", "mean wait for a counsellor of answered contacts (speed of answer)" => 60.0 * ratio(s.answer_wait_sum_min, s.x(Extra::ANSWERED));
    /// 90th percentile speed of answer.
    AnswerWaitP90S = "answer_wait_p90_s", "seconds", "90th percentile wait for a counsellor of answered contacts (5-second bins)" => 60.0 * hist_quantile_in(s.answer_hist, 0.9, DESK_BIN_MIN);
    /// Share answered within 20 seconds.
    AnsweredWithin20sShare = "answered_within_20s_share", "share", "of answered contacts: answered within 20 seconds" => ratio(s.x(Extra::ANSWERED_20S), s.x(Extra::ANSWERED));
    /// Share answered within 60 seconds.
    AnsweredWithin60sShare = "answered_within_60s_share", "share", "of answered contacts: answered within 60 seconds" => ratio(s.x(Extra::ANSWERED_60S), s.x(Extra::ANSWERED));
    /// Mobile calls' mean wait for a counsellor.
    MobileCounsellorWaitMeanMin = "mobile_counsellor_wait_mean_min", "minutes", "of mobile-eligible contacts answered: mean wait for a counsellor, part of their response time" => ratio(s.mobile_desk_wait_sum_min, s.x(Extra::MOBILE_ANSWERED));
    /// Median first contact → dispatch.
    DispatchDelayP50Min = "dispatch_delay_p50_min", "minutes", "median time from first contact until a team set off (intake, any wait for a counsellor, the wait for a team), of reached calls: a dispatch system's request -> dispatch" => hist_quantile(s.dispatch_delay_hist, 0.5);
    /// 90th percentile first contact → dispatch.
    DispatchDelayP90Min = "dispatch_delay_p90_min", "minutes", "90th percentile time from first contact until a team set off, of reached calls" => hist_quantile(s.dispatch_delay_hist, 0.9);
    /// Median travel time.
    TravelP50Min = "travel_p50_min", "minutes", "median travel time (a team set off -> arrived on scene), of reached calls" => hist_quantile(s.travel_hist, 0.5);
    /// 90th percentile travel time.
    TravelP90Min = "travel_p90_min", "minutes", "90th percentile travel time, of reached calls" => hist_quantile(s.travel_hist, 0.9);
    /// Median on-scene time.
    OnSceneP50Min = "on_scene_p50_min", "minutes", "median time on scene (arrived -> left the scene, before any transport), of reached calls" => hist_quantile(s.on_scene_hist, 0.5);
    /// 90th percentile on-scene time.
    OnSceneP90Min = "on_scene_p90_min", "minutes", "90th percentile time on scene, of reached calls" => hist_quantile(s.on_scene_hist, 0.9);
});

/// What one replication's team figures of a region are computed from.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RegionSums<'a> {
    /// Busy team-minutes (travel, scene, transport).
    pub busy_min: f64,
    /// Scheduled team-minutes in the measured span.
    pub on_shift_min: f64,
    /// Team-minutes worked past shift ends.
    pub overtime_min: f64,
    /// Integral of the queue length over time, call-minutes.
    pub queue_integral: f64,
    /// Minutes spent with k teams busy, k = 0, 1, ...
    pub busy_levels: &'a [f64],
    /// The measured span, minutes.
    pub span_min: f64,
    /// Measured months.
    pub months: f64,
    /// Follow-up visits made, late, dropped.
    pub follow_ups: [f64; 3],
}

figures!(
    /// A figure reported per region about its teams.
    RegionFigure, |s: RegionSums<'_>| {
    /// Utilization.
    Utilization = "utilization", "share", "busy team-time (travel, scene, transport) over scheduled team-time" => ratio(s.busy_min, s.on_shift_min);
    /// Busy team-hours per month.
    BusyTeamHoursPerMonth = "busy_team_hours_per_month", "team-hours/month", "busy team-hours per month" => s.busy_min / 60.0 / s.months;
    /// Overtime hours per month.
    OvertimeHoursPerMonth = "overtime_hours_per_month", "team-hours/month", "team-hours worked past shift ends, per month" => s.overtime_min / 60.0 / s.months;
    /// Mean queue length.
    MeanQueueLength = "mean_queue_length", "calls", "mean number of calls waiting for a team" => s.queue_integral / s.span_min;
    /// Mean busy teams.
    MeanBusyTeams = "mean_busy_teams", "teams", "mean number of teams busy at once" => s.busy_levels.iter().enumerate().map(|(k, m)| k as f64 * m).sum::<f64>() / s.span_min;
    /// P(two or more teams busy).
    PTwoOrMoreBusy = "p_two_or_more_busy", "probability", "share of time with two or more teams busy at once" => s.busy_levels.iter().skip(2).sum::<f64>() / s.span_min;
    /// Follow-up visits per month.
    FollowUpsPerMonth = "follow_ups_per_month", "visits/month", "follow-up visits made per month (follow_up)" => s.follow_ups[0] / s.months;
    /// Late share of follow-up visits.
    FollowUpsLateShare = "follow_ups_late_share", "share", "of follow-up visits made: after their due day's window" => ratio(s.follow_ups[1], s.follow_ups[0]);
    /// Dropped follow-up visits per month.
    FollowUpsDroppedPerMonth = "follow_ups_dropped_per_month", "visits/month", "follow-up visits not made by their latest day, per month" => s.follow_ups[2] / s.months;
});

/// What one replication's figures of a team group are computed from.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TeamSums<'a> {
    /// Measured jobs of the group's teams.
    pub jobs: f64,
    /// Measured jobs of every team of the group's region.
    pub region_jobs: f64,
    /// Busy team-minutes of the group in the measured window.
    pub busy_min: f64,
    /// Scheduled team-minutes of the group in the measured window.
    pub on_shift_min: f64,
    /// Overtime team-minutes of the group.
    pub overtime_min: f64,
    /// Sum of travel minutes of its jobs.
    pub travel_sum_min: f64,
    /// Histogram of those travel times ([`TRAVEL_BIN_MIN`] bins).
    pub travel_hist: &'a [u32],
    /// Follow-up visits its teams made.
    pub follow_ups: f64,
    /// Measured months.
    pub months: f64,
}

figures!(
    /// A figure reported per team group (`regions.NAME.teams.GROUP`, one
    /// base and shift): which base carries the load.
    TeamFigure, |s: TeamSums<'_>| {
    /// Utilization.
    Utilization = "utilization", "share", "busy team-time (travel, scene, transport) over the group's scheduled team-time" => ratio(s.busy_min, s.on_shift_min);
    /// Dispatches per month.
    DispatchesPerMonth = "dispatches_per_month", "jobs/month", "mobile responses by the group's teams per month" => s.jobs / s.months;
    /// Share of the region's dispatches.
    DispatchShare = "dispatch_share", "share", "of the mobile responses by the region's teams: those by this group" => ratio(s.jobs, s.region_jobs);
    /// Mean travel.
    TravelMeanMin = "travel_mean_min", "min", "mean travel time of the group's responses" => ratio(s.travel_sum_min, s.jobs);
    /// 90th percentile of travel.
    TravelP90Min = "travel_p90_min", "min", "90th percentile of the travel time of the group's responses" => hist_quantile_in(s.travel_hist, 0.9, TRAVEL_BIN_MIN);
    /// Overtime hours per month.
    OvertimeHoursPerMonth = "overtime_hours_per_month", "team-hours/month", "team-hours the group worked past shift ends, per month" => s.overtime_min / 60.0 / s.months;
    /// Follow-up visits per month.
    FollowUpsPerMonth = "follow_ups_per_month", "visits/month", "follow-up visits by the group's teams per month (its follow-up load)" => s.follow_ups / s.months;
});

/// What one replication's figures of a (region, hour of week) are computed from.
#[derive(Debug, Clone, Copy)]
pub(crate) struct HourSums {
    /// Mobile calls arriving in the hour.
    pub mobile: f64,
    /// Of which diverted.
    pub diverted: f64,
    /// Of which late.
    pub late: f64,
    /// How many times the hour occurs in the measured span.
    pub occurrences: f64,
    /// Busy team-minutes in the hour.
    pub busy_min: f64,
    /// Scheduled team-minutes in the hour.
    pub on_shift_min: f64,
    /// Busy counsellor-minutes in the hour at the region's contact centre.
    pub desk_busy_min: f64,
    /// Scheduled counsellor-minutes in the hour there.
    pub desk_on_shift_min: f64,
}

figures!(
    /// A figure reported per (region, hour of week).
    HourFigure, |s: HourSums| {
    /// Mobile calls per week in this hour.
    MobilePerWeek = "mobile_per_week", "calls/week", "mean number of mobile calls in this hour of the week" => ratio(s.mobile, s.occurrences);
    /// Diverted share in this hour.
    DivertedShare = "diverted_share", "share", "of this hour's mobile calls: diverted (the probability of a miss)" => ratio(s.diverted, s.mobile);
    /// Late share in this hour.
    LateShare = "late_share", "share", "of this hour's mobile calls: reached late" => ratio(s.late, s.mobile);
    /// Utilization in this hour.
    Utilization = "utilization", "share", "busy over scheduled team-time in this hour" => ratio(s.busy_min, s.on_shift_min);
    /// Counsellor utilization in this hour.
    CounsellorUtilization = "counsellor_utilization", "share", "busy over scheduled counsellor-time in this hour at the region's contact centre" => ratio(s.desk_busy_min, s.desk_on_shift_min);
});

#[cfg(test)]
mod tests {
    use super::*;

    /// `ALL` lists every variant once, in declaration order, and the names
    /// are distinct: nothing is positional but this list.
    #[test]
    fn every_figure_once_in_order_with_a_distinct_name() {
        for (i, f) in GroupFigure::ALL.iter().enumerate() {
            assert_eq!(*f as usize, i);
            assert_eq!(GroupFigure::from_name(f.name()), Some(*f));
            assert!(!f.unit().is_empty() && !f.description().is_empty());
        }
        for (i, f) in RegionFigure::ALL.iter().enumerate() {
            assert_eq!(*f as usize, i);
            assert_eq!(RegionFigure::from_name(f.name()), Some(*f));
        }
        for (i, f) in TeamFigure::ALL.iter().enumerate() {
            assert_eq!(*f as usize, i);
            assert_eq!(TeamFigure::from_name(f.name()), Some(*f));
        }
        for (i, f) in HourFigure::ALL.iter().enumerate() {
            assert_eq!(*f as usize, i);
            assert_eq!(HourFigure::from_name(f.name()), Some(*f));
        }
        assert_eq!(GroupFigure::ALL.len(), 42);
    }
}
